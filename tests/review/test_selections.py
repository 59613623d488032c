"""Selections judged as sets of contexts give, cell for cell, what `Evaluation.selection`
gives context by context: the same value keys, values and error messages."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine import RototoError, Workspace
from rototo_ci.review import impact
from rototo_ci.review.report import cell_kind

from ..conformance import generator
from ..helpers import write_files


def _load(root: Path, files: dict[str, str]) -> Workspace | None:
    write_files(root, files)
    try:
        return Workspace.load(str(root))
    except RototoError:
        return None


def _evaluations(workspace: Workspace, contexts: list[Any]) -> list[Any]:
    found: list[Any] = []
    for context in contexts:
        try:
            found.append(workspace.evaluation(context))
        except RototoError as error:
            found.append(error)
    return found


def _text(outcome: Any) -> str:
    return json.dumps(outcome, sort_keys=True)  # keeps 1, 1.0 and true apart


def _cells_by_set(outcomes: dict[tuple[str, str], int], side: Any, vid: str, count: int) -> list:
    cells: list[Any] = [None] * count
    for index, message in side.failures.items():  # contexts failing on their own
        cells[index] = _text({"error": message})
    for key, mask in outcomes.items():
        for index in impact._bits(mask):
            assert cells[index] is None, "a context in two outcomes"
            cells[index] = _text(side.outcome(vid, key))
    assert None not in cells, "a context in no outcome"
    return cells


def test_bits() -> None:
    assert impact._bits(0) == []
    assert impact._bits(0b1011) == [0, 1, 3]
    assert impact._bits(1 << 130 | 1 << 7) == [7, 130]


@pytest.mark.parametrize("chunk", range(4))
def test_selections_equal_cell_by_cell_selection(chunk: int, tmp_path: Path) -> None:
    compared = errors = evaluation_errors = 0
    for seed in range(chunk * 40, chunk * 40 + 40):
        rng = random.Random(seed)
        ws = generator.generate(rng)
        workspace = _load(tmp_path / f"ws{seed}", ws.files)
        assert workspace is not None, f"seed {seed}: generated workspace does not load"
        contexts = generator.contexts(rng, ws, 14)
        # variables in a random order: a qualifier is first asked by different variables
        order = list(ws.variables)
        rng.shuffle(order)
        side = impact._Selections(_evaluations(workspace, contexts))
        by_set = {vid: side.outcomes(vid) for vid in order}
        fresh = _evaluations(workspace, contexts)  # a second, independent set of evaluations
        for vid in order:
            expected = [_text(impact.outcome(e, vid)) for e in fresh]
            got = _cells_by_set(by_set[vid], side, vid, len(contexts))
            assert got == expected, f"seed {seed}, variable {vid}"
            compared += len(expected)
            errors += sum('"error"' in cell for cell in expected)
        evaluation_errors += sum(isinstance(e, RototoError) for e in fresh)
    # the sweep meets qualifier failures and contexts that fail the schema, not only values
    assert compared > 1500 and errors > 100 and evaluation_errors > 5


def test_an_unknown_variable_is_an_error_in_every_context(tmp_path: Path) -> None:
    rng = random.Random(3)
    ws = generator.generate(rng)
    workspace = _load(tmp_path / "ws", ws.files)
    assert workspace is not None
    contexts = generator.contexts(rng, ws, 5)
    evaluations = _evaluations(workspace, contexts)
    side = impact._Selections(evaluations)
    got = _cells_by_set(side.outcomes("nope"), side, "nope", len(contexts))
    assert got == [_text(impact.outcome(e, "nope")) for e in evaluations]
    assert all("not found" in cell or "error" in cell for cell in got)


def _head_files(rng: random.Random, base: dict[str, str]) -> dict[str, str]:
    """The base with some files taken from another generated workspace and some defaults
    flipped: qualifiers and variables change, appear and disappear."""
    other = generator.generate(random.Random(rng.randrange(10**9))).files
    files = dict(base)
    for path, text in other.items():
        if path.startswith(("qualifiers/", "variables/")) and rng.random() < 0.4:
            files[path] = text
    for path in list(files):
        if path.startswith("variables/") and rng.random() < 0.3:
            files[path] = files[path].replace('default = "k0"', 'default = "k1"')
    return files


def _blobs(files: dict[str, str]) -> dict[str, str]:
    return {path: hashlib.sha1(text.encode()).hexdigest() for path, text in files.items()}


@pytest.mark.parametrize("chunk", range(3))
def test_resolution_changes_equal_a_cell_by_cell_diff(chunk: int, tmp_path: Path) -> None:
    compared = changed = broken = 0
    for seed in range(chunk * 40, chunk * 40 + 40):
        rng = random.Random(seed)
        base_ws = generator.generate(rng)
        head_files = _head_files(rng, base_ws.files)
        base = _load(tmp_path / f"base{seed}", base_ws.files)
        head = _load(tmp_path / f"head{seed}", head_files)
        if base is None or head is None:
            continue
        contexts = {f"c{i}": c for i, c in enumerate(generator.contexts(rng, base_ws, 12))}
        got = [
            (c.variable, c.context, _text(c.before), _text(c.after), c.kind)
            for c in impact.resolution_changes(
                base, _blobs(base_ws.files), head, _blobs(head_files), contexts
            )
        ]
        base_evals = _evaluations(base, list(contexts.values()))
        head_evals = _evaluations(head, list(contexts.values()))
        expected = []
        for vid in sorted(set(base.model.variables) | set(head.model.variables)):
            for name, before_eval, after_eval in zip(contexts, base_evals, head_evals, strict=True):
                before = impact.outcome(before_eval, vid) if vid in base.model.variables else None
                after = impact.outcome(after_eval, vid) if vid in head.model.variables else None
                kind = cell_kind(before, after)
                compared += 1
                if kind is not None:
                    expected.append((vid, name, _text(before), _text(after), kind))
        assert got == expected, f"seed {seed}"
        changed += len(expected)
        broken += sum(cell[-1] == "broken" for cell in expected)
    assert compared > 1000 and changed > 200 and broken > 20
