"""The second stage of the witness search: contexts from the values predicates compare with.

The fixture synthesizer's cases aim at one rule or qualifier outcome each and may find
none (an unsatisfiable combination, a bucket range it cannot hit). When they show no
difference, the search tries the lattice of values the reached predicates mention: for
every attribute, the values that make each of its predicates true and false (the value
itself and a neighbour, each member of a list and an outsider, numbers on both sides of
a bound, a unit inside and outside a bucket range). Combinations are enumerated when
few, else sampled with a generator seeded by the variable id, so a run is repeatable;
the number of contexts tried is bounded.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import zlib
from collections.abc import Iterator
from typing import Any

from ..engine.model import Model, Predicate

MAX_LATTICE = 192  # contexts tried per (change, variable) in this stage
NUMERIC = ("gt", "gte", "lt", "lte")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _neighbour(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float) and math.isfinite(value):
        return math.nextafter(value, math.inf if value < 1e300 else -math.inf)
    if isinstance(value, str):
        return f"witness-not-{value}"
    return "witness-other"


def _bucket_values(
    predicate: Predicate, types: set[str] | None, cache: dict[Any, Any]
) -> list[Any]:
    """A unit inside and one outside the bucket range, of a type the schema allows."""
    from ..engine.resolve import bucket_of
    from ..testing.witness import bucket_witness

    bounds = predicate.value  # the range (start, end); `start`/`end` are source offsets
    if not (isinstance(bounds, tuple | list) and len(bounds) == 2 and all(map(_number, bounds))):
        return []
    salt, start, end = predicate.salt or "", int(bounds[0]), int(bounds[1])
    found = []
    for want in (True, False):
        key = (salt, start, end, want, bool(types and "string" not in types))
        if key not in cache:
            if types and "string" not in types and types & {"integer", "number"}:
                cache[key] = next(
                    (n for n in range(20_000) if (start <= bucket_of(salt, n) < end) == want),
                    None,
                )
            else:
                cache[key] = bucket_witness(salt, start, end, want)
        if cache[key] is not None:
            found.append(cache[key])
    return found


def _values(predicate: Predicate, types: set[str] | None, cache: dict[Any, Any]) -> list[Any]:
    """Values of the predicate's attribute that make it true and that make it false."""
    op, value = predicate.op, predicate.value
    if op == "bucket":
        return _bucket_values(predicate, types, cache)
    if op in NUMERIC:
        if not _number(value):
            return []
        if isinstance(value, int):
            return [value - 1, value, value + 1]
        if not math.isfinite(value):
            return [value]
        # both sides of the bound, also where ±1 is lost to rounding, and the integers
        # around it (an attribute the context schema types as an integer)
        near = [math.nextafter(value, -math.inf), value, math.nextafter(value, math.inf)]
        whole = [math.floor(value) - 1, math.floor(value), math.ceil(value), math.ceil(value) + 1]
        return [v for v in (*near, value - 1.0, value + 1.0) if math.isfinite(v)] + whole
    if op in ("in", "not_in"):
        members = list(value) if isinstance(value, list) else []
        outsiders = [v for v in _OUTSIDERS if not any(_same(v, m) for m in members)]
        return [*members, *outsiders]
    return [value, _neighbour(value), *_OUTSIDERS]


# one value of each kind that is no member (the schema keeps those of the right kind)
_OUTSIDERS: list[Any] = ["witness-other", 0, 1, 0.5, False]


def _same(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return bool(a == b)
    return type(a) is type(b) and a == b


_TYPE_OF = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
_FILLERS = {
    "boolean": [True, False],
    "integer": [0, 1],
    "number": [0, 1.5],
    "string": ["witness-other"],
}


def _schema_node(schema: Any, path: list[str]) -> dict[str, Any] | None:
    node = schema
    for part in path:
        if not isinstance(node, dict):
            return None
        properties = node.get("properties")
        if not isinstance(properties, dict) or not isinstance(properties.get(part), dict):
            return None
        node = properties[part]
    return node if isinstance(node, dict) else None


def _allowed(schema: Any, path: list[str]) -> tuple[set[str] | None, list[Any] | None]:
    """(types, enum) the context schema declares for a path; None where it says nothing."""
    node = _schema_node(schema, path)
    if node is None:
        return None, None
    declared = node.get("type")
    types = {declared} if isinstance(declared, str) else None
    if isinstance(declared, list) and all(isinstance(t, str) for t in declared):
        types = set(declared)
    enum = node.get("enum")
    return types, (list(enum)[:16] if isinstance(enum, list) and enum else None)


def _fits(value: Any, types: set[str] | None) -> bool:
    if types is None:
        return True
    kind = _TYPE_OF.get(type(value), "object" if isinstance(value, dict) else "null")
    return kind in types or (kind == "integer" and "number" in types)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str) + type(value).__name__


def attribute_values(models: list[Model], qualifiers: set[str]) -> dict[str, list[Any]]:
    """Candidate values per attribute path read by the given qualifiers (both sides),
    kept to what the context schema allows there (the head's schema: the side judged)."""
    cache: dict[Any, Any] = {}
    found: dict[str, dict[str, Any]] = {}
    schema = models[0].context_schema
    schema_value = schema.value if schema is not None and schema.valid else None
    for model in models:
        for qualifier_id in sorted(qualifiers):
            qualifier = model.qualifiers.get(qualifier_id)
            if qualifier is None:
                continue
            for predicate in qualifier.predicates:
                if predicate.qualifier_ref or any(part == "" for part in predicate.path):
                    continue
                types, enum = _allowed(schema_value, predicate.path)
                values = found.setdefault(predicate.attribute, {})
                for value in enum or []:
                    values.setdefault(_key(value), value)
                for value in _values(predicate, types, cache):
                    if enum is None and _fits(value, types):
                        values.setdefault(_key(value), value)
                if not values and types:
                    for kind in sorted(types):
                        for value in _FILLERS.get(kind, []):
                            values.setdefault(_key(value), value)
    return {path: list(values.values()) for path, values in found.items() if values}


def _context(choice: dict[str, Any]) -> dict[str, Any] | None:
    context: dict[str, Any] = {}
    for path, value in choice.items():
        node = context
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return None  # one attribute is a prefix of another: no such context
            node = child
        if parts[-1] in node:
            return None
        node[parts[-1]] = value
    return context


def lattice_contexts(values: dict[str, list[Any]], seed_text: str) -> Iterator[dict[str, Any]]:
    """At most MAX_LATTICE contexts combining the candidate values (repeatable)."""
    paths = sorted(values)
    if not paths:
        return
    size = math.prod(len(values[p]) for p in paths)
    if size <= MAX_LATTICE:
        combos: Iterator[tuple[Any, ...]] = itertools.product(*(values[p] for p in paths))
    else:
        rng = random.Random(zlib.crc32(seed_text.encode("utf-8", "surrogatepass")))
        combos = (tuple(rng.choice(values[p]) for p in paths) for _ in range(MAX_LATTICE))
    for combo in combos:
        context = _context(dict(zip(paths, combo, strict=True)))
        if context is not None:
            yield context
