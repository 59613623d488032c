"""Diff in shallow clones: works when the needed commits are present, names what is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rototo_ci.engine import SourceError
from rototo_ci.review.diff import DiffOptions, run_diff

from .conftest import Repo, json_contexts
from .workspaces import base_workspace, int_variable

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git CLI to clone")


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_shallow_clone(tmp_path: Path) -> None:
    origin = Repo(tmp_path / "origin")
    origin.write(base_workspace())
    first = origin.commit("one")
    origin.write(
        {
            "variables/limit.toml": int_variable(
                {"small": 3, "large": 99}, "small", [("paid", "large")]
            )
        }
    )
    origin.commit("two")
    _git(
        "clone",
        "-q",
        "--depth",
        "1",
        f"file://{origin.root}",
        str(tmp_path / "clone"),
        cwd=tmp_path,
    )
    clone = tmp_path / "clone"

    def diff(range_: str):
        return run_diff(DiffOptions(range=range_, cwd=clone), json_contexts)

    with pytest.raises(SourceError, match=r"HEAD~1.*shallow clone"):
        diff("HEAD~1..HEAD")
    with pytest.raises(SourceError, match=first[:12]):
        diff(f"{first}..HEAD")
    # fetch just the base commit by sha, as the GitHub Action does
    _git("fetch", "-q", "--depth", "1", "origin", first, cwd=clone)
    report = diff(f"{first}..HEAD")
    cells = {(r.variable, r.context) for r in report.workspaces[0].resolutions}
    assert cells == {("limit", "contexts/growth.json")}
