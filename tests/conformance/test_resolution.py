"""Resolution parity with the reference engine on generated workspaces and contexts."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine import RototoError, Workspace

from ..helpers import write_files
from ..oracle.reference import resolve_batch
from . import generator


def ours(root: Path, queries: list[list[Any]]) -> dict[str, Any]:
    try:
        workspace = Workspace.load(str(root))
    except RototoError as error:
        return {"load_error": str(error)}
    results = []
    for kind, ident, context in queries:
        try:
            if kind == "variable":
                r = workspace.resolve_variable(ident, context)
                results.append({"value_key": r.value_key, "value": r.value})
            else:
                results.append({"value": workspace.resolve_qualifier(ident, context).value})
        except RototoError as error:
            results.append({"error": str(error)})
    return {"results": results}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if "error" in a or "error" in b:
        return ("error" in a) == ("error" in b)
    # json text keeps int and float apart (1 vs 1.0)
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def run_seeds(seeds: range, tmp_path: Path) -> tuple[int, list[str]]:
    jobs, expected_ours = [], []
    for seed in seeds:
        rng = random.Random(seed)
        ws = generator.generate(rng)
        root = write_files(tmp_path / f"ws{seed}", ws.files)
        queries = [["variable", v, c] for c in generator.contexts(rng, ws) for v in ws.variables]
        queries += [
            ["qualifier", q, c] for c in generator.contexts(rng, ws, 4) for q in ws.qualifiers
        ]
        jobs.append({"source": str(root), "queries": queries})
        expected_ours.append(ours(root, queries))
    answers = resolve_batch(jobs)
    compared, problems = 0, []
    for seed, job, theirs, mine in zip(seeds, jobs, answers, expected_ours, strict=True):
        if "load_error" in theirs or "load_error" in mine:
            if ("load_error" in theirs) != ("load_error" in mine):
                problems.append(f"seed {seed}: load {theirs} vs {mine}")
            continue
        for query, a, b in zip(job["queries"], theirs["results"], mine["results"], strict=True):
            compared += 1
            if not _same(a, b):
                problems.append(
                    f"seed {seed}: {query[0]} {query[1]} {json.dumps(query[2])}: "
                    f"reference {a} ours {b}"
                )
    return compared, problems


def test_resolution_parity(tmp_path: Path) -> None:
    compared, problems = run_seeds(range(120), tmp_path)
    assert not problems, "\n".join(problems[:20])
    assert compared > 5000


@pytest.mark.slow
def test_resolution_parity_sweep(tmp_path: Path) -> None:
    compared, problems = run_seeds(range(120, 1120), tmp_path)
    assert not problems, "\n".join(problems[:20])
    assert compared > 40000


def test_generated_workspaces_load_in_the_reference(tmp_path: Path) -> None:
    jobs = []
    for seed in range(40):
        ws = generator.generate(random.Random(seed))
        jobs.append({"source": str(write_files(tmp_path / f"w{seed}", ws.files)), "queries": []})
    assert all("results" in answer for answer in resolve_batch(jobs))


def _cells(source: str, queries: list[list[Any]]) -> tuple[list[Any], list[Any]]:
    [theirs] = resolve_batch([{"source": source, "queries": queries}])
    try:
        workspace = Workspace.load(source)
    except RototoError as error:
        return theirs, [{"load_error": str(error)}]
    mine = []
    for _kind, ident, context in queries:
        try:
            r = workspace.resolve_variable(ident, context)
            mine.append({"value_key": r.value_key, "value": r.value})
        except RototoError as error:
            mine.append({"error": str(error)})
    return theirs["results"], mine


def test_layered_workspace_parity(tmp_path: Path) -> None:
    rng = random.Random(7)
    base = generator.generate(rng)
    write_files(tmp_path / "base", base.files)
    child = {"rototo-workspace.toml": 'schema_version = 1\nextends = ["../base"]\n'}
    # the child replaces one variable file wholesale and adds one
    replaced = base.variables[-1]
    child[f"variables/{replaced}.toml"] = (
        'schema_version = 1\ntype = "string"\n\n[values]\nchild = "from child"\nother = "o"\n\n'
        f'[resolve]\ndefault = "child"\n\n[[resolve.rule]]\nqualifier = "{base.qualifiers[0]}"\n'
        'value = "other"\n'
    )
    write_files(tmp_path / "child", child)
    contexts = generator.contexts(rng, base)
    queries = [["variable", v, c] for v in base.variables for c in contexts]
    theirs, mine = _cells(str(tmp_path / "child"), queries)
    assert len(theirs) == len(mine) == len(queries)
    assert all(_same(a, b) for a, b in zip(theirs, mine, strict=True))
    assert any(r.get("value") == "from child" for r in mine)


def test_git_file_older_commit_parity(tmp_path: Path) -> None:
    from ..helpers import commit_all, init_repo

    repo = tmp_path / "repo"
    init_repo(repo)
    rng = random.Random(11)
    first = generator.generate(rng)
    write_files(repo / "cfg", first.files)
    old = commit_all(repo, "first")
    second = generator.generate(random.Random(12))
    import shutil

    shutil.rmtree(repo / "cfg")
    write_files(repo / "cfg", second.files)
    commit_all(repo, "second")
    contexts = generator.contexts(rng, first)
    queries = [["variable", v, c] for v in first.variables for c in contexts]
    theirs, mine = _cells(f"git+file://{repo}#{old}:cfg", queries)
    assert len(theirs) == len(queries)
    assert all(_same(a, b) for a, b in zip(theirs, mine, strict=True))
