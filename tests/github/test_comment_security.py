"""`rototo comment` on hostile ground: the token reaches only GITHUB_API_URL (no redirect,
no pagination link, no cleartext to a network host), and only our own comment is updated."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rototo_ci.github.client import GitHubClient, GitHubError
from rototo_ci.github.comment import MAX_BODY

from ..cli.conftest import run_cli
from ..hostile.sinks import assert_no_forged_command
from .fake_github import FakeGitHub, Recorder

TOKEN = "secret-token-123"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/config")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setattr("rototo_ci.github.client.time.sleep", lambda s: None)
    body = tmp_path / "body.md"
    body.write_text("report\n")
    return body


def _comment(body: Path, *extra: str):
    result = run_cli("comment", "--pr", "7", "--body-file", str(body), *extra)
    assert "Traceback" not in result.err
    assert TOKEN not in result.out + result.err
    assert_no_forged_command(result.out, result.err)
    return result


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("when", ["list", "create"])
def test_redirect_to_another_origin_is_refused_unfollowed(
    env: Path, monkeypatch: pytest.MonkeyPatch, status: int, when: str
) -> None:
    with FakeGitHub(TOKEN) as github, Recorder() as elsewhere:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        if when == "create":  # the list answers; the POST is sent elsewhere
            github.redirect_method["POST"] = (status, f"{elsewhere.url}/steal")
        else:
            github.redirect_next = [
                (status, f"{elsewhere.url}/repos/acme/config/issues/7/comments")
            ]
        result = _comment(env)
        assert result.code == 2, result
        assert "another origin" in result.err and result.err.count("\n") == 1
        assert elsewhere.requests == []  # refused before it was followed
        assert elsewhere.credentials_seen() == []


def test_redirect_within_the_origin_is_followed(env: Path, monkeypatch) -> None:
    with FakeGitHub(TOKEN) as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        github.redirect_next = [(307, f"{github.url}/repos/acme/config/issues/7/comments")]
        result = _comment(env)
        assert result.code == 0, result
        assert len(github.comments) == 1


def test_pagination_link_to_another_origin_is_refused(env: Path, monkeypatch) -> None:
    with FakeGitHub(TOKEN) as github, Recorder() as elsewhere:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        github.comments = [{"id": i, "body": f"human {i}"} for i in range(5)]
        github.next_link_base = elsewhere.url
        result = _comment(env)
        assert result.code == 2 and "another origin" in result.err, result
        assert elsewhere.requests == [] and elsewhere.credentials_seen() == []
        assert len(github.comments) == 5  # nothing posted on a half-read list


def test_same_host_other_port_is_another_origin(env: Path, monkeypatch) -> None:
    with FakeGitHub(TOKEN) as github, Recorder() as elsewhere:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        assert elsewhere.url.split(":")[:2] == github.url.split(":")[:2]
        github.redirect_next = [(302, elsewhere.url + "/x")]
        assert _comment(env).code == 2
        assert elsewhere.requests == []


@pytest.mark.parametrize(
    "api",
    [
        "http://api.github.example",  # cleartext to a network host
        "http://10.0.0.1:8080",
        "ftp://127.0.0.1",
        "https://user:pass@api.github.com",
        "https://api.github.com?x=1",
    ],
)
def test_unsafe_api_roots_are_refused(env: Path, monkeypatch, api: str) -> None:
    monkeypatch.setenv("GITHUB_API_URL", api)
    result = _comment(env)
    assert result.code == 2 and "rototo: error:" in result.err, result


def test_client_refuses_absolute_urls_elsewhere() -> None:
    client = GitHubClient("tok", "http://127.0.0.1:9", sleep=lambda s: None)
    for url in ("http://127.0.0.2:9/x", "https://127.0.0.1:9/x", "http://evil.example/x"):
        with pytest.raises(GitHubError, match="another origin"):
            client.request("GET", url)
    assert GitHubClient("tok", "http://localhost:9").api_url == "http://localhost:9"
    assert GitHubClient("tok", "http://[::1]:9/").api_url == "http://[::1]:9"


def test_a_pasted_marker_in_someone_elses_comment_is_ignored(env: Path, monkeypatch) -> None:
    with FakeGitHub(TOKEN, login="rototo-bot") as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        github.comments = [
            {"id": 1, "body": "<!-- rototo-ci -->\nI own this now", "user": {"login": "mallory"}},
            {"id": 2, "body": "hi <!-- rototo-ci -->", "user": {"login": "rototo-bot"}},
        ]
        result = _comment(env)
        assert result.code == 0 and result.out.startswith("created"), result
        assert github.comments[0]["body"] == "<!-- rototo-ci -->\nI own this now"
        assert github.comments[1]["body"] == "hi <!-- rototo-ci -->"  # marker not on its line
        ours = github.comments[2]
        assert ours["user"]["login"] == "rototo-bot"
        assert _comment(env).out.startswith("updated")
        assert len(github.comments) == 3


def test_author_falls_back_to_the_actions_bot_or_is_given(env: Path, monkeypatch) -> None:
    with FakeGitHub(TOKEN) as github:  # GET /user answers 403, as for GITHUB_TOKEN
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        github.comments = [
            {"id": 1, "body": "<!-- rototo-ci -->\nold", "user": {"login": "github-actions[bot]"}},
            {"id": 2, "body": "<!-- rototo-ci -->\nother", "user": {"login": "my-app[bot]"}},
        ]
        assert _comment(env).out.startswith("updated comment 1")
        assert _comment(env, "--author", "my-app[bot]").out.startswith("updated comment 2")
        assert _comment(env, "--author", "bad login").code == 2


def test_marker_look_alikes_are_stripped_from_the_body(env: Path, monkeypatch) -> None:
    env.write_text(
        "<!-- rototo-ci -->\n# report\n<!-- rototo-ci:prod -->\ninline `<!--ROTOTO-CI:prod-->` x\n"
    )
    with FakeGitHub(TOKEN) as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        assert _comment(env).code == 0
        [posted] = github.comments
        lines = posted["body"].split("\n")
        assert lines[0] == "<!-- rototo-ci -->"
        assert posted["body"].lower().count("<!--") == 1
        # another marker's run does not take this comment over
        assert _comment(env, "--marker", "prod").out.startswith("created")
        assert len(github.comments) == 2


def test_body_is_capped_whatever_it_holds(env: Path, monkeypatch) -> None:
    env.write_text("<!-- rototo-ci -->\n" * 10 + "😀" * 70_000 + "\r\n" * 10)
    with FakeGitHub(TOKEN) as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        assert _comment(env).code == 0
        [posted] = github.comments
        assert len(posted["body"]) <= MAX_BODY and "\r" not in posted["body"]


def test_read_only_token_writes_the_summary_without_markers(
    env: Path, monkeypatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    env.write_text("<!-- rototo-ci -->\nthe report\n")
    with FakeGitHub(TOKEN) as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        github.read_only = True
        result = _comment(env)
        assert result.code == 0 and "warning" in result.err
        assert "the report" in summary.read_text() and "<!--" not in summary.read_text()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[str, str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make the loopback HTTPS stand-in's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return str(cert), str(key)


def test_https_stand_in_and_no_downgrade(env: Path, monkeypatch, certificate) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    with FakeGitHub(TOKEN, tls=certificate) as github, Recorder() as elsewhere:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        assert github.url.startswith("https://")
        assert _comment(env).code == 0 and len(github.comments) == 1
        # https → http on another port of the same host: another origin, refused
        github.redirect_next = [(301, elsewhere.url + "/repos/acme/config/issues/7/comments")]
        assert _comment(env).code == 2
        assert elsewhere.requests == [] and elsewhere.credentials_seen() == []
        assert all(auth == f"Bearer {TOKEN}" for auth in github.seen_auth)
