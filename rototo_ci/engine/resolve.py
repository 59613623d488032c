"""Qualifier and variable evaluation, traces and the bucket hash.

Semantics, as the rototo engine behaves:
* a qualifier is the AND of its predicates, in file order; every context path
  is read (a missing one fails resolution) but a `qualifier.<id>` reference is
  not evaluated once an earlier predicate was false;
* a variable takes the first rule whose qualifier is true, else the default;
* at the top level numbers compare by exact numeric value (1 == 1.0); inside
  lists and objects values compare strictly (1 != 1.0), as JSON documents do;
* gt/gte/lt/lte are false unless the context value is a number;
* bucket = FNV-1a 64 of UTF-8 `salt + ":" + canonical(value)` modulo 10000.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import ResolutionError
from .model import Model, Predicate, Qualifier, Variable

FNV_OFFSET = 14695981039346656037
FNV_PRIME = 1099511628211
MASK64 = 0xFFFFFFFFFFFFFFFF
BUCKETS = 10_000

_MISSING = object()


def fnv1a64(data: bytes) -> int:
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK64
    return h


def canonical(value: Any) -> str:
    """The text a bucket hashes: strings as they are, anything else as compact JSON
    written as the rototo engine writes it (sorted keys, floats in its shortest form)."""
    if isinstance(value, str):
        return value
    return _compact_json(value)


def json_float(number: float) -> str:
    """A finite float as the rototo engine writes it: `1e-6`, `0.00001`, `1e+16`, `1.0`
    (shortest digits; decimal notation from 1e-5 up to 1e16, else an exponent)."""
    if number == 0:
        return "-0.0" if math.copysign(1.0, number) < 0 else "0.0"
    sign = "-" if number < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(str(d) for d in digit_tuple)
    assert isinstance(exponent, int)
    length = len(digits)
    point = length + exponent  # 10^(point-1) <= |number| < 10^point
    if 0 <= exponent and point <= 16:
        text = digits + "0" * exponent + ".0"
    elif 0 < point <= 16:
        text = digits[:point] + "." + digits[point:]
    elif -5 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        mantissa = digits if length == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{point - 1:+d}" if point > 1 else f"{mantissa}e{point - 1}"
    return sign + text


def _compact_json(value: Any) -> str:
    if isinstance(value, float):
        return json_float(value)
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{_compact_json(k)}:{_compact_json(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compact_json(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def bucket_of(salt: str, value: Any) -> int:
    return fnv1a64(f"{salt}:{canonical(value)}".encode()) % BUCKETS


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def strict_equal(left: Any, right: Any) -> bool:
    """JSON equality where integers and floats are different kinds of number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int) and isinstance(right, int):
        return left == right
    if isinstance(left, float) and isinstance(right, float):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            strict_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(strict_equal(left[k], right[k]) for k in left)
    return False


_I64_MIN, _I64_MAX, _U64_MAX = -(2**63), 2**63 - 1, 2**64 - 1


def _as_float(number: Any) -> float | None:
    """A number as the floating-point value it is compared by, or None when an integer
    does not survive the round trip through a float. The round trip saturates at the
    64-bit bounds as the rototo engine's casts do, so 2**63 - 1 (which becomes 2**63)
    still counts as exact while 2**53 + 1 does not."""
    if isinstance(number, float):
        return number
    as_float = float(number)
    low, high = (_I64_MIN, _I64_MAX) if _I64_MIN <= number <= _I64_MAX else (0, _U64_MAX)
    back = min(max(int(as_float), low), high)
    return as_float if back == number else None


