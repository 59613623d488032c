"""Where a broken context broke: the change that introduced the failing rule or predicate.

A broken cell resolved on the base and fails on the head. On the head we walk the
variable's rules as resolution does, find the first rule whose qualifier fails, and
follow the failure down through `qualifier.<id>` references to the predicate whose
context attribute is missing. The annotation goes on the semantic change that
introduced that predicate, else the rule, else the context schema; failing that,
the variable's (or qualifier's) file.
"""

from __future__ import annotations

from typing import Any

from ..engine.documents import CONTEXT_SCHEMA
from ..engine.errors import RototoError
from ..engine.model import Model
from ..engine.resolve import Evaluation
from .report import Change

_MISSING = object()


def _has(context: Any, path: list[str]) -> bool:
    current = context
    for part in path:
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
    return True


def failing_chain(
    model: Model, evaluation: Evaluation, qualifier_id: str
) -> list[tuple[str, int | None]]:
    """(qualifier, predicate index) pairs from `qualifier_id` down to the failing predicate."""
    chain: list[tuple[str, int | None]] = []
    seen: set[str] = set()
    current: str | None = qualifier_id
    while current is not None and current not in seen:
        seen.add(current)
        qualifier = model.qualifiers.get(current)
        if qualifier is None:
            chain.append((current, None))
            break
        following: str | None = None
        found: int | None = None
        result = True
        for p in qualifier.predicates:
            ref = p.qualifier_ref
            if ref is not None:
                if not result:
                    continue
                if ref in evaluation.failures:
                    found, following = p.index, ref
                    break
                result = result and bool(evaluation.memo.get(ref, True))
                continue
            if not _has(evaluation.context, p.path):
                found = p.index
                break
        chain.append((current, found))
        current = following
    return chain


def _failing_rule(evaluation: Evaluation, variable_id: str) -> tuple[int, str] | None:
    compiled = evaluation.runtime.variables.get(variable_id)
    if compiled is None:
        return None
    for index, qualifier_id, _ in compiled.rules:
        try:
            if evaluation.qualifier(qualifier_id):
                return None
        except RototoError:
            return index, qualifier_id
    return None


def blame(
    model: Model,
    changes: list[Change],
    target_id: str,
    is_qualifier: bool,
    evaluation: Evaluation | RototoError,
) -> tuple[str | None, int | None]:
    """The workspace-relative path and 1-based line to annotate for a broken cell."""

    def find(kinds: tuple[str, ...], target: str, index: int | None = None) -> Change | None:
        for change in changes:
            if change.kind in kinds and change.target == target:
                if index is None or change.detail.get("index") == index:
                    return change
        return None

    fallback: tuple[str | None, int | None] = (None, 1)
    if is_qualifier:
        if target_id in model.qualifiers:
            fallback = (model.qualifiers[target_id].path, 1)
    elif target_id in model.variables:
        fallback = (model.variables[target_id].path, 1)
        first = next((c for c in changes if c.target == f"variable://{target_id}"), None)
        if first is not None:
            fallback = (first.path, first.line)
    if isinstance(evaluation, RototoError):  # the context itself no longer validates
        schema = find(("schema_changed",), f"schema://{CONTEXT_SCHEMA}")
        return (schema.path, schema.line) if schema else fallback
    candidates: list[Change | None] = []
    rule: tuple[int, str] | None = None
    if is_qualifier:
        start: str | None = target_id
    else:
        rule = _failing_rule(evaluation, target_id)
        start = rule[1] if rule else None
    if start is not None:
        chain = failing_chain(model, evaluation, start)
        for qualifier_id, index in reversed(chain):  # the innermost predicate first
            target = f"qualifier://{qualifier_id}"
            if index is not None:
                candidates.append(
                    find(
                        ("qualifier_predicate_added", "qualifier_predicate_changed"), target, index
                    )
                )
    if rule is not None:
        candidates.append(
            find(
                ("variable_rule_added", "variable_rule_changed"),
                f"variable://{target_id}",
                rule[0],
            )
        )
    if start is not None:
        candidates.extend(
            find(("qualifier_added",), f"qualifier://{qualifier_id}")
            for qualifier_id, _ in reversed(chain)
        )
    for change in candidates:
        if change is not None:
            return change.path, change.line
    return fallback
