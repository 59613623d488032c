"""`extends` confinement (SPEC §8 "No escape"): a workspace in a git repository cannot make
rototo-ci read outside that repository, nor fetch a remote parent, unless the user passes
--allow-external-extends; the refusal is a lint error on the extends entry. A workspace
in no repository follows local parents as the reference does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rototo_ci.engine.workspace import Workspace

from ..cli.conftest import run_cli
from ..helpers import commit_all, flag_workspace, init_repo, write_files
from .inputs_support import CACHE_MODES, lint

SECRET = "TOPSECRET-PARENT"
RULE = "rototo-ci/extends-refused"


@pytest.fixture(params=CACHE_MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _secret_parent(root: Path) -> Path:
    """A lint-clean workspace whose variable value is a marker that must never leak."""
    return flag_workspace(
        root,
        extra={
            "variables/secret.toml": (
                f'schema_version = 1\ntype = "string"\n\n[values]\ns = "{SECRET}"\n\n'
                '[resolve]\ndefault = "s"\n'
            )
        },
    )


def _child(root: Path, extends: list[str]) -> Path:
    manifest = "schema_version = 1\nextends = " + json.dumps(extends) + "\n"
    return write_files(root, {"rototo-workspace.toml": manifest})


def _refusals(result) -> list[dict]:
    return [d for d in result.diagnostics if d["rule"] == RULE]


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """repo/cfg/child (in git), repo/base (in the same repo), outside/ (no repo)."""
    repo = tmp_path / "repo"
    init_repo(repo)
    _secret_parent(tmp_path / "outside")
    _secret_parent(repo / "base")
    return {"repo": repo, "outside": tmp_path / "outside", "tmp": tmp_path}


@pytest.mark.parametrize("how", ["absolute", "relative", "file-url", "symlinked-dir"])
def test_extends_out_of_the_repository_is_refused(
    layout: dict[str, Path], mode: str, monkeypatch, how: str
) -> None:
    repo, outside = layout["repo"], layout["outside"]
    if how == "absolute":
        entry = str(outside)
    elif how == "relative":
        entry = "../../../outside"
    elif how == "file-url":
        entry = outside.as_uri()
    else:
        os.symlink(outside, repo / "cfg-link")
        entry = "../../cfg-link"
    child = _child(repo / "cfg" / "child", [entry])
    commit_all(repo, "child")
    result = lint(mode, monkeypatch, layout["tmp"] / "cache", str(child))
    assert result.code == 1 and SECRET not in result.out
    [refusal] = _refusals(result)
    assert refusal["location"]["path"] == "rototo-workspace.toml"
    # located on the entry itself: line 1 (0-based), inside the array
    assert refusal["location"]["range"]["start"]["line"] == 1
    assert refusal["severity"] == "error" and "--allow-external-extends" in refusal["message"]
    # nothing of the parent was read into the projection
    assert "variables/secret.toml" not in {d["location"]["path"] for d in result.diagnostics}
    shown = run_cli("show", str(child), "--json", "--variables")
    assert SECRET not in shown.out and "secret" not in shown.out
    # the user may opt in on the command line
    allowed = lint(
        mode, monkeypatch, layout["tmp"] / "cache", str(child), "--allow-external-extends"
    )
    assert allowed.code == 0 and not _refusals(allowed)
    resolved = run_cli(
        "resolve", str(child), "--variable", "secret", "--allow-external-extends", "--json"
    )
    assert resolved.code == 0 and SECRET in resolved.out


def test_extends_inside_the_repository_is_followed(
    layout: dict[str, Path], mode: str, monkeypatch
) -> None:
    repo = layout["repo"]
    child = _child(repo / "cfg" / "child", ["../../base"])
    result = lint(mode, monkeypatch, layout["tmp"] / "cache", str(child))
    assert result.code == 0 and not _refusals(result)
    assert Workspace.load(str(child)).resolve_variable("secret", {}).value == SECRET


def test_outside_any_repository_local_extends_follow_the_reference(tmp_path: Path) -> None:
    _secret_parent(tmp_path / "parent")
    child = _child(tmp_path / "child", ["../parent"])
    absolute = _child(tmp_path / "abs", [str(tmp_path / "parent")])
    for ws in (child, absolute):
        assert Workspace.load(str(ws)).resolve_variable("secret", {}).value == SECRET


@pytest.mark.parametrize(
    "entry",
    [
        "https://127.0.0.1:9/parent.tar.gz",
        "git+https://127.0.0.1:9/parent.git#main",
        "git+ssh://git@127.0.0.1:9/parent.git",
    ],
)
def test_remote_extends_need_the_flag_even_outside_a_repository(
    tmp_path: Path, mode: str, monkeypatch, entry: str
) -> None:
    child = flag_workspace(tmp_path / "child")
    (child / "rototo-workspace.toml").write_text(
        "schema_version = 1\nextends = " + json.dumps([entry]) + "\n"
    )
    result = lint(mode, monkeypatch, tmp_path / "cache", str(child))
    [refusal] = _refusals(result)
    assert "remote source" in refusal["message"] and result.code == 1
    # with the flag it is attempted (and here fails to connect: one clear line, exit 2)
    attempted = run_cli("lint", str(child), "--allow-external-extends", "--no-cache")
    assert attempted.code == 2 and attempted.err.startswith("rototo: error:")
    assert "Traceback" not in attempted.err


def test_nested_refusal_is_reported_on_the_top_entry(
    layout: dict[str, Path], mode: str, monkeypatch
) -> None:
    repo = layout["repo"]
    (repo / "base" / "rototo-workspace.toml").write_text(
        "schema_version = 1\nextends = " + json.dumps([str(layout["outside"])]) + "\n"
    )
    child = _child(repo / "cfg" / "child", ["../../base"])
    result = lint(mode, monkeypatch, layout["tmp"] / "cache", str(child))
    [refusal] = _refusals(result)
    assert refusal["location"]["range"]["start"]["line"] == 1
    assert str(layout["outside"]) in refusal["message"]
    assert SECRET not in result.out


def test_rev_reads_parents_at_the_same_revision(layout: dict[str, Path]) -> None:
    repo = layout["repo"]
    child = _child(repo / "cfg" / "child", ["../../base"])
    flag_workspace(repo / "base", default="off")
    commit_all(repo, "off")
    flag_workspace(repo / "base", default="on")  # uncommitted
    off = {"user": {"beta": False}}
    assert Workspace.load(str(child)).resolve_variable("flag", off).value is True
    at_head = Workspace.load(str(child), rev="HEAD")
    assert at_head.resolve_variable("flag", off).value is False


@pytest.mark.parametrize("entry", ["absolute", "relative"])
@pytest.mark.parametrize("worktree", [False, True])
def test_diff_never_prints_files_from_outside(
    layout: dict[str, Path], monkeypatch, entry: str, worktree: bool
) -> None:
    repo, outside = layout["repo"], layout["outside"]
    flag_workspace(repo / "cfg")
    commit_all(repo, "base")
    target = str(outside) if entry == "absolute" else "../../outside"
    (repo / "cfg" / "rototo-workspace.toml").write_text(
        "schema_version = 1\nextends = " + json.dumps([target]) + "\n"
    )
    if not worktree:
        commit_all(repo, "head")
    monkeypatch.chdir(repo)
    args = ["diff", "HEAD"] if worktree else ["diff", "HEAD~1..HEAD"]
    for fmt in ("json", "markdown", "text"):
        result = run_cli(*args, "--format", fmt, "--fail-on", "never")
        assert result.code == 0, result
        assert SECRET not in result.out and SECRET not in result.err
        assert "variables/secret.toml" not in result.out
    report = json.loads(run_cli(*args, "--format", "json", "--fail-on", "never").out)
    [ws] = [w for w in report["workspaces"] if w["path"] == "cfg"]
    assert ws["head_loadable"] is False
    assert RULE in {d["rule"] for d in ws["lint"]["introduced"]}
    allowed = run_cli(*args, "--format", "json", "--fail-on", "never", "--allow-external-extends")
    if worktree or entry == "absolute":
        # opted in: the parent is followed (from the file system)
        assert "secret" in allowed.out


def test_git_source_with_absolute_extends(layout: dict[str, Path], mode: str, monkeypatch) -> None:
    repo = layout["repo"]
    _child(repo / "cfg", [str(layout["outside"])])
    commit_all(repo, "abs")
    source = f"git+file://{repo}#main:cfg"
    result = lint(mode, monkeypatch, layout["tmp"] / "cache", source)
    [refusal] = _refusals(result)
    assert "outside the git revision" in refusal["message"] and SECRET not in result.out
