"""File and directory names that are not UTF-8 (a pull request can commit them): report
files, the workspace listing and the Action's plan handle them like stdout does, never
with an internal error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..cli.conftest import EXAMPLE, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

RAW = b"bad\xffname"  # not UTF-8: Python holds it as a lone surrogate
NAME = os.fsdecode(RAW)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _repo(tmp_path: Path, workspace: str) -> Path:
    repo = tmp_path / "repo"
    try:
        shutil.copytree(EXAMPLE, repo / workspace, ignore=shutil.ignore_patterns("tests"))
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo


def test_diff_output_files_with_an_undecodable_file_name(tmp_path: Path, monkeypatch) -> None:
    repo = _repo(tmp_path, "ws")
    variable = (repo / "ws" / "variables" / "checkout-theme.toml").read_text(encoding="utf-8")
    (repo / "ws" / "variables" / f"{NAME}.toml").write_text(variable, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "head")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("ROTOTO_NO_CACHE", "1")
    for fmt in ("json", "gitlab", "markdown", "text"):
        out = tmp_path / f"report.{fmt}"
        args = ["diff", "main~1..main", "--fail-on", "never", "--format", fmt]
        result = run_cli(*args, "--output", f"{fmt}={out}")
        assert result.code == 0 and "internal error" not in result.err, (fmt, result.err)
        written = out.read_bytes().decode("utf-8")  # valid UTF-8
        assert written == result.out, fmt  # the same text stdout shows
        if fmt in ("json", "gitlab"):
            assert "\ufffd" in json.dumps(json.loads(written), ensure_ascii=False)


def test_workspaces_and_the_action_plan_keep_an_undecodable_directory(
    tmp_path: Path, monkeypatch
) -> None:
    repo = _repo(tmp_path, NAME)
    monkeypatch.chdir(repo)
    listed = run_cli("workspaces")
    assert listed.code == 0 and "internal error" not in listed.err, listed.err
    assert listed.out.strip() == "bad\\xffname"
    event = tmp_path / "event.json"
    event.write_text("{}", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROTOTO_", "GITHUB_"))}
    env.update(
        GITHUB_EVENT_NAME="workflow_dispatch",
        GITHUB_EVENT_PATH=str(event),
        GITHUB_OUTPUT=str(tmp_path / "output"),
        ROTOTO_REPORTS=str(tmp_path / "reports"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "rototo_ci.github.action", "plan"],
        cwd=repo,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # the listing holds the directory's own bytes, so `rototo lint -- "$ws"` finds it
    assert (tmp_path / "reports.workspaces").read_bytes() == RAW + b"\x00"
