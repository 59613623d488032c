"""`rototo comment` against a loopback GitHub stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from rototo_ci.github.client import GitHubClient

from ..cli.conftest import run_cli
from .fake_github import FakeGitHub

TOKEN = "secret-token-123"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch):
    with FakeGitHub(TOKEN) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/config")
        monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
        monkeypatch.setattr("rototo_ci.github.client.time.sleep", lambda s: None)
        yield fake


def _body(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "body.md"
    path.write_text(text)
    return path


def test_three_calls_leave_one_comment_with_the_last_body(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # other people's comments fill several pages
    github.comments = [{"id": i, "body": f"human {i}"} for i in range(5)]
    outputs = []
    for round_ in range(3):
        result = run_cli(
            "comment", "--pr", "7", "--body-file", str(_body(tmp_path, f"report {round_}\n"))
        )
        assert result.code == 0, result.err
        outputs.append(result.out + result.err)
    ours = [c for c in github.comments if "<!-- rototo-ci -->" in c["body"]]
    assert len(ours) == 1 and "report 2" in ours[0]["body"]
    assert len(github.comments) == 6
    assert outputs[0].startswith("created") and outputs[2].startswith("updated")
    assert all(TOKEN not in text for text in outputs)


def test_markers_keep_separate_comments(github: FakeGitHub, tmp_path: Path) -> None:
    body = str(_body(tmp_path, "x"))
    assert run_cli("comment", "--pr", "1", "--body-file", body, "--marker", "prod").code == 0
    assert run_cli("comment", "--pr", "1", "--body-file", body).code == 0
    assert run_cli("comment", "--pr", "1", "--body-file", body, "--marker", "prod").code == 0
    assert len(github.comments) == 2


def test_huge_body_is_capped(github: FakeGitHub, tmp_path: Path) -> None:
    result = run_cli("comment", "--pr", "1", "--body-file", str(_body(tmp_path, "y" * 3_000_000)))
    assert result.code == 0, result.err
    [comment] = github.comments
    assert len(comment["body"]) <= 65_536 and "cut to GitHub's" in comment["body"]


def test_read_only_token_is_a_warning(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    github.read_only = True
    result = run_cli("comment", "--pr", "1", "--body-file", str(_body(tmp_path, "hello")))
    assert result.code == 0 and "warning" in result.err
    assert "hello" in summary.read_text()
    assert TOKEN not in result.err + result.out


def test_bad_token_and_retries(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.fail_next = [
        (502, {}, "bad gateway"),
        (403, {"Retry-After": "1"}, "You have exceeded a secondary rate limit"),
    ]
    result = run_cli("comment", "--pr", "1", "--body-file", str(_body(tmp_path, "ok")))
    assert result.code == 0, result.err
    assert len(github.comments) == 1
    monkeypatch.setenv("GITHUB_TOKEN", "wrong-token")
    result = run_cli("comment", "--pr", "1", "--body-file", str(_body(tmp_path, "ok")))
    assert result.code == 2 and "401" in result.err and "wrong-token" not in result.err


@pytest.mark.parametrize(
    ("env", "args", "needle"),
    [
        ({"GITHUB_TOKEN": ""}, [], "GITHUB_TOKEN"),
        ({"GITHUB_REPOSITORY": ""}, [], "--repo"),
        ({}, ["--marker", "a b"], "--marker"),
    ],
)
def test_usage_errors(
    github: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict,
    args: list,
    needle: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = run_cli("comment", "--pr", "1", "--body-file", str(_body(tmp_path, "x")), *args)
    assert result.code == 2 and needle in result.err


def test_missing_body_file(github: FakeGitHub, tmp_path: Path) -> None:
    result = run_cli("comment", "--pr", "1", "--body-file", str(tmp_path / "nope.md"))
    assert result.code == 2 and "cannot read" in result.err


def test_client_scrubs_token_from_errors() -> None:
    client = GitHubClient("tok-abc", "http://127.0.0.1:9", sleep=lambda s: None)
    with pytest.raises(Exception) as info:
        client.request("GET", "/x")
    assert "tok-abc" not in str(info.value)
