"""Uncovered changes (SPEC §5 view 5): changes no declared context exercises.

For each changed default, value, rule or predicate whose variables show no resolution
change under the declared contexts, a bounded search over synthesized contexts (the
fixture synthesizer's cases for both sides, then combinations of the values the reached
predicates compare with) looks for a witness: a context where the
variable resolves differently on the two sides. Every witness is checked by resolving
both sides; `context` is None when the search finds none. `context_file` suggests
where to commit the witness (`contexts/<name>.json`) so a declared context covers it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from ..engine.errors import RototoError
from ..engine.model import Model
from ..engine.workspace import Workspace
from .report import Change, ResolutionChange, cell_kind
from .witness_names import witness_file_name

VARIABLE_KINDS = {
    "variable_default_changed",
    "variable_value_added",
    "variable_value_removed",
    "variable_value_changed",
    "variable_rule_added",
    "variable_rule_removed",
    "variable_rule_changed",
}
QUALIFIER_KINDS = {
    "qualifier_predicate_added",
    "qualifier_predicate_removed",
    "qualifier_predicate_changed",
}
MAX_CANDIDATES = 64  # contexts tried per changed variable


def _reached(model: Model, variable_id: str) -> set[str]:
    """The qualifiers a variable's rules reach, through `qualifier.<id>` references."""
    rules = model.variables[variable_id].rules
    return set(model.reached_qualifiers([rule.qualifier for rule in rules]))


def outcome(workspace: Workspace, variable_id: str, context: Any) -> dict[str, Any]:
    try:
        resolution = workspace.resolve_variable(variable_id, context)
    except RototoError as error:
        return {"error": str(error)}
    return {"value_key": resolution.value_key, "value": resolution.value}


def differs(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Outcomes as `rototo diff` compares them: an error on both sides is no change."""
    return cell_kind(before, after) is not None


def _candidates(
    sides: list[Workspace], variable_id: str, qualifier_id: str | None
) -> list[dict[str, Any]]:
    from ..testing.synthesize import Synthesizer

    found: list[dict[str, Any]] = []
    for workspace in sides:
        synthesizer = Synthesizer(workspace)
        fixtures = []
        if variable_id in workspace.model.variables:
            fixtures.append(synthesizer.variable_fixture(variable_id)[0])
        if qualifier_id is not None and qualifier_id in workspace.model.qualifiers:
            fixtures.append(synthesizer.qualifier_fixture(qualifier_id)[0])
        for fixture in fixtures:
            for case in fixture.cases:
                if case.context not in found:
                    found.append(copy.deepcopy(case.context))
    return found[:MAX_CANDIDATES]


def find_witness(
    base: Workspace, head: Workspace, variable_id: str, qualifier_id: str | None = None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None:
    """(context, before, after) for a context where the variable resolves differently:
    first the synthesizer's cases for both sides, then the lattice of values the reached
    predicates compare with (`witness_search`)."""
    for context in _witness_candidates(base, head, variable_id, qualifier_id):
        before = outcome(base, variable_id, context)
        after = outcome(head, variable_id, context)
        if differs(before, after):
            return context, before, after
    return None


def _witness_candidates(
    base: Workspace, head: Workspace, variable_id: str, qualifier_id: str | None
) -> Iterator[dict[str, Any]]:
    """The synthesizer's cases, then (only when none of them is a witness) the lattice
    contexts not tried already."""
    from .witness_search import attribute_values, lattice_contexts

    tried = _candidates([head, base], variable_id, qualifier_id)
    yield from tried
    reached = _reached(head.model, variable_id) | _reached(base.model, variable_id)
    if qualifier_id is not None:
        reached.add(qualifier_id)
    values = attribute_values([head.model, base.model], reached)
    for context in lattice_contexts(values, variable_id):
        if context not in tried:
            yield context


def _set_missing(context: dict[str, Any], path: str, value: Any) -> None:
    node = context
    parts = path.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return  # the context holds a value where the path needs an object
        node = child
    node.setdefault(parts[-1], value)


def whole_request(
    base: Workspace,
    head: Workspace,
    variable_id: str,
    found: tuple[Any, Any, Any],
    values: dict[str, list[Any]] | None = None,
) -> tuple[Any, Any, Any]:
    """The witness as a whole request, fit to commit as `contexts/<name>.json`.

    A witness names only the attributes its variable reads, but a declared context is
    judged on every variable (SPEC §2): each attribute the head's other qualifiers read
    gets a value (of a type the context schema allows), so the other variables resolve
    too. The variable's own outcome on both sides is checked to be unchanged.
    """
    from .witness_search import attribute_values

    context, before, after = found
    if values is None:  # (the same for every witness of a head: callers pass it once)
        values = attribute_values([head.model], set(head.model.qualifiers))
    whole = copy.deepcopy(context)
    for path in sorted(values):
        _set_missing(whole, path, values[path][0])
    if whole == context:
        return found
    new_before, new_after = outcome(base, variable_id, whole), outcome(head, variable_id, whole)
    if differs(new_before, before) or differs(new_after, after):
        return found
    return whole, new_before, new_after


def uncovered_changes(
    base: Workspace | None,
    head: Workspace | None,
    changes: list[Change],
    resolutions: list[ResolutionChange],
) -> list[dict[str, Any]]:
    """One entry per (change, variable) no declared context shows a difference for."""
    if base is None or head is None:
        return []
    moved = {cell.variable for cell in resolutions if not cell.qualifier}
    shared = [v for v in head.model.variables if v in base.model.variables and v not in moved]
    found: list[dict[str, Any]] = []
    head_values: dict[str, list[Any]] | None = None  # what whole requests fill in
    for change in changes:
        if change.kind in VARIABLE_KINDS and change.target.startswith("variable://"):
            targets = [(change.target[len("variable://") :], None)]
        elif change.kind in QUALIFIER_KINDS and change.target.startswith("qualifier://"):
            qualifier_id = change.target[len("qualifier://") :]
            targets = [
                (v, qualifier_id)
                for v in shared
                if qualifier_id in _reached(head.model, v) | _reached(base.model, v)
            ]
        else:
            continue
        for variable_id, via in targets:
            if variable_id not in shared:
                continue
            witness = find_witness(base, head, variable_id, via)
            if witness is not None:
                if head_values is None:
                    from .witness_search import attribute_values

                    head_values = attribute_values([head.model], set(head.model.qualifiers))
                witness = whole_request(base, head, variable_id, witness, head_values)
            context, before, after = witness if witness else (None, None, None)
            found.append(
                {
                    "target": change.target,
                    "path": change.path,
                    "line": change.line,
                    "variable": variable_id,
                    "context": context,
                    "context_file": (
                        None if context is None else witness_file_name(variable_id, context)
                    ),
                    "before": before,
                    "after": after,
                }
            )
    return found
