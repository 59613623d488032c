"""Hostile and broken input: a diagnostic or one clear line, the documented exit code,
no traceback, nothing read or written outside the workspace, bounded time."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from ..cli.conftest import EXAMPLE, run_cli
from ..helpers import commit_all, init_repo

LIMIT_S = 30


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("tests"))
    return root


def _snapshot(tmp_path: Path) -> set[str]:
    return {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")}


def _lint(ws: Path, *extra: str):
    start = time.perf_counter()
    result = run_cli("lint", str(ws), "--json", "--no-cache", *extra)
    assert time.perf_counter() - start < LIMIT_S
    assert "Traceback" not in result.err
    return result


WORKSPACE_FILES = {
    "binary": ("variables/bin.toml", b"\x00\x01\xff\xfe" * 100, "rototo/variable-parse-failed"),
    "invalid utf-8": (
        "qualifiers/bad.toml",
        b'schema_version = 1\nx = "\xff"\n',
        "rototo/qualifier-parse-failed",
    ),
    "empty variable": ("variables/empty.toml", b"", "rototo/variable-schema-version"),
    "empty schema": ("schemas/empty.schema.json", b"", "rototo/schema-parse-failed"),
    "duplicate keys": (
        "variables/dup.toml",
        b"schema_version = 1\nschema_version = 1\n",
        "rototo/variable-parse-failed",
    ),
    "deep toml": (
        "variables/deep.toml",
        b"a = " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
        "rototo/variable-parse-failed",
    ),
    "deep json": (
        "schemas/deep.schema.json",
        b"[" * 100_000 + b"]" * 100_000,
        "rototo/schema-parse-failed",
    ),
    "huge string": (
        "resources/checkout-theme-objects/huge.toml",
        b'layout = "classic"\nexpress_pay = true\nbanner = "' + b"x" * 30_000_000 + b'"\n',
        "rototo/resource-object-parse-failed",
    ),
    "nan in json": ("schemas/nan.schema.json", b'{"minimum": NaN}', "rototo/schema-parse-failed"),
    "lua bytes": ("lint/bin.lua", b"\x1bLua\x54\x00garbage", "rototo/custom-lint-failed"),
}


@pytest.mark.parametrize("name", sorted(WORKSPACE_FILES))
def test_broken_files_become_diagnostics(ws: Path, tmp_path: Path, name: str) -> None:
    rel, data, rule = WORKSPACE_FILES[name]
    path = ws / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    before = _snapshot(tmp_path)
    result = _lint(ws)
    assert result.code == 1
    rules = {d["rule"] for d in json.loads(result.out)["diagnostics"]}
    assert rule in rules
    assert _snapshot(tmp_path) == before


def test_schema_and_extends_paths_cannot_escape(ws: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.schema.json").write_text('{"type": "object"}')
    (ws / "resources" / "checkout-theme.toml").write_text(
        'schema_version = 1\nschema = "../../outside.schema.json"\n'
    )
    result = _lint(ws)
    rules = {d["rule"] for d in json.loads(result.out)["diagnostics"]}
    assert "rototo/resource-schema-ref" in rules and result.code == 1


def test_symlinks_out_of_the_workspace_are_never_read(ws: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text(
        'schema_version = 1\ntype = "string"\n[values]\ns = "TOPSECRET"\n[resolve]\ndefault = "s"\n'
    )
    os.symlink(secret, ws / "variables" / "leak.toml")
    os.symlink(tmp_path, ws / "qualifiers" / "dir-link")
    result = _lint(ws)
    assert "TOPSECRET" not in result.out
    [diagnostic] = [
        d
        for d in json.loads(result.out)["diagnostics"]
        if d["location"]["path"] == "variables/leak.toml"
    ]
    assert "escapes" in diagnostic["message"]
    show = run_cli("show", str(ws), "--json")
    assert "TOPSECRET" not in show.out


def test_git_tree_symlinks_and_submodule_like_entries_are_ignored(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    shutil.copytree(EXAMPLE, repo / "cfg", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "secret.toml").write_text('x = "TOPSECRET"\n')
    os.symlink(tmp_path / "secret.toml", repo / "cfg" / "variables" / "leak.toml")
    commit_all(repo, "with a link")
    result = run_cli("lint", f"git+file://{repo}#main:cfg", "--json", "--no-cache")
    assert result.code == 0 and "TOPSECRET" not in result.out
    assert "leak" not in result.out


@pytest.mark.parametrize(
    "context",
    [
        "[1, 2]",
        "null",
        '"text"',
        "{bad json",
        "{" * 10_000,
        "@/dev/null",
        "=1",
        "a..b=1",
        "@x\x00y",  # found by the fuzzer
    ],
)
def test_bad_contexts(context: str) -> None:
    result = run_cli("resolve", str(EXAMPLE), "--variables", "--context", context)
    assert result.code == 2 and result.err.startswith("rototo: error:")
    assert "Traceback" not in result.err


def test_enormous_context_file(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"pad": "' + "x" * (17 * 1024 * 1024) + '"}')
    result = run_cli("resolve", str(EXAMPLE), "--variables", "--context", f"@{path}")
    assert result.code == 2 and "larger than" in result.err


@pytest.mark.parametrize(
    "rev", ["main;rm -rf /", "$(touch pwned)", "--output=/tmp/x", "HEAD`id`", "-h"]
)
def test_refs_never_reach_a_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rev: str
) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    shutil.copytree(EXAMPLE, repo / "cfg", ignore=shutil.ignore_patterns("tests"))
    commit_all(repo, "one")
    monkeypatch.chdir(repo)
    before = _snapshot(tmp_path)
    for args in (
        ["diff", f"{rev}..HEAD"],
        ["lint", "cfg", "--rev", rev],
        ["lint", f"git+file://{repo}#{rev}:cfg"],
    ):
        result = run_cli(*args)
        assert result.code == 2, (args, result)
        assert "Traceback" not in result.err
    assert _snapshot(tmp_path) == before
    assert not Path("/tmp/x").exists() or Path("/tmp/x").stat().st_mtime < time.time() - 60


def test_atomic_write_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    from rototo_ci import files

    target = tmp_path / "out.toml"
    target.write_text("original\n")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, "new\n")
    assert target.read_text() == "original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.toml"]
