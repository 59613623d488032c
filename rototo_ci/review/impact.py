"""Resolution impact: which (variable, context) cells select something different.

Incremental: a variable whose whole dependency closure (its file, the
qualifiers it reaches, its resource, objects and schema, the context schema)
is byte-identical on both sides cannot change and is not resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.documents import CONTEXT_SCHEMA
from ..engine.errors import RototoError
from ..engine.model import Model
from ..engine.resolve import Evaluation, strict_equal
from ..engine.workspace import Workspace
from .report import Outcome, ResolutionChange


def closure_paths(model: Model, variable_id: str) -> set[str]:
    """Every workspace file whose bytes can influence this variable's resolution."""
    variable = model.variables[variable_id]
    paths = {variable.path}
    if CONTEXT_SCHEMA in model.schemas:
        paths.add(CONTEXT_SCHEMA)
    pending = [rule.qualifier for rule in variable.rules]
    seen: set[str] = set()
    while pending:
        qid = pending.pop()
        if qid in seen:
            continue
        seen.add(qid)
        qualifier = model.qualifiers.get(qid)
        if qualifier is None:
            continue
        paths.add(qualifier.path)
        pending.extend(p.qualifier_ref for p in qualifier.predicates if p.qualifier_ref)
    if variable.resource is not None:
        resource = model.resources.get(variable.resource)
        if resource is not None:
            paths.add(resource.doc.path)
            if resource.schema_path:
                paths.add(resource.schema_path)
            paths.update(obj.doc.path for obj in resource.objects.values())
    return paths


def closure_digest(
    model: Model, blobs: dict[str, str], variable_id: str
) -> tuple[tuple[str, str], ...]:
    """The closure as (path, blob id) pairs: equal digests mean equal behaviour."""
    return tuple(sorted((p, blobs.get(p, "")) for p in closure_paths(model, variable_id)))


def outcome(evaluation: Evaluation | RototoError, variable_id: str) -> Outcome:
    if isinstance(evaluation, RototoError):
        return {"error": str(evaluation)}
    try:
        resolution, _ = evaluation.variable(variable_id)
    except RototoError as error:
        return {"error": str(error)}
    return {"value_key": resolution.value_key, "value": resolution.value}


def same_outcome(a: Outcome, b: Outcome) -> bool:
    if a is None or b is None:
        return a is b
    if "error" in a or "error" in b:
        return "error" in a and "error" in b and a["error"] == b["error"]
    return a["value_key"] == b["value_key"] and strict_equal(a["value"], b["value"])


@dataclass
class ImpactStats:
    resolved: int = 0
    skipped: int = 0
    cells: int = 0


def _evaluations(
    workspace: Workspace | None, contexts: dict[str, Any]
) -> dict[str, Evaluation | RototoError]:
    result: dict[str, Evaluation | RototoError] = {}
    if workspace is None:
        return result
    for name, context in contexts.items():
        try:
            result[name] = workspace.evaluation(context)
        except RototoError as error:
            result[name] = error
    return result


def resolution_changes(
    base: Workspace | None,
    base_blobs: dict[str, str],
    head: Workspace | None,
    head_blobs: dict[str, str],
    contexts: dict[str, Any],
    stats: ImpactStats | None = None,
    locate: Any = None,
) -> list[ResolutionChange]:
    """Cells whose outcome differs; `base`/`head` are None when absent or not loadable."""
    stats = stats or ImpactStats()
    base_ids = list(base.model.variables) if base else []
    head_ids = list(head.model.variables) if head else []
    ids = sorted(set(base_ids) | set(head_ids))
    base_eval = _evaluations(base, contexts)
    head_eval = _evaluations(head, contexts)
    changes: list[ResolutionChange] = []
    for vid in ids:
        in_base = base is not None and vid in base.model.variables
        in_head = head is not None and vid in head.model.variables
        if in_base and in_head:
            assert base is not None and head is not None
            if closure_digest(base.model, base_blobs, vid) == closure_digest(
                head.model, head_blobs, vid
            ):
                stats.skipped += 1
                continue
        stats.resolved += 1
        for name in contexts:
            stats.cells += 1
            before = outcome(base_eval[name], vid) if in_base else None
            after = outcome(head_eval[name], vid) if in_head else None
            if not same_outcome(before, after):
                path, line = locate(vid) if locate else (None, None)
                changes.append(ResolutionChange(vid, name, before, after, path, line))
    return changes
