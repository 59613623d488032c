"""Diff renderers: the PR comment's size cap, annotation caps, text output."""

from __future__ import annotations

from rototo_ci.engine.diagnostics import Diagnostic
from rototo_ci.engine.documents import Position, Range
from rototo_ci.render.diff_github import render_github
from rototo_ci.render.diff_markdown import MARKER, render_markdown
from rototo_ci.render.diff_text import render_text
from rototo_ci.review.report import Change, DiffReport, LintDelta, ResolutionChange, WorkspaceDiff


def _diag(i: int, severity: str = "error") -> Diagnostic:
    rng = Range(Position(i, 2), Position(i, 9))
    return Diagnostic(
        rule="rototo/variable-unknown-value",
        severity=severity,
        stage="reference",
        entity={"kind": "variable", "id": f"v{i}"},
        message=f"bad value {i}",
        help="",
        path=f"variables/v{i}.toml",
        range=rng,
    )


def _huge_report(variables: int = 3000, contexts: int = 30) -> DiffReport:
    ws = WorkspaceDiff(path="config", status="modified", base_loadable=True, head_loadable=True)
    for v in range(variables):
        ws.changes.append(
            Change(
                "variable_default_changed",
                f"variable://v{v}",
                f"variables/v{v}.toml",
                9,
                {"before": "a", "after": "b"},
            )
        )
        for c in range(contexts):
            ws.resolutions.append(
                ResolutionChange(
                    f"v{v}",
                    f"contexts/c{c}.json",
                    {"value_key": "a", "value": v},
                    {"value_key": "b", "value": v + c},
                    f"variables/v{v}.toml",
                    9,
                )
            )
    ws.lint = LintDelta(
        introduced=[_diag(i) for i in range(25)] + [_diag(i, "warning") for i in range(25)]
    )
    return DiffReport(
        base={"rev": "main", "commit": "a" * 40},
        head={"rev": "feature", "commit": "b" * 40},
        workspaces=[ws],
    )


def test_markdown_is_capped_and_says_so() -> None:
    report = _huge_report()
    body = render_markdown(report)
    assert len(body) <= 65_536
    assert body.startswith(MARKER)
    assert "shortened" in body and "job summary" in body
    assert "more rows not shown" in body
    # counts lead, and the introduced lint errors survive truncation before detail rows do
    assert "**90,000 changed**" in body
    assert body.count("🔴 error") == 25


def test_small_markdown_is_whole() -> None:
    report = _huge_report(variables=2, contexts=2)
    body = render_markdown(report)
    assert "shortened" not in body
    assert "<details><summary>Semantic changes (2)</summary>" in body
    assert "| <code>v1</code> |" in body


def test_github_annotations_capped_per_kind() -> None:
    report = _huge_report(variables=40, contexts=2)
    lines = render_github(report).splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines]
    assert kinds.count("::error") == 10
    assert kinds.count("::warning") == 10
    assert kinds.count("::notice") == 10
    assert kinds.index("::error") < kinds.index("::warning") < kinds.index("::notice")
    assert "more annotation(s) not shown" in lines[-1]
    first = lines[0]
    assert first.startswith("::error file=config/variables/v0.toml,line=1,col=3,endLine=1,")
    assert "title=rototo/variable-unknown-value::" in first


def test_github_escaping() -> None:
    ws = WorkspaceDiff(path=".", status="modified", base_loadable=True, head_loadable=True)
    ws.resolutions.append(
        ResolutionChange(
            "a,b", "c:1", None, {"error": "100% boom\n::error::x"}, "variables/a,b.toml", 1
        )
    )
    ws.resolutions.append(
        ResolutionChange(
            "a,b", "c:2", None, {"value_key": "k", "value": 1}, "variables/a,b.toml", 1
        )
    )
    out = render_github(
        DiffReport({"rev": "x", "commit": None}, {"rev": "y", "commit": None}, [ws])
    )
    assert "file=variables/a%2Cb.toml" in out
    assert "100%25" in out and len(out.splitlines()) == 2
    assert all(line.startswith("::notice ") for line in out.splitlines())


def test_text_rendering_mentions_cells() -> None:
    text = render_text(_huge_report(variables=1, contexts=2), color=False)
    assert "contexts/c1.json" in text and "→" in text and "1 lint" not in text.splitlines()[0]
