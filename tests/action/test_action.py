"""The GitHub Action: a valid composite action whose steps are small tested commands."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from rototo_ci.github import action

from ..cli.conftest import EXAMPLE, ROOT
from ..helpers import commit_all, init_repo

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def test_action_is_a_valid_composite_action() -> None:
    assert ACTION["runs"]["using"] == "composite"
    inputs = set(ACTION["inputs"])
    assert {"workspace", "base", "fail-on", "comment", "python-version", "annotations"} <= inputs
    for step in ACTION["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step
        text = json.dumps(step)
        for used in re.findall(r"inputs\.([a-z-]+)", text):
            assert used in inputs, used
    for output in ACTION["outputs"].values():
        assert "steps.gate.outputs." in output["value"]


def test_step_scripts_are_valid_bash() -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash not available")
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            proc = subprocess.run(["bash", "-n"], input=step["run"], text=True, capture_output=True)
            assert proc.returncode == 0, (step["name"], proc.stderr)


def test_event_base_sha(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": "a" * 40}}}))
    assert action.event_base_sha(str(event)) == "a" * 40
    event.write_text(json.dumps({"pull_request": {"base": {"sha": "--upload-pack=x"}}}))
    assert action.event_base_sha(str(event)) is None
    assert action.event_base_sha(None) is None


def test_ensure_base_fetches_missing_commit(tmp_path: Path, monkeypatch) -> None:
    output = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    repo = tmp_path / "repo"
    init_repo(repo)
    shutil.copytree(EXAMPLE, repo / "cfg")
    sha = commit_all(repo, "one")
    assert action.ensure_base(sha, repo) == sha  # present: nothing fetched
    assert f"base={sha}" in output.read_text()
    calls = []
    with pytest.raises(SystemExit, match="cannot fetch"):
        action.ensure_base("b" * 40, repo, fetch=lambda argv: calls.append(argv) or 0)
    assert calls == [["git", "fetch", "--no-tags", "--depth=1", "origin", "b" * 40]]
    with pytest.raises(SystemExit, match="40-character"):
        action.ensure_base("main; rm -rf /", repo)


def test_outputs_and_gate(tmp_path: Path, monkeypatch) -> None:
    output = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    report = {
        "summary": {
            "changes": 2,
            "resolution_changes": 3,
            "lint_introduced": 1,
            "lint_resolved": 0,
        },
        "workspaces": [{"lint": {"introduced": [{"severity": "warning"}]}}],
    }
    assert action.outputs(report, "lint") == 0
    assert action.outputs(report, "any-change") == 1
    assert action.outputs(report, "never") == 0
    report["workspaces"][0]["lint"]["introduced"][0]["severity"] = "error"
    assert action.outputs(report, "lint") == 1
    text = output.read_text()
    assert "resolution-changes=3" in text and "lint-errors-introduced=1" in text


def test_workspaces_listing(tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    shutil.copytree(EXAMPLE, repo / "a")
    shutil.copytree(EXAMPLE, repo / "b" / "c")
    monkeypatch.chdir(repo)
    assert action.workspaces(repo, []) == ["a", "b/c"]
    assert action.workspaces(repo, ["x"]) == ["x"]
