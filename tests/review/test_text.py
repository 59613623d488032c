"""The text renderer: terminal width, unwrapped when piped, grouped, capped, fast."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from rototo_ci.render.diff_github import render_github
from rototo_ci.render.diff_markdown import render_markdown
from rototo_ci.render.diff_text import render_text
from rototo_ci.review.diff import DiffOptions, run_diff
from rototo_ci.review.report import Change, DiffReport, ResolutionChange, WorkspaceDiff
from rototo_ci.testing.contexts import context_set

from ..cli.conftest import EXAMPLE
from .conftest import Repo
from .test_render import _huge_report


def _long_report() -> DiffReport:
    ws = WorkspaceDiff(path="config", status="modified", base_loadable=True, head_loadable=True)
    for c in range(7):
        name = f"tests/variables/a-rather-long-variable-name.toml#case-with-a-long-id-{c}"
        ws.resolutions.append(
            ResolutionChange(
                "a-rather-long-variable-name",
                name,
                {"value_key": "small", "value": 3},
                {"error": "missing resolve context attribute: account.region required by x"},
                "variables/a-rather-long-variable-name.toml",
                12,
            )
        )
    ws.changes.append(
        Change(
            "variable_rule_added",
            "variable://a-rather-long-variable-name",
            "variables/a-rather-long-variable-name.toml",
            12,
            {},
            "rule 1 added: some-qualifier-with-a-long-name → large",
        )
    )
    return DiffReport({"rev": "main", "commit": "a" * 40}, {"rev": "feature", "commit": None}, [ws])


def test_text_fits_80_columns_and_leads_with_broken() -> None:
    text = render_text(_long_report(), width=80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("rototo diff main (aaaaaaaaaa) → feature: 7 broken contexts")
    assert any("Broken contexts" in line for line in lines)
    assert all(line == line.rstrip() for line in lines)


def test_piped_text_keeps_each_finding_on_one_line() -> None:
    text = render_text(_long_report(), width=None)
    findings = [line for line in text.splitlines() if "a-rather-long-variable-name:" in line]
    assert len(findings) == 1  # one group: the same transition in 7 contexts
    finding = findings[0]
    assert "small (3) → error: missing resolve context attribute" in finding
    assert "in 7 contexts (" in finding and "+3 more" in finding
    assert finding.endswith("variables/a-rather-long-variable-name.toml:12")
    sentence = [line for line in text.splitlines() if "rule 1 added" in line]
    assert sentence == [
        "    variables/a-rather-long-variable-name.toml:12  variable://a-rather-long-variable-name"
        "  rule 1 added: some-qualifier-with-a-long-name → large"
    ]


def test_huge_report_is_capped_and_quick() -> None:
    report = _huge_report(variables=5000, contexts=30)
    assert len(report.workspaces[0].resolutions) == 150_000
    start = time.perf_counter()
    text = render_text(report, width=None)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, elapsed  # about a second; generous for a loaded machine
    assert "more groups not shown" in text and len(text.splitlines()) < 200
    assert "150,000 changed" in text.splitlines()[0]


def test_several_workspaces_show_repository_relative_paths() -> None:
    one = _long_report()
    other = _long_report().workspaces[0]
    other.path = "teams/other"
    both = DiffReport(one.base, one.head, [*one.workspaces, other])
    text = render_text(both, width=None)
    assert "teams/other/variables/a-rather-long-variable-name.toml:12" in text
    assert "config/variables/a-rather-long-variable-name.toml:12" in text
    single = render_text(one, width=None)
    assert "config/variables" not in single


def test_no_reviewer_output_shows_raw_detail_json(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo.root / "config")
    repo.commit("example")
    rollout = repo.root / "config" / "qualifiers" / "checkout-rollout.toml"
    rollout.write_text(rollout.read_text().replace("[0, 2000]", "[500, 9000]"))
    projects = repo.root / "config" / "variables" / "max-projects.toml"
    projects.write_text(projects.read_text().replace("paid = 25", "paid = 30"))
    repo.commit("change")
    report = run_diff(DiffOptions(range="HEAD~1..HEAD", cwd=repo.root), context_set)
    ws = report.workspaces[0]
    assert ws.rollouts and all(c.summary for c in ws.changes)
    rollout_change = next(c for c in ws.changes if "rollout" in c.detail)
    assert rollout_change.detail["rollout"]["kind"] == "moved"
    assert rollout_change.summary == (
        "predicate 1: rollout on account.id: 0–20.00 % → 5.00–90.00 % "
        "(+7,000 buckets enter, −500 leave)"
    )
    raw = re.compile(r'"(attribute|index|range|salt|op|predicates|before|after|kind)"\s*:')
    sentence = rollout_change.summary.split(": ", 1)[1]
    for output in (
        render_text(report, width=None),
        render_text(report, width=80),
        render_markdown(report),
        render_github(report),
    ):
        assert not raw.search(output), raw.search(output)
    assert sentence in render_text(report, width=None)
    assert sentence.replace("(", "\\(").replace(")", "\\)").replace("+", "\\+") in (
        render_markdown(report)
    )
    assert sentence.replace("%", "%25") in render_github(report)
