"""Predicates on strings and booleans take a shorter test: the same verdict as the general
comparison for every kind of value a context can hold."""

from __future__ import annotations

import itertools
import random

from rototo_ci.engine.resolve import compile_compare, compile_compare_general

_ACTUALS = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    0.0,
    -0.0,
    float("nan"),
    2**53 + 1,
    2**64,
    "",
    "a",
    "b",
    "A",
    "1",
    "true",
    "True",
    "é",
    "a\\u0000",
    "ü" * 3,
    [],
    ["a"],
    [1],
    {},
    {"a": "a"},
    [True],
    ["a", "b"],
]
_STRINGS = ["", "a", "b", "1", "true", "é", "a\\u0000"]


def _expected(rng: random.Random) -> list[object]:
    values: list[object] = [*_STRINGS, True, False, 1, 1.0, None, ["a"]]
    for _ in range(40):
        values.append(rng.sample(_STRINGS, rng.randint(1, 4)))  # lists of strings
        values.append([rng.choice(_STRINGS), rng.choice([1, True, None, 1.0, "x"])])  # mixed
    return values


def test_fast_paths_agree_with_the_general_comparison() -> None:
    rng = random.Random(7)
    checked = 0
    for op in ("eq", "neq", "in", "not_in"):
        for expected in _expected(rng):
            if op in ("in", "not_in") and not isinstance(expected, list):
                continue
            fast, general = compile_compare(op, expected), compile_compare_general(op, expected)
            for actual in itertools.chain(_ACTUALS, _STRINGS):
                assert fast(actual) == general(actual), (op, expected, actual)
                checked += 1
    assert checked > 5_000


def test_strings_and_booleans_take_the_fast_path() -> None:
    for op, expected in [("eq", "a"), ("neq", True), ("in", ["a", "b"]), ("not_in", ["a"])]:
        assert "_compile_plain" in compile_compare(op, expected).__qualname__
    for op, expected in [("eq", 1), ("in", ["a", 1]), ("gt", 3)]:
        assert "_compile_plain" not in compile_compare(op, expected).__qualname__
