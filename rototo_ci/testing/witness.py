"""Witness contexts chosen the way rototo alpha.4 `rototo fixtures` chooses them.

Upstream does not search: for each predicate it takes the first value from a short,
fixed list of candidates that gives the wanted outcome, and a qualifier's context is
the union of its predicates' contexts (none when two of them need different values at
the same path). Building contexts the same way lets us write the values upstream
writes and, above all, know which cases upstream writes at all: the synthesizer tries
this first and searches only when it finds nothing (a case upstream does not write).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from ..engine.model import NUMERIC_OPS, Predicate, Qualifier, Variable
from ..engine.resolve import bucket_of, strict_equal

BUCKET_CANDIDATES = 100_000
# values upstream tries for equality operators, after the predicate's value and a variant
_COMMON: list[Any] = ["fixture-other", "prod", "standard", True, False, 0, 1, 100]
# values it tries first when the value itself must be avoided (eq/in false, neq/not_in true)
_AVOIDING: list[Any] = ["fixture-other", "prod", "standard", 0, False]
_OUTSIDERS: list[Any] = ["fixture-other", "prod", False, 0]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    """Equality as upstream's witness choice sees it: numbers by value, the rest by kind."""
    if _number(a) and _number(b):
        return float(a) == float(b)
    return strict_equal(a, b)


def _holds(op: str, actual: Any, expected: Any) -> bool:
    if op == "eq":
        return _equal(actual, expected)
    if op == "neq":
        return not _equal(actual, expected)
    if op in ("in", "not_in"):
        if not isinstance(expected, list):
            return False
        inside = any(_equal(item, actual) for item in expected)
        return inside if op == "in" else not inside
    if op in NUMERIC_OPS:
        if not (_number(actual) and _number(expected)):
            return False
        a, b = float(actual), float(expected)
        return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]
    return False


def _variant(value: Any) -> Any:
    if isinstance(value, str):
        return f"fixture-not-{value}"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float) and math.isfinite(value + 1.0):
        return value + 1.0
    return "fixture-other"


def _candidates(op: str, expected: Any, want: bool) -> list[Any]:
    if op in NUMERIC_OPS:
        if isinstance(expected, bool) or not _number(expected):
            found: list[Any] = []
        elif isinstance(expected, int):
            found = [expected - 1, expected, expected + 1]
        else:
            found = [x for x in (expected - 1.0, expected, expected + 1.0) if math.isfinite(x)]
    elif op in ("in", "not_in"):
        found = []
        if isinstance(expected, list):
            outsider = next(
                (c for c in _OUTSIDERS if not any(_equal(item, c) for item in expected)),
                "fixture-other",
            )
            found = [*expected, outsider]
    else:
        found = [expected, _variant(expected), *_COMMON]
    avoid = (not want and op in ("eq", "in")) or (want and op in ("neq", "not_in"))
    return [*_AVOIDING, *found] if avoid else found


def bucket_witness(salt: str, start: int, end: int, want: bool) -> str | None:
    prefix = f"fixture-{_sanitize(salt)}-"
    for index in range(BUCKET_CANDIDATES):
        candidate = f"{prefix}{index:05d}"
        if (start <= bucket_of(salt, candidate) < end) == want:
            return candidate
    return None


def _sanitize(text: str) -> str:
    from .synthesize import sanitize_id

    return sanitize_id(text)


def merge(target: dict[str, Any], source: dict[str, Any]) -> bool:
    """Add source's paths to target; False when a path already holds a different value."""
    for key, value in source.items():
        if key not in target:
            target[key] = copy.deepcopy(value)
            continue
        existing = target[key]
        if isinstance(existing, dict) and isinstance(value, dict):
            if not merge(existing, value):
                return False
        elif not strict_equal(existing, value):
            return False
    return True


def _at_path(attribute: str, value: Any) -> dict[str, Any] | None:
    parts = attribute.split(".")
    if any(part == "" for part in parts):
        return None
    node: Any = value
    for part in reversed(parts):
        node = {part: node}
    return node  # type: ignore[no-any-return]


@dataclass
class WitnessBuilder:
    qualifiers: dict[str, Qualifier]
    _buckets: dict[tuple[str, int, int, bool], str | None] = field(default_factory=dict)

    def predicate(self, p: Predicate, want: bool, active: set[str]) -> dict[str, Any] | None:
        ref = p.qualifier_ref
        if ref is not None:
            outcome = next(
                (o for o in (False, True) if _holds(p.op, o, p.value) == want),
                None,
            )
            return None if outcome is None else self._qualifier(ref, outcome, active)
        if p.op == "bucket":
            if p.salt is None or not isinstance(p.value, list | tuple) or len(p.value) != 2:
                return None
            start, end = p.value
            key = (p.salt, start, end, want)
            if key not in self._buckets:
                self._buckets[key] = bucket_witness(p.salt, start, end, want)
            value: Any = self._buckets[key]
            if value is None:
                return None
        else:
            value = next(
                (c for c in _candidates(p.op, p.value, want) if _holds(p.op, c, p.value) == want),
                None,
            )
            if value is None:
                return None
        return _at_path(p.attribute, value)

    def qualifier(self, qualifier_id: str, want: bool) -> dict[str, Any] | None:
        return self._qualifier(qualifier_id, want, set())

    def false_at(self, qualifier_id: str, index: int) -> dict[str, Any] | None:
        """Predicate `index` false and every other predicate of the qualifier true."""
        return self._false_at(qualifier_id, index, set())

    def _qualifier(self, qualifier_id: str, want: bool, active: set[str]) -> dict[str, Any] | None:
        qualifier = self.qualifiers.get(qualifier_id)
        if qualifier is None:
            return None
        if not want:
            for p in qualifier.predicates:
                found = self._false_at(qualifier_id, p.index, active)
                if found is not None:
                    return found
            return None
        return self._combine(qualifier, None, active)

    def _false_at(self, qualifier_id: str, index: int, active: set[str]) -> dict[str, Any] | None:
        qualifier = self.qualifiers.get(qualifier_id)
        return None if qualifier is None else self._combine(qualifier, index, active)

    def _combine(
        self, qualifier: Qualifier, false_index: int | None, active: set[str]
    ) -> dict[str, Any] | None:
        if qualifier.id in active:
            return None  # a reference cycle has no witness
        active.add(qualifier.id)
        try:
            context: dict[str, Any] = {}
            for p in qualifier.predicates:
                part = self.predicate(p, p.index != false_index, active)
                if part is None or not merge(context, part):
                    return None
            return context
        finally:
            active.discard(qualifier.id)

    def variable_default(self, variable: Variable) -> dict[str, Any] | None:
        context: dict[str, Any] = {}
        for rule in variable.rules:
            part = self.qualifier(rule.qualifier, False)
            if part is None or not merge(context, part):
                return None
        return context

    def variable_rule_fallback(self, variable: Variable, position: int) -> dict[str, Any] | None:
        """Earlier rules' qualifiers false, this rule's true (when its own witness alone
        lets an earlier rule match or fails to resolve)."""
        context: dict[str, Any] = {}
        rule = variable.rules[position]
        for earlier in (r for r in variable.rules if r.index < rule.index):
            part = self.qualifier(earlier.qualifier, False)
            if part is None or not merge(context, part):
                return None
        part = self.qualifier(rule.qualifier, True)
        if part is None or not merge(context, part):
            return None
        return context
