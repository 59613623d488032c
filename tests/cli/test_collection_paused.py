"""`rototo lint` and `rototo diff` pause the cyclic garbage collector while they build a
workspace: safe only because linting makes (almost) no cyclic garbage, whatever the
workspace holds. These tests keep that true on broken and hostile workspaces."""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from rototo_ci.engine import Workspace
from rototo_ci.process import collection_paused

from ..conformance import generator, mutations
from ..helpers import write_files
from .conftest import EXAMPLE, run_cli

# what one lint leaves for the collector: a few closures of the source and tree objects
PER_LINT = 40


@pytest.fixture
def collector() -> Iterator[None]:
    gc.collect()
    enabled = gc.isenabled()
    yield
    gc.set_debug(0)
    gc.garbage.clear()
    if enabled:
        gc.enable()


def _garbage_of_a_lint(root: Path) -> int:
    """Objects only the cyclic collector could free after linting `root` (kept alive)."""
    Workspace.inspect(str(root))  # imports and first-use caches out of the count
    gc.collect()
    gc.disable()
    workspace = Workspace.inspect(str(root))
    found = gc.collect()
    gc.enable()
    assert workspace.documents
    return found


@pytest.mark.parametrize("chunk", range(2))
def test_a_lint_makes_little_cyclic_garbage(chunk: int, tmp_path: Path, collector) -> None:
    kinds: set[str] = set()
    for seed in range(chunk * 40, chunk * 40 + 40):
        rng = random.Random(seed)
        files, names = mutations.mutate(rng, generator.generate(rng).files)
        # custom Lua runs in a worker process: its garbage is not this process's
        files = {path: text for path, text in files.items() if not path.startswith("lint/")}
        root = write_files(tmp_path / f"ws{seed}", files)
        assert _garbage_of_a_lint(root) <= PER_LINT, (seed, names)
        kinds.update(names)
    assert len(kinds) >= 12  # most kinds of breakage were met


def test_failed_parses_make_no_garbage_per_file(tmp_path: Path, collector) -> None:
    # big files that fail to parse late, as TOML and as JSON: the garbage must not grow
    # with their number or size
    lines = "".join(f'k{i} = "{"x" * 20}"\n' for i in range(1_500))
    counts = []
    for count in (2, 12):
        files = {"rototo-workspace.toml": "schema_version = 1\n"}
        for i in range(count):
            files[f"variables/v{i}.toml"] = (
                f'schema_version = 1\ntype = "string"\n[values]\n{lines}broken = =\n'
            )
            files[f"qualifiers/q{i}.toml"] = "schema_version = 1\nx = [" + "1," * 5_000 + " oops\n"
            files[f"schemas/s{i}.schema.json"] = '{"type": "object", "x": [' + "1," * 5_000
        counts.append(_garbage_of_a_lint(write_files(tmp_path / f"ws{count}", files)))
    assert counts[1] <= PER_LINT and counts[1] <= counts[0] + 5, counts


def _branchy_schema(branches: int) -> dict:
    """A schema under which an invalid instance collects an error per branch, nested."""
    one = [
        {"type": "object", "required": [f"k{i}"], "properties": {f"k{i}": {"type": "integer"}}}
        for i in range(branches)
    ]
    return {
        "$defs": {"node": {"anyOf": [{"type": "integer"}, {"$ref": "#/$defs/node"}][:1] + one}},
        "allOf": [
            {"anyOf": one},
            {"oneOf": one[: branches // 2]},
            {"not": {"type": "object"}},
            {"if": {"type": "object"}, "then": {"$ref": "#/$defs/node"}},
        ],
    }


def test_schema_failures_make_no_garbage_per_object(tmp_path: Path, collector) -> None:
    # every object fails a schema whose errors nest (anyOf, oneOf, allOf, not, $ref):
    # the garbage must not grow with the number of failing objects
    import json

    counts = []
    for objects in (2, 40):
        files = {
            "rototo-workspace.toml": "schema_version = 1\n",
            "schemas/obj.schema.json": json.dumps(_branchy_schema(60)),
            "resources/obj.toml": 'schema_version = 1\nschema = "../schemas/obj.schema.json"\n',
            "variables/v.toml": (
                'schema_version = 1\ntype = "resource:obj"\n\n[resolve]\ndefault = "o0"\n'
            ),
        }
        for o in range(objects):
            files[f"resources/obj-objects/o{o}.toml"] = f'x = "y{o}"\n'
        root = write_files(tmp_path / f"ws{objects}", files)
        counts.append(_garbage_of_a_lint(root))
    assert counts[1] <= PER_LINT and counts[1] <= counts[0] + 5, counts


def test_the_collector_is_restored(tmp_path: Path, collector) -> None:
    gc.enable()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()  # a caller that had it off keeps it off
    gc.enable()
    result = run_cli("lint", str(EXAMPLE), "--no-cache")
    assert result.code == 0 and gc.isenabled()
