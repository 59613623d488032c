"""`rototo workspaces [RANGE] [--changed] [--json]`: the list a CI matrix is built from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..cli.test_commands import run_cli
from ..helpers import commit_all, flag_workspace, init_repo, write_files


def _listed(*args: str) -> list[str]:
    result = run_cli("workspaces", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_lists_every_workspace_and_the_changed_ones(tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    flag_workspace(repo)  # at the root
    flag_workspace(repo / "teams" / "a" / "cfg")
    flag_workspace(repo / "teams" / "b" / "cfg")
    flag_workspace(repo / "shared" / "base")
    write_files(
        repo / "teams" / "c",
        {"rototo-workspace.toml": 'schema_version = 1\nextends = ["../../shared/base"]\n'},
    )
    base = commit_all(repo, "base")
    monkeypatch.chdir(repo / "teams")  # any directory inside the repository
    everything = [".", "shared/base", "teams/a/cfg", "teams/b/cfg", "teams/c"]
    assert _listed() == everything
    assert _listed(f"{base}..HEAD", "--changed") == []

    flag_workspace(repo / "teams" / "a" / "cfg", default="on")
    assert _listed("--changed") == ["teams/a/cfg"]  # HEAD vs the working tree
    head = commit_all(repo, "change a")
    assert _listed(f"{base}..{head}", "--changed") == ["teams/a/cfg"]
    (repo / "teams" / "notes.md").write_text("not in a nested workspace: the root's file\n")
    assert _listed("--changed") == ["."]
    (repo / "teams" / "notes.md").unlink()

    # a parent in the same repository changes: the child that extends it is touched too
    flag_workspace(repo / "shared" / "base", default="on")
    assert _listed("HEAD", "--changed") == ["shared/base", "teams/c"]

    # removed and added workspaces appear on the side that has them
    shutil.rmtree(repo / "teams" / "b")
    flag_workspace(repo / "teams" / "d")
    commit_all(repo, "remove b, add d")
    assert _listed(f"{head}..HEAD", "--changed") == [
        "shared/base",
        "teams/b/cfg",
        "teams/c",
        "teams/d",
    ]
    text = run_cli("workspaces")
    assert text.out.splitlines() == [".", "shared/base", "teams/a/cfg", "teams/c", "teams/d"]


def test_bad_range_is_one_line(tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    flag_workspace(repo / "x")
    commit_all(repo, "one")
    monkeypatch.chdir(repo)
    result = run_cli("workspaces", "nope..HEAD", "--changed")
    assert result.code == 2 and result.err.startswith("rototo: error: unknown revision")
    monkeypatch.chdir(tmp_path)
    outside = run_cli("workspaces")
    assert outside.code == 2 and "not inside a git repository" in outside.err
