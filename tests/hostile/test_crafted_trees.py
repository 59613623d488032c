"""Crafted git trees: a file entry naming a tree, a commit or an object the repository
lacks; a directory entry naming a blob, a commit or nothing; a directory named "..".
A file that cannot be read is a finding on it; a directory that cannot be walked makes
the tree unreadable: one `rototo: error: git tree …` line; a name that would lead out of
the tree is passed over. Never an internal error, never a read outside the repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygit2
import pytest

from ..cli.conftest import run_cli
from ..helpers import commit_all, init_repo
from .inputs_support import CACHE_MODES, copy_example, lint
from .test_inputs import BOMB_COMMANDS

MISSING = pygit2.Oid(hex="12" * 20)
FILE, DIRECTORY = pygit2.enums.FileMode.BLOB, pygit2.enums.FileMode.TREE
SIGNATURE = pygit2.Signature("Test", "test@example.invalid")


def _crafted(repo_dir: Path, name: str, mode: int, target: str) -> None:
    repo = init_repo(repo_dir)
    copy_example(repo_dir / "cfg")
    commit_all(repo_dir, "one")
    head = repo.head.peel(pygit2.Commit)
    cfg = repo[head.tree["cfg"].id]
    oid = {
        "commit": head.id,
        "missing": MISSING,
        "blob": repo.create_blob(b"schema_version = 1\n"),
        "tree": cfg["qualifiers"].id,
    }[target]
    entries = [(e.name or "", e.filemode, e.id) for e in repo[cfg["variables"].id]]
    entries.append((name, mode, oid))
    raw = b"".join(
        f"{mode:o} {entry}".encode() + b"\0" + found.raw
        for entry, mode, found in sorted(entries, key=lambda e: e[0])
    )
    crafted = repo.odb.write(pygit2.enums.ObjectType.TREE, raw)  # no checks on the way
    cfg_builder = repo.TreeBuilder(cfg)
    cfg_builder.insert("variables", crafted, pygit2.enums.FileMode.TREE)
    builder = repo.TreeBuilder(head.tree)
    builder.insert("cfg", cfg_builder.write(), pygit2.enums.FileMode.TREE)
    repo.create_commit("refs/heads/main", SIGNATURE, SIGNATURE, "x", builder.write(), [head.id])


def _run(tmp_path: Path, name: str, mode: int, target: str, command: str, monkeypatch) -> Any:
    repo_dir = tmp_path / "repo"
    _crafted(repo_dir, name, mode, target)
    monkeypatch.chdir(repo_dir)
    return run_cli(*BOMB_COMMANDS[command](repo_dir))


@pytest.mark.parametrize("command", ["diff", "git+file", "rev"])
@pytest.mark.parametrize("target", ["tree", "commit", "missing"])
def test_a_file_entry_naming_no_blob(
    tmp_path: Path, target: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(tmp_path, "zz-crafted.toml", FILE, target, command, monkeypatch)
    assert result.code == 1 and result.err == "", result.err
    assert "rototo/variable-parse-failed" in result.out
    assert "variables/zz-crafted.toml" in result.out


@pytest.mark.parametrize("command", ["diff", "git+file"])
@pytest.mark.parametrize("target", ["blob", "commit", "missing"])
def test_a_directory_entry_naming_no_tree(
    tmp_path: Path, target: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(tmp_path, "zz", DIRECTORY, target, command, monkeypatch)
    assert result.code == 2, (result.code, result.err)
    assert result.err.startswith("rototo: error: git tree") and result.err.count("\n") == 1
    assert "variables/zz" in result.err


def test_a_directory_named_dot_dot_leads_nowhere(tmp_path: Path, monkeypatch) -> None:
    """A commit whose root names a directory ".." (holding outside/rototo-workspace.toml):
    the working tree side of a diff would read ../outside from the disk."""
    outside = tmp_path / "outside"
    copy_example(outside)
    repo_dir = tmp_path / "repo"
    repo = init_repo(repo_dir)
    (repo_dir / "README").write_text("x\n")
    commit_all(repo_dir, "one")
    head = repo.head.peel(pygit2.Commit)
    inner = repo.TreeBuilder()
    inner.insert("rototo-workspace.toml", repo.create_blob(b"schema_version = 1\n"), FILE)
    middle = repo.TreeBuilder()
    middle.insert("outside", inner.write(), DIRECTORY)
    entries = [(e.name or "", e.filemode, e.id) for e in head.tree]
    entries.append(("..", DIRECTORY, middle.write()))
    raw = b"".join(f"{m:o} {n}".encode() + b"\0" + o.raw for n, m, o in sorted(entries))
    crafted = repo.odb.write(pygit2.enums.ObjectType.TREE, raw)
    repo.create_commit("refs/heads/main", SIGNATURE, SIGNATURE, "x", crafted, [head.id])
    monkeypatch.chdir(repo_dir)
    listed = run_cli("workspaces", "HEAD", "--json")
    assert listed.code == 0 and listed.out.strip() == "[]", listed
    result = run_cli("diff", "HEAD", "--format", "json")
    assert result.code == 0, result.err
    assert result.out.count('"path": "../') == 0 and "outside" not in result.out


@pytest.mark.parametrize("mode", CACHE_MODES)
@pytest.mark.parametrize("target", ["tree", "missing"])
def test_a_file_entry_naming_no_blob_with_the_cache(
    tmp_path: Path, target: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_dir = tmp_path / "repo"
    _crafted(repo_dir, "zz-crafted.toml", FILE, target)
    result = lint(mode, monkeypatch, tmp_path / "cache", f"git+file://{repo_dir}#main:cfg")
    assert result.code == 1
    assert result.rules_at("variables/zz-crafted.toml") == {"rototo/variable-parse-failed"}
