"""Property tests: context merging, context inputs, source fragments, the bucket hash."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rototo_ci.engine.context import deep_merge, merge_context_inputs, parse_assignment
from rototo_ci.engine.errors import ContextError, SourceError
from rototo_ci.engine.resolve import bucket_of
from rototo_ci.engine.sources import clean_subdir, split_fragment

from ..helpers import write_files
from ..oracle.reference import resolve_batch

json_leaf = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5)
objects = st.recursive(
    st.dictionaries(st.text(min_size=1, max_size=3), json_leaf, max_size=3),
    lambda inner: st.dictionaries(st.text(min_size=1, max_size=3), inner | json_leaf, max_size=3),
    max_leaves=10,
)


def _leaves(obj, prefix=()):
    # an empty object is no leaf: merged onto an object it adds nothing (its keys stay)
    for key, value in obj.items():
        if isinstance(value, dict):
            yield from _leaves(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def _at(obj, path):
    for key in path:
        obj = obj[key]
    return obj


@example({"0": {"0": None}}, {"0": {}}, {})
@given(objects, objects, objects)
def test_deep_merge_is_right_biased_and_keeps_the_rest(a, b, c) -> None:
    merged = deep_merge(a, b)
    # every leaf of the overlay arrives as it is
    for path, value in _leaves(b):
        assert _at(merged, path) == value
    # a key the overlay does not name keeps the base's value
    for key, value in a.items():
        if key not in b:
            assert merged[key] == value
    assert deep_merge(a, {}) == a
    assert deep_merge({}, b) == b
    # inputs fold left to right; the merge is not associative (a scalar replaces an
    # object), so the order of folding matters
    assert merge_context_inputs([json.dumps(a), json.dumps(b), json.dumps(c)]) == deep_merge(
        merged, c
    )


@given(objects)
def test_json_context_input_round_trips(obj) -> None:
    assert merge_context_inputs([json.dumps(obj)]) == obj


@given(
    st.lists(st.text(alphabet="abc", min_size=1, max_size=3), min_size=1, max_size=4),
    st.integers() | st.booleans() | st.text(alphabet="xyz ", max_size=5),
)
def test_assignment_builds_nested_path(path, value) -> None:
    raw = json.dumps(value) if not isinstance(value, str) else value
    result = parse_assignment(".".join(path) + "=" + raw)
    node = result
    for part in path[:-1]:
        node = node[part]
    assert node[path[-1]] == value or isinstance(value, str)


@given(st.text(max_size=30))
def test_fragments_never_escape(fragment: str) -> None:
    try:
        ref, subdir = split_fragment(fragment)
    except SourceError:
        return
    assert ref is None or not ref.startswith("-")
    assert not subdir.startswith("/") and ".." not in subdir.split("/")


@given(st.text(max_size=40))
def test_clean_subdir_is_inside(path: str) -> None:
    try:
        cleaned = clean_subdir(path)
    except SourceError:
        return
    assert not cleaned.startswith("/") and ".." not in cleaned.split("/")


def test_assignment_without_path_is_refused() -> None:
    with pytest.raises(ContextError):
        merge_context_inputs(["=1"])


def test_bucket_distribution_is_roughly_uniform() -> None:
    counts = Counter(bucket_of("salt", f"user-{i}") // 1000 for i in range(20_000))
    assert set(counts) == set(range(10))
    assert all(1700 < n < 2300 for n in counts.values())


def test_bucket_agrees_with_reference(tmp_path: Path) -> None:
    """For random values, a bucket predicate matches exactly when ours says it should."""
    rng = random.Random(3)
    salt, start, end = "fuzz-salt", 2500, 7500
    root = write_files(
        tmp_path / "ws",
        {
            "rototo-workspace.toml": "schema_version = 1\n",
            "qualifiers/b.toml": (
                'schema_version = 1\n\n[[predicate]]\nattribute = "v"\n'
                f'op = "bucket"\nsalt = "{salt}"\nrange = [{start}, {end}]\n'
            ),
        },
    )
    values = (
        [rng.choice(["user-", "é", "x y", ""]) + str(rng.randrange(10**6)) for _ in range(300)]
        + [rng.randrange(-(10**12), 10**12) for _ in range(200)]
        + [True, False, None, 0.5, [1, "a"], {"b": 1, "a": [2]}]
    )
    [answer] = resolve_batch(
        [{"source": str(root), "queries": [["qualifier", "b", {"v": v}] for v in values]}]
    )
    for value, result in zip(values, answer["results"], strict=True):
        assert result["value"] == (start <= bucket_of(salt, value) < end), value


def test_engine_and_lint_are_mypy_strict_clean() -> None:
    import shutil
    import subprocess
    import sys

    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists() and shutil.which("mypy") is None:
        pytest.skip("mypy is not installed")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [str(mypy) if mypy.exists() else "mypy", "--strict", "rototo_ci/engine", "rototo_ci/lint"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
