"""Crafted git trees beyond a file entry naming a tree: a file entry naming a commit or
an object the repository lacks, a directory entry naming a blob, a commit or nothing.
A file that cannot be read is a finding on it; a directory that cannot be walked makes
the tree unreadable: one `rototo: error: git tree …` line. Never an internal error."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest

from ..cli.conftest import run_cli
from ..helpers import commit_all, init_repo
from .inputs_support import CACHE_MODES, copy_example, lint
from .test_inputs import BOMB_COMMANDS

MISSING = pygit2.Oid(hex="12" * 20)
SIGNATURE = pygit2.Signature("Test", "test@example.invalid")


def _crafted(repo_dir: Path, name: str, mode: int, target: str) -> None:
    repo = init_repo(repo_dir)
    copy_example(repo_dir / "cfg")
    commit_all(repo_dir, "one")
    head = repo.head.peel(pygit2.Commit)
    oid = {
        "commit": head.id,
        "missing": MISSING,
        "blob": repo.create_blob(b"schema_version = 1\n"),
    }[target]
    cfg = repo[head.tree["cfg"].id]
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


@pytest.mark.parametrize("command", ["diff", "git+file"])
@pytest.mark.parametrize("target", ["commit", "missing"])
def test_a_file_entry_naming_no_blob(
    tmp_path: Path, target: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_dir = tmp_path / "repo"
    _crafted(repo_dir, "zz-crafted.toml", pygit2.enums.FileMode.BLOB, target)
    monkeypatch.chdir(repo_dir)
    result = run_cli(*BOMB_COMMANDS[command](repo_dir))
    assert result.code == 1 and result.err == "", result.err
    assert "rototo/variable-parse-failed" in result.out
    assert "variables/zz-crafted.toml" in result.out


@pytest.mark.parametrize("command", ["diff", "git+file"])
@pytest.mark.parametrize("target", ["blob", "commit", "missing"])
def test_a_directory_entry_naming_no_tree(
    tmp_path: Path, target: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_dir = tmp_path / "repo"
    _crafted(repo_dir, "zz", pygit2.enums.FileMode.TREE, target)
    monkeypatch.chdir(repo_dir)
    result = run_cli(*BOMB_COMMANDS[command](repo_dir))
    assert result.code == 2, (result.code, result.err)
    assert result.err.startswith("rototo: error: git tree") and result.err.count("\n") == 1
    assert "variables/zz" in result.err


@pytest.mark.parametrize("mode", CACHE_MODES)
def test_a_file_entry_naming_a_missing_object_with_the_cache(
    tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_dir = tmp_path / "repo"
    _crafted(repo_dir, "zz-crafted.toml", pygit2.enums.FileMode.BLOB, "missing")
    result = lint(mode, monkeypatch, tmp_path / "cache", f"git+file://{repo_dir}#main:cfg")
    assert result.code == 1
    assert result.rules_at("variables/zz-crafted.toml") == {"rototo/variable-parse-failed"}