def _number_pair(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Two numbers as the rototo engine compares them: integers exactly, anything else as
    floating point; None when an integer is not exact as a float (nothing holds then)."""
    if isinstance(left, int) and isinstance(right, int):
        return left, right
    a, b = _as_float(left), _as_float(right)
    if a is None or b is None:
        return None
    return a, b


def json_equal(left: Any, right: Any) -> bool:
    """Top-level predicate equality: numbers by value (see _number_pair), else strictly."""
    if _is_number(left) and _is_number(right):
        pair = _number_pair(left, right)
        return pair is not None and bool(pair[0] == pair[1])
    return strict_equal(left, right)


# -- traces -----------------------------------------------------------------


@dataclass
class PredicateTrace:
    index: int
    kind: str  # "compare" | "bucket"
    attribute: str
    result: bool
    op: str | None = None
    expected: Any = None
    actual: Any = None
    qualifier: str | None = None
    bucket: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"index": self.index, "kind": self.kind, "attribute": self.attribute}
        if self.kind == "bucket":
            data["bucket"] = self.bucket
        else:
            data["op"] = self.op
            data["expected"] = self.expected
            data["actual"] = self.actual
            if self.qualifier is not None:
                data["qualifier"] = self.qualifier
        data["result"] = self.result
        return data


@dataclass
class QualifierTrace:
    id: str
    value: bool
    predicates: list[PredicateTrace] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "value": self.value,
            "predicates": [p.to_json() for p in self.predicates],
        }


@dataclass
class RuleTrace:
    index: int
    qualifier: str
    value: str
    matched: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "qualifier": self.qualifier,
            "value": self.value,
            "matched": self.matched,
        }


@dataclass(frozen=True)
class VariableResolution:
    id: str
    value_key: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "value_key": self.value_key, "value": self.value}


@dataclass(frozen=True)
class QualifierResolution:
    id: str
    value: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "value": self.value}


@dataclass
class VariableTrace:
    resolution: VariableResolution
    default_value: str
    rules: list[RuleTrace]
    qualifier_traces: list[QualifierTrace]

    def to_json(self) -> dict[str, Any]:
        return {
            "resolution": self.resolution.to_json(),
            "default_value": self.default_value,
            "rules": [r.to_json() for r in self.rules],
            "qualifier_traces": [q.to_json() for q in self.qualifier_traces],
        }


# -- compiled runtime -------------------------------------------------------

Compare = Callable[[Any], bool]


def _ordering(test: Callable[[Any, Any], bool], expected: Any) -> Compare:
    def compare(actual: Any) -> bool:
        if not _is_number(actual):
            return False
        pair = _number_pair(actual, expected)
        return pair is not None and test(*pair)

    return compare


def _compile_plain(op: str, expected: Any) -> Compare | None:
    """`compile_compare` for expected strings and booleans, where `json_equal` reduces to
    one type test and `==` (a string equals only a string, a boolean only a boolean);
    None for anything else."""
    if op in ("eq", "neq") and type(expected) in (str, bool):
        kind = type(expected)
        if op == "eq":
            return lambda actual: isinstance(actual, kind) and actual == expected
        return lambda actual: not (isinstance(actual, kind) and actual == expected)
    if op in ("in", "not_in") and isinstance(expected, list) and expected:
        if all(type(item) is str for item in expected):
            strings = frozenset(expected)
            if op == "in":
                return lambda actual: isinstance(actual, str) and actual in strings
            return lambda actual: not (isinstance(actual, str) and actual in strings)
    return None


def compile_compare(op: str, expected: Any) -> Compare:
    """The test a predicate applies to the value it reads."""
    plain = _compile_plain(op, expected)
    return plain if plain is not None else compile_compare_general(op, expected)


def compile_compare_general(op: str, expected: Any) -> Compare:
    if op == "eq":
        return lambda actual: json_equal(actual, expected)
    if op == "neq":
        return lambda actual: not json_equal(actual, expected)
    if op == "in":
        return lambda actual: any(json_equal(actual, item) for item in expected)
    if op == "not_in":
        return lambda actual: not any(json_equal(actual, item) for item in expected)
    if op == "gt":
        return _ordering(lambda a, b: a > b, expected)
    if op == "gte":
        return _ordering(lambda a, b: a >= b, expected)
    if op == "lt":
        return _ordering(lambda a, b: a < b, expected)
    if op == "lte":
        return _ordering(lambda a, b: a <= b, expected)
    raise ValueError(f"unknown operator {op}")


@dataclass
class CompiledPredicate:
    source: Predicate
    path: tuple[str, ...]
    qualifier_ref: str | None
    compare: Compare | None
    salt: str | None
    start: int
    end: int


@dataclass
class CompiledQualifier:
    id: str
    predicates: list[CompiledPredicate]


@dataclass
class CompiledVariable:
    id: str
    default: str
    rules: list[tuple[int, str, str]]
    values: dict[str, Any]


class Runtime:
    """A lint-clean model compiled for resolution: predicates built once."""

    def __init__(self, model: Model, resource_values: dict[str, dict[str, Any]]) -> None:
        self.qualifiers: dict[str, CompiledQualifier] = {
            q.id: self._compile_qualifier(q) for q in model.qualifiers.values()
        }
        self.variables: dict[str, CompiledVariable] = {}
        for variable in model.variables.values():
            self.variables[variable.id] = self._compile_variable(variable, resource_values)

    @staticmethod
    def _compile_qualifier(qualifier: Qualifier) -> CompiledQualifier:
        compiled = []
        for p in qualifier.predicates:
            if p.op == "bucket":
                start, end = p.value
                compiled.append(
                    CompiledPredicate(p, tuple(p.path), p.qualifier_ref, None, p.salt, start, end)
                )
            else:
                compiled.append(
                    CompiledPredicate(
                        p,
                        tuple(p.path),
                        p.qualifier_ref,
                        compile_compare(p.op, p.value),
                        None,
                        0,
                        0,
                    )
                )
        return CompiledQualifier(qualifier.id, compiled)

    @staticmethod
    def _compile_variable(
        variable: Variable, resource_values: dict[str, dict[str, Any]]
    ) -> CompiledVariable:
        if variable.resource is not None:
            values = resource_values.get(variable.resource, {})
        else:
            values = variable.values or {}
        assert variable.default is not None
        return CompiledVariable(
            variable.id,
            variable.default,
            [(rule.index, rule.qualifier, rule.value) for rule in variable.rules],
            values,
        )


class Evaluation:
    """Resolution for one context; qualifier results are memoized."""

    def __init__(self, runtime: Runtime, context: dict[str, Any], trace: bool = False) -> None:
        self.runtime = runtime
        self.context = context
        self.trace = trace
        self.memo: dict[str, bool] = {}
        self.traces: dict[str, QualifierTrace] = {}
        self.failures: dict[str, ResolutionError] = {}
        # the qualifiers being evaluated, in order (a dict: constant-time membership on long chains)
        self._active: dict[str, None] = {}
        # another evaluation of the same context whose values this one may reuse, for the
        # qualifiers in `_shared` (byte-identical closures on both sides of a diff)
        self._peer: Evaluation | None = None
        self._shared: frozenset[str] = frozenset()

    def share_with(self, peer: Evaluation, qualifier_ids: frozenset[str]) -> None:
        """Reuse `peer`'s values for these qualifiers: the caller vouches that they, and
        everything they read, are byte-identical on both sides and the context is the same.
        Only values are taken, never failures, so every error message stays this side's own."""
        if self.trace or peer.trace:
            return  # a trace needs this side's own predicate records
        if qualifier_ids.issuperset(self.runtime.qualifiers) and qualifier_ids.issuperset(
            peer.runtime.qualifiers
        ):
            # every qualifier is shared: one memo for both (values only; failures stay apart)
            if not self.memo:
                self.memo = peer.memo
            elif not peer.memo:
                peer.memo = self.memo
            if self.memo is peer.memo:
                return
        self._peer = peer
        self._shared = qualifier_ids

    @staticmethod
    def _missing(path: tuple[str, ...], qualifier_id: str) -> ResolutionError:
        return ResolutionError(
            f"missing resolve context attribute: {'.'.join(path)} required by "
            f"qualifier://{qualifier_id}"
        )

    def qualifier(self, qualifier_id: str) -> bool:
        """The qualifier's value in this context; its failure raised as ResolutionError.

        Iterative: a chain of qualifiers that read one another is walked with a stack of
        its own, so its length never meets Python's recursion limit.
        """
        memo = self.memo
        cached = memo.get(qualifier_id)
        if cached is not None:
            return cached
        started = self._start(qualifier_id)
        if isinstance(started, bool):
            return started
        compiled = started
        # the qualifier being evaluated: its predicates, the next one, the AND so far, its
        # traces; those that wait for a qualifier they read are suspended on a stack
        predicates, index, result = compiled.predicates, 0, True
        traces: list[PredicateTrace] | None = [] if self.trace else None
        suspended: list[tuple[CompiledQualifier, int, bool, list[PredicateTrace] | None]] | None
        suspended = None
        leaf = self._leaf
        try:
            while True:
                count = len(predicates)
                while index < count:
                    p = predicates[index]
                    ref = p.qualifier_ref
                    if ref is None:  # every context path is read, even after a false one
                        result = leaf(compiled, p, traces) and result
                    elif result:  # a reference is not evaluated once the AND is false
                        found: bool | CompiledQualifier | None = memo.get(ref)
                        if found is None:
                            found = self._start(ref)
                            if isinstance(found, CompiledQualifier):  # evaluate it first
                                if suspended is None:
                                    suspended = []
                                suspended.append((compiled, index, result, traces))
                                compiled = found
                                predicates, index, result = compiled.predicates, 0, True
                                traces = [] if self.trace else None
                                break
                        result = self._test(p, found, traces) and result
                    index += 1
                else:  # every predicate read: the qualifier's value is known
                    self._active.popitem()
                    if traces is not None:
                        self.traces[compiled.id] = QualifierTrace(compiled.id, result, traces)
                    memo[compiled.id] = value = result
                    if not suspended:
                        return value
                    compiled, index, result, traces = suspended.pop()
                    predicates = compiled.predicates
                    result = self._test(predicates[index], value, traces) and result
                    index += 1
        except BaseException as error:
            # each qualifier on the way fails with it, innermost first
            for waiting in [compiled, *(frame[0] for frame in reversed(suspended or []))]:
                if isinstance(error, ResolutionError):
                    self.failures[waiting.id] = error
                self._active.popitem()
            raise

    def _start(self, qualifier_id: str) -> bool | CompiledQualifier:
        """The value of a qualifier not in the memo when known, else its compiled form,
        marked as active."""
        failure = self.failures.get(qualifier_id)
        if failure is not None:
            # the stored failure again, its last traceback dropped: raised as it is, each
            # raise would add its frames to the one before (the frames a traceback holds
            # stay alive), memory growing with every qualifier that reads a failing one
            raise failure.with_traceback(None)
        peer = self._peer
        if peer is not None and qualifier_id in self._shared:
            cached = peer.memo.get(qualifier_id)
            if cached is not None:
                self.memo[qualifier_id] = cached
                return cached
        compiled = self.runtime.qualifiers.get(qualifier_id)
        if compiled is None:
            raise ResolutionError(f"qualifier not found: qualifier://{qualifier_id}")
        if qualifier_id in self._active:
            active = list(self._active)
            cycle = " -> ".join([*active[active.index(qualifier_id) :], qualifier_id])
            raise ResolutionError(f"qualifier cycle: {cycle}")
        self._active[qualifier_id] = None
        return compiled

    def _leaf(
        self, compiled: CompiledQualifier, p: CompiledPredicate, traces: list[PredicateTrace] | None
    ) -> bool:
        """A predicate on the context: the value it reads, tested."""
        current: Any = self.context
        for part in p.path:  # inline, not a helper call: the hottest loop of a resolution
            if not isinstance(current, dict):
                current = _MISSING
                break
            current = current.get(part, _MISSING)
            if current is _MISSING:
                break
        if current is _MISSING:
            raise self._missing(p.path, compiled.id)
        if traces is None and p.compare is not None:
            return p.compare(current)
        return self._test(p, current, traces)

    def _test(self, p: CompiledPredicate, actual: Any, traces: list[PredicateTrace] | None) -> bool:
        """One predicate's result for the value it reads (recorded when tracing)."""
        if p.compare is not None:
            ok = p.compare(actual)
            if traces is not None:
                traces.append(
                    PredicateTrace(
                        p.source.index,
                        "compare",
                        p.source.attribute,
                        ok,
                        op=p.source.op,
                        expected=p.source.value,
                        actual=actual,
                        qualifier=p.qualifier_ref,
                    )
                )
            return ok
        assert p.salt is not None
        bucket = bucket_of(p.salt, actual)
        ok = p.start <= bucket < p.end
        if traces is not None:
            traces.append(
                PredicateTrace(
                    p.source.index,
                    "bucket",
                    p.source.attribute,
                    ok,
                    bucket={"salt": p.salt, "start": p.start, "end": p.end, "value": bucket},
                )
            )
        return ok

    def variable(self, variable_id: str) -> tuple[VariableResolution, list[RuleTrace]]:
        compiled = self.runtime.variables.get(variable_id)
        if compiled is None:
            raise ResolutionError(f"variable not found: variable://{variable_id}")
        rules: list[RuleTrace] = []
        selected = compiled.default
        for index, qualifier_id, value_key in compiled.rules:
            matched = self.qualifier(qualifier_id)
            rules.append(RuleTrace(index, qualifier_id, value_key, matched))
            if matched:
                selected = value_key
                break
        if selected not in compiled.values:
            raise ResolutionError(f"variable://{variable_id} selects unknown value: {selected}")
        return VariableResolution(variable_id, selected, compiled.values[selected]), rules

    def selection(self, variable_id: str) -> tuple[str, Any]:
        """(value key, value) as `variable` selects them, without building rule traces."""
        compiled = self.runtime.variables.get(variable_id)
        if compiled is None:
            raise ResolutionError(f"variable not found: variable://{variable_id}")
        selected = compiled.default
        memo = self.memo
        for _, qualifier_id, value_key in compiled.rules:
            matched = memo.get(qualifier_id)
            if matched is None:
                matched = self.qualifier(qualifier_id)
            if matched:
                selected = value_key
                break
        if selected not in compiled.values:
            raise ResolutionError(f"variable://{variable_id} selects unknown value: {selected}")
        return selected, compiled.values[selected]

    def qualifier_traces_for(self, ids: list[str]) -> list[QualifierTrace]:
        """Traces of the given qualifiers and every qualifier they reached, in first-seen order."""
        ordered: list[str] = []
        seen: set[str] = set()
        pending = list(reversed(ids))  # depth first, in order: a stack, not recursion
        while pending:
            qualifier_id = pending.pop()
            if qualifier_id in seen or qualifier_id not in self.traces:
                continue
            seen.add(qualifier_id)
            ordered.append(qualifier_id)
            trace = self.traces[qualifier_id]
            reads = [p.qualifier for p in trace.predicates if p.qualifier is not None]
            pending.extend(reversed(reads))
        return [self.traces[q] for q in ordered]
