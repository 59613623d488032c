"""The diff's resolution changes agree with the reference engine resolving both sides."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ..oracle.reference import export_tree, resolve_batch
from .conftest import Repo
from .workspaces import base_workspace, int_variable, qualifier_plan, qualifier_seats

PLANS = ["free", "growth", "enterprise", "edu"]


def _mutate(rng: random.Random, files: dict[str, str]) -> dict[str, str]:
    files = dict(files)
    for _ in range(rng.randrange(1, 4)):
        choice = rng.randrange(6)
        if choice == 0:
            files["qualifiers/paid.toml"] = qualifier_plan(rng.sample(PLANS, rng.randrange(1, 4)))
        elif choice == 1:
            files["qualifiers/big.toml"] = qualifier_seats(rng.randrange(1, 600))
        elif choice == 2:
            rules = rng.sample([("paid", "large"), ("big", "small")], rng.randrange(0, 3))
            files["variables/limit.toml"] = int_variable(
                {"small": rng.randrange(5), "large": rng.randrange(20, 30)},
                rng.choice(["small", "large"]),
                rules,
            )
        elif choice == 3:
            files["variables/seats-cap.toml"] = int_variable(
                {"low": 10, "high": rng.choice([1000, 2000])},
                rng.choice(["low", "high"]),
                [("big", "high"), ("paid", "low")][: rng.randrange(0, 3)],
            )
        elif choice == 4:
            name = f"variables/new-{rng.randrange(3)}.toml"
            files[name] = int_variable({"a": 1, "b": 2}, "a", [("paid", "b")])
        else:
            files[f"contexts/random-{rng.randrange(3)}.json"] = json.dumps(
                {"account": {"plan": rng.choice(PLANS), "seats": rng.randrange(0, 700)}}
            )
    return files


def _reference_cells(repo: Repo, report, tmp_path: Path) -> set[tuple[str, str, str, str]]:
    """Resolve every (variable, context) on both sides with the reference; return diffs."""
    from rototo_ci.review.revisions import parse_range

    base_side, head_side = parse_range(repo.git, "HEAD~1..HEAD")
    ws = report.workspaces[0]
    contexts = {}
    for side in (base_side, head_side):  # head content wins
        tree = side.opened("").tree
        for path in tree.files():
            if path.startswith("contexts/"):
                contexts[path] = json.loads(tree.read(path))
    jobs, variables = [], []
    for index, side in enumerate((base_side, head_side)):
        tree = side.opened("").tree
        root = export_tree(tree, tmp_path / f"side{index}")
        ids = sorted(p[len("variables/") : -5] for p in tree.files() if p.startswith("variables/"))
        variables.append(ids)
        jobs.append(
            {
                "source": str(root),
                "queries": [["variable", v, contexts[c]] for v in ids for c in sorted(contexts)],
            }
        )
    answers = resolve_batch(jobs)
    outcomes: list[dict[tuple[str, str], str]] = []
    for ids, answer in zip(variables, answers, strict=True):
        assert "load_error" not in answer, answer
        cells = {}
        it = iter(answer["results"])
        for v in ids:
            for c in sorted(contexts):
                result = next(it)
                cells[(v, c)] = (
                    "error"
                    if "error" in result
                    else f"{result['value_key']}={json.dumps(result['value'])}"
                )
        outcomes.append(cells)
    before, after = outcomes
    keys = set(before) | set(after)
    assert ws.contexts == sorted(contexts)
    return {
        (v, c, before.get((v, c), "absent"), after.get((v, c), "absent"))
        for v, c in keys
        if before.get((v, c), "absent") != after.get((v, c), "absent")
    }


def _our_cells(report) -> set[tuple[str, str, str, str]]:
    def text(outcome):
        if outcome is None:
            return "absent"
        if "error" in outcome:
            return "error"
        return f"{outcome['value_key']}={json.dumps(outcome['value'])}"

    return {
        (r.variable, r.context, text(r.before), text(r.after))
        for r in report.workspaces[0].resolutions
    }


@pytest.mark.parametrize("seed", range(12))
def test_diff_matches_reference(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    repo = Repo(tmp_path / "repo")
    files = _mutate(rng, base_workspace())
    repo.write(files)
    repo.commit("base")
    repo.write(_mutate(rng, files))
    repo.commit("head")
    report = repo.diff("HEAD~1..HEAD")
    assert _our_cells(report) == _reference_cells(repo, report, tmp_path)


def test_oracle_cases_are_not_trivial(tmp_path: Path) -> None:
    """The seeds above must exercise real behaviour changes, or the comparison proves little."""
    changed = 0
    for seed in range(12):
        rng = random.Random(seed)
        repo = Repo(tmp_path / f"repo{seed}")
        files = _mutate(rng, base_workspace())
        repo.write(files)
        repo.commit("base")
        repo.write(_mutate(rng, files))
        repo.commit("head")
        changed += bool(repo.diff("HEAD~1..HEAD").workspaces[0].resolutions)
    assert changed >= 6
