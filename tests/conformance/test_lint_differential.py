"""Lint parity: generated workspaces with random defects, compared with the reference engine
as multisets of (rule, severity, stage, entity, path, range)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ..helpers import write_files
from ..oracle.lint import compare, ours_lint, reference_lint, refusal_matches
from . import generator, mutations


def run_seeds(seeds: range, tmp_path: Path) -> tuple[int, int, list[str]]:
    roots, applied = [], []
    for seed in seeds:
        rng = random.Random(10_000 + seed)
        files, names = mutations.mutate(rng, generator.generate(rng).files)
        roots.append(write_files(tmp_path / f"ws{seed}", files))
        applied.append(names)
    theirs = reference_lint(roots)
    problems, diagnostics = [], 0
    for root, names, reference in zip(roots, applied, theirs, strict=True):
        mine = ours_lint(root)
        if "error" in reference:
            if not refusal_matches(mine):
                problems.append(f"{root.name} {names}: reference refused ({reference['error']})")
            continue
        if "error" in mine:
            problems.append(f"{root.name} {names}: we refused ({mine['error']})")
            continue
        diagnostics += len(reference["diagnostics"])
        missing, extra = compare(mine, reference)
        for key in missing:
            problems.append(f"{root.name} {names}: missing {key}")
        for key in extra:
            problems.append(f"{root.name} {names}: extra {key}")
    return len(roots), diagnostics, problems


def test_lint_parity_on_mutated_workspaces(tmp_path: Path) -> None:
    count, diagnostics, problems = run_seeds(range(150), tmp_path)
    assert not problems, "\n".join(problems[:30])
    assert diagnostics > 150


@pytest.mark.slow
def test_lint_parity_sweep(tmp_path: Path) -> None:
    count, diagnostics, problems = run_seeds(range(150, 3150), tmp_path)
    assert not problems, "\n".join(problems[:30])
