"""Workspace text in a diff report stays inert in every renderer (SPEC §8)."""

from __future__ import annotations

import re

from rototo_ci.render.diff_github import render_github
from rototo_ci.render.diff_markdown import MARKER, render_markdown
from rototo_ci.render.diff_text import render_text
from rototo_ci.review.report import Change, DiffReport, ResolutionChange, Rollout, WorkspaceDiff

EVIL = "x<!-- rototo-ci --><img src=x onerror=alert(1)>@octocat `|` ::error::pwned\r\n::warning::y"


def _report() -> DiffReport:
    ws = WorkspaceDiff(path=f"cfg{EVIL}", status="modified", base_loadable=True, head_loadable=True)
    ws.changes.append(
        Change(
            "variable_default_changed", f"variable://{EVIL}", f"variables/{EVIL}.toml", 3, {}, EVIL
        )
    )
    for kind, after in (
        ("broken", {"error": EVIL}),
        ("changed", {"value_key": EVIL, "value": EVIL}),
    ):
        ws.resolutions.append(
            ResolutionChange(
                EVIL,
                f"contexts/{EVIL}.json",
                {"value_key": "a", "value": EVIL},
                after,
                f"variables/{EVIL}.toml",
                3,
                kind=kind,
            )
        )
    ws.rollouts.append(
        Rollout(
            EVIL,
            f"contexts/{EVIL}.json",
            EVIL,
            EVIL,
            10,
            [{"before": {"value_key": EVIL, "value": 1}, "after": {"error": EVIL}, "buckets": 10}],
            path=f"qualifiers/{EVIL}.toml",
            line=2,
        )
    )
    return DiffReport({"rev": EVIL, "commit": None}, {"rev": EVIL, "commit": None}, [ws])


def test_markdown_is_inert() -> None:
    body = render_markdown(_report())
    assert body.count(MARKER) == 1 and body.startswith(MARKER)
    assert "<img" not in body and "<!-- rototo-ci --><" not in body
    assert "@octocat" not in body  # a mention would ping
    assert "\r" not in body
    columns = None
    for line in body.splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        # every row has as many separators as its header: no `|` from the workspace splits one
        separators = len(re.findall(r"(?<!\\)\|", line))  # GFM reads `\|` as a literal pipe
        if columns is None:
            columns = separators
        assert separators == columns, line


def test_annotations_and_text_cannot_start_commands() -> None:
    for output in (
        render_github(_report()),
        render_text(_report(), width=None),
        render_text(_report(), width=80),
    ):
        for line in output.splitlines():
            stripped = line.lstrip()
            if output.startswith("::") and line.startswith(("::error ", "::notice ", "::warning ")):
                continue
            assert not stripped.startswith("::") and not stripped.startswith("##["), line
        assert "\r" not in output
