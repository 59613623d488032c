"""Witness values as upstream alpha.4 `rototo fixtures` picks them, derived by hand.

Its rule, in short: try a fixed list of candidates in order and keep the first that
gives the wanted outcome. Comparisons try the value one below, the value, one above;
`in`/`not_in` try the listed items, then the first of fixture-other, prod, false, 0 not
listed; equality tries the value, a variant of it, then a few common values; and when
the value itself must be avoided (eq or in false, neq or not_in true) fixture-other,
prod, standard, 0 and false come first.
"""

from __future__ import annotations

from typing import Any

import pytest

from rototo_ci.engine.model import Predicate, Qualifier
from rototo_ci.engine.resolve import bucket_of
from rototo_ci.testing.witness import WitnessBuilder, bucket_witness


def _p(op: str, value: Any, attribute: str = "a", index: int = 0) -> Predicate:
    return Predicate(index, attribute, op, value)


def _q(qid: str, *predicates: Predicate) -> Qualifier:
    return Qualifier(qid, None, None, list(predicates))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("op", "value", "want", "expected"),
    [
        ("eq", "x", True, "x"),
        ("eq", "x", False, "fixture-other"),
        ("eq", "fixture-other", False, "prod"),
        ("eq", 5, False, "fixture-other"),
        ("eq", True, True, True),
        ("neq", "a", True, "fixture-other"),
        ("neq", "fixture-other", True, "prod"),
        ("neq", "a", False, "a"),
        ("in", ["a", "b"], True, "a"),
        ("in", ["a", "b"], False, "fixture-other"),
        ("in", ["fixture-other", "prod"], False, "standard"),
        ("in", [1.0], True, 1.0),
        ("not_in", ["a"], True, "fixture-other"),
        ("not_in", ["a"], False, "a"),
        ("not_in", ["fixture-other", "prod", False], True, "standard"),
        ("not_in", ["fixture-other", "prod", "standard", False], False, "fixture-other"),
        ("gt", 10, True, 11),
        ("gt", 10, False, 9),
        ("gte", 10, True, 10),
        ("gte", 10, False, 9),
        ("lt", 10, True, 9),
        ("lt", 10, False, 10),
        ("lte", 10, True, 9),
        ("lte", 10, False, 11),
        ("gt", 2.5, True, 3.5),
        ("lt", 2.5, False, 2.5),
        ("gt", "x", True, None),
    ],
)
def test_predicate_witness(op: str, value: Any, want: bool, expected: Any) -> None:
    found = WitnessBuilder({}).predicate(_p(op, value), want, set())
    if expected is None:
        assert found is None
    else:
        assert found == {"a": expected}
        assert type(found["a"]) is type(expected)


def test_values_merge_or_the_case_is_not_written() -> None:
    both = _q("both", _p("eq", "a", "plan", 0), _p("neq", "b", "plan", 1))
    nested = _q("nested", _p("eq", True, "qualifier.both", 0), _p("gte", 3, "account.seats", 1))
    builder = WitnessBuilder({"both": both, "nested": nested})
    # "a" for the first, fixture-other for the second: they clash at one path
    assert builder.qualifier("both", True) is None
    assert builder.false_at("both", 0) == {"plan": "fixture-other"}
    assert builder.false_at("both", 1) is None
    # false: the first predicate that can be made false with the others true
    assert builder.qualifier("both", False) == {"plan": "fixture-other"}
    assert builder.qualifier("nested", True) is None
    assert builder.false_at("nested", 0) == {"plan": "fixture-other", "account": {"seats": 3}}


def test_references_and_cycles() -> None:
    base = _q("base", _p("eq", "x", "k", 0))
    ref = _q("ref", _p("neq", True, "qualifier.base", 0))
    loop_a = _q("loop-a", _p("eq", True, "qualifier.loop-b", 0))
    loop_b = _q("loop-b", _p("eq", True, "qualifier.loop-a", 0))
    builder = WitnessBuilder({"base": base, "ref": ref, "loop-a": loop_a, "loop-b": loop_b})
    # `neq true` holds when base is false
    assert builder.qualifier("ref", True) == {"k": "fixture-other"}
    assert builder.qualifier("ref", False) == {"k": "x"}
    assert builder.qualifier("loop-a", True) is None


def test_bucket_witness_strings() -> None:
    inside = bucket_witness("s_1", 0, 100, True)
    outside = bucket_witness("s_1", 0, 100, False)
    assert inside is not None and inside.startswith("fixture-s-1-")
    assert outside == "fixture-s-1-00000" and bucket_of("s_1", outside) >= 100
    index = int(inside.rsplit("-", 1)[1])
    assert bucket_of("s_1", inside) < 100
    assert all(bucket_of("s_1", f"fixture-s-1-{i:05d}") >= 100 for i in range(index))
    assert bucket_witness("s", 0, 0, True) is None  # an empty range has no inside
