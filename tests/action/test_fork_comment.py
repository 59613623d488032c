"""The workflow_run half of the fork pattern: the artifact is hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine.errors import RototoError
from rototo_ci.github import action
from rototo_ci.github.client import Response

HEAD = "c" * 40


class StubGitHub:
    """Answers GET pulls/N with a head sha; records comments."""

    def __init__(self, heads: dict[int, str]) -> None:
        self.heads = heads
        self.posted: list[tuple[str, str, Any]] = []

    def request(self, method: str, url: str, body: Any = None) -> Response:
        if method == "GET" and "/pulls/" in url:
            number = int(url.rsplit("/", 1)[1])
            return Response(200, {"number": number, "head": {"sha": self.heads.get(number)}}, {})
        self.posted.append((method, url, body))
        return Response(201, {"id": 1, "html_url": "https://x.invalid/1"}, {})

    def paginate(self, url: str) -> list[Any]:
        return []

    def authenticated_login(self) -> str | None:
        return None  # an Actions token may not read /user


def _artifact(tmp_path: Path, pr: str, report: dict[str, Any] | None) -> Path:
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "pr-number").write_text(pr)
    (artifact / "diff.md").write_text("@everyone <img src=x> <!-- rototo-ci -->")
    if report is not None:
        (artifact / "diff.json").write_text(json.dumps(report))
    return artifact


def _report(hostile: str) -> dict[str, Any]:
    return {
        "base": {"rev": "main", "commit": "a" * 40},
        "head": {"rev": "HEAD", "commit": HEAD},
        "workspaces": [
            {
                "path": hostile,
                "status": "modified",
                "base_loadable": True,
                "head_loadable": True,
                "changes": [],
                "resolutions": [
                    {
                        "variable": "x",
                        "context": hostile,
                        "kind": "changed",
                        "before": {"value_key": "a", "value": 1},
                        "after": {"value_key": "b", "value": 2},
                    }
                ],
                "lint": {"introduced": [], "resolved": []},
            }
        ],
        "summary": {},
    }


def _env(artifact: Path) -> dict[str, str]:
    return {
        "ROTOTO_ARTIFACT": str(artifact),
        "ROTOTO_HEAD_SHA": HEAD,
        "GITHUB_REPOSITORY": "acme/config",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "77",
        "ROTOTO_REPORT_RUN_URL": "https://github.com/acme/config/actions/runs/76",
    }


def test_posts_a_comment_rendered_afresh_from_the_json(tmp_path: Path) -> None:
    hostile = "@everyone <img src=x onerror=alert(1)> <!-- rototo-ci -->"
    artifact = _artifact(tmp_path, "12\n", _report(hostile))
    github = StubGitHub({12: HEAD})
    assert action.fork_comment(_env(artifact), github) == 0
    [(method, url, body)] = github.posted
    assert (method, url) == ("POST", "/repos/acme/config/issues/12/comments")
    text = body["body"]
    assert text.count("<!-- rototo-ci -->") == 1  # the real marker only
    assert "<img" not in text and "@everyone" not in text
    assert "[this workflow run](https://github.com/acme/config/actions/runs/76)" in text


@pytest.mark.parametrize(
    ("pr", "heads", "message"),
    [
        ("12", {12: "d" * 40}, "not the one the run reviewed"),  # a claim about another PR
        ("12; rm -rf /", {}, "not a number"),
        ("0", {}, "not a number"),
        ("", {}, "not a number"),
    ],
)
def test_refuses_a_lying_artifact(tmp_path: Path, pr: str, heads: dict, message: str) -> None:
    artifact = _artifact(tmp_path, pr, _report("ws"))
    github = StubGitHub(heads)
    with pytest.raises(RototoError, match=message):
        action.fork_comment(_env(artifact), github)
    assert github.posted == []


def test_foreign_run_url_is_not_linked(tmp_path: Path) -> None:
    artifact = _artifact(tmp_path, "12", _report("ws"))
    github = StubGitHub({12: HEAD})
    env = {
        **_env(artifact),
        "ROTOTO_REPORT_RUN_URL": "https://evil.example/acme/config/actions/runs/1",
    }
    action.fork_comment(env, github)
    assert "evil.example" not in github.posted[0][2]["body"]


def test_no_report_posts_nothing(tmp_path: Path, capsys) -> None:
    artifact = _artifact(tmp_path, "12", None)
    github = StubGitHub({12: HEAD})
    assert action.fork_comment(_env(artifact), github) == 0
    assert github.posted == [] and "nothing to post" in capsys.readouterr().out


def test_not_a_report_is_one_line(tmp_path: Path) -> None:
    artifact = _artifact(tmp_path, "12", None)
    (artifact / "diff.json").write_text('{"workspaces": "nope"}')
    with pytest.raises(RototoError, match="not a rototo diff report"):
        action.fork_comment(_env(artifact), StubGitHub({12: HEAD}))


def test_coverage_files_in_the_artifact_add_the_total(tmp_path: Path) -> None:
    artifact = _artifact(tmp_path, "12", _report("ws"))
    # numbers are read back from the file; its text never reaches the comment
    (artifact / "coverage-1.info").write_text(
        "TN:\nSF:ws/<img src=x>@everyone.toml\nBRDA:3,0,0,1\nBRDA:3,0,1,-\nBRF:2\nBRH:1\n"
        "DA:3,1\nDA:5,0\nLF:2\nLH:1\nend_of_record\n"
    )
    github = StubGitHub({12: HEAD})
    assert action.fork_comment(_env(artifact), github) == 0
    body = github.posted[0][2]["body"]
    assert "**Configuration coverage: 50.0 %** (lines 1/2, branch outcomes 1/2)" in body
    assert "<img" not in body and "@everyone" not in body


def test_a_broken_coverage_file_leaves_the_line_out_with_a_warning(tmp_path: Path, capsys) -> None:
    artifact = _artifact(tmp_path, "12", _report("ws"))
    (artifact / "coverage-1.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "x">]><coverage>&a;</coverage>'
    )
    github = StubGitHub({12: HEAD})
    assert action.fork_comment(_env(artifact), github) == 0
    assert "Configuration coverage" not in github.posted[0][2]["body"]
    assert "::warning title=rototo-ci::coverage left out of the comment" in capsys.readouterr().out
