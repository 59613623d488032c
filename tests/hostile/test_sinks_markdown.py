"""The PR comment from a hostile pull request (SPEC §8, inert text): no raw HTML, no live
@mention, no image, no forged heading, no CR, no marker look-alike — whatever the workspace
directory name, context names, value keys, values and Lua messages hold. The same diff's
annotations and terminal text forge no workflow command."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ..cli.conftest import run_cli
from ..helpers import commit_all, flag_workspace, init_repo, write_files
from .sinks import assert_no_forged_command

EVIL = "</details><img src=x onerror=alert(1)> @octocat ![p](https://e.example/p.png)"
EVIL_CR = "x\r# Forged heading\r<!-- rototo-ci -->\r@org/team"
WORKSPACE_DIR = "cfg`<b>@octocat`|</details>"
# what the renderer itself may produce; everything else would come from hostile text
RENDERER_TAGS = {
    "h2", "h3", "p", "strong", "em", "code", "table", "thead", "tbody", "tr", "th", "td",
    "details", "summary", "ul", "li", "br", "blockquote", "hr", "a",
}  # fmt: skip
MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def _toml(text: str) -> str:
    return json.dumps(text)


def _lua(text: str) -> str:
    return json.dumps(text)


@pytest.fixture
def hostile_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROTOTO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    repo = tmp_path / "repo"
    init_repo(repo)
    ws = repo / WORKSPACE_DIR
    flag_workspace(ws)
    contexts = {
        f"contexts/{name}.json": '{"user": {"beta": false}}'
        for name in ("@octocat <b>x</b> # h", "a`b``c", "<!-- rototo-ci -->")
    }
    write_files(ws, contexts)
    write_files(
        ws,
        {
            "variables/text.toml": (
                'schema_version = 1\ntype = "string"\n\n[values]\n'
                f"plain = {_toml('plain')}\n{_toml(EVIL_CR)} = {_toml(EVIL)}\n\n"
                '[resolve]\ndefault = "plain"\n'
            ),
        },
    )
    commit_all(repo, "base")
    write_files(
        ws,
        {
            "variables/text.toml": (
                'schema_version = 1\ntype = "string"\n\n[values]\n'
                f"plain = {_toml('plain')}\n{_toml(EVIL_CR)} = {_toml(EVIL)}\n\n"
                f"[resolve]\ndefault = {_toml(EVIL_CR)}\n"
            ),
            "lint/evil.lua": (
                "function register(lint)\n"
                '  lint:on({ stage = "policy", entity = "variable", rule = { id = "team/evil",'
                ' title = "Evil", help = "x", severity = "warning" }, handler = "check" })\n'
                "end\n"
                f"function check(ctx) return {{{{ message = {_lua(EVIL + EVIL_CR)} }}}} end\n"
            ),
        },
    )
    commit_all(repo, "head")
    monkeypatch.chdir(repo)
    return repo


def assert_inert_markdown(body: str, workspaces: int) -> None:
    assert "\r" not in body
    assert len(re.findall(r"<!--\s*rototo-ci", body, re.IGNORECASE)) == 1
    assert body.startswith("<!-- rototo-ci")
    html = MD.render(body)
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= RENDERER_TAGS, tags - RENDERER_TAGS
    assert "<img" not in html and "<h1" not in html
    assert html.count("<h2") == 1 and html.count("<h3") == workspaces, html
    assert html.count("<details") == html.count("</details>")
    for link in re.findall(r'<a href="([^"]*)"', html):
        assert not link.startswith(("javascript:", "https://e.example")), link
    # a mention pings only in text outside code; every `@` there is followed by a joiner
    text = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    assert not re.search(r"(?:^|[^\w`])@[A-Za-z0-9]", text), text


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_diff_markdown_is_inert(hostile_repo: Path, cache: bool, monkeypatch) -> None:
    if not cache:
        monkeypatch.setenv("ROTOTO_NO_CACHE", "1")
    result = run_cli("diff", "HEAD~1..HEAD", "--format", "markdown")
    assert result.code in (0, 1), result
    assert_no_forged_command(result.out, result.err)
    assert "octocat" in result.out  # the hostile text is shown, inertly
    assert_inert_markdown(result.out, workspaces=1)


def test_saved_report_renders_inert(hostile_repo: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run_cli("diff", "HEAD~1..HEAD", "--format", "github", "--output", f"json={report}")
    assert result.code in (0, 1), result
    files = {str(p.relative_to(hostile_repo)) for p in hostile_repo.rglob("*")}
    commands = assert_no_forged_command(result.out, result.err, files)
    assert commands, "the diff issues its annotations"
    rendered = run_cli("render", str(report), "--format", "markdown")
    assert rendered.code == 0, rendered
    assert_no_forged_command(rendered.out, rendered.err)
    assert_inert_markdown(rendered.out, workspaces=1)
    text = run_cli("diff", "HEAD~1..HEAD", "--format", "text")
    assert_no_forged_command(text.out, text.err)
