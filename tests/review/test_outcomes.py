"""Outcome kinds, the line that broke a context, the gate, context scope, saved reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rototo_ci.cli.diff import FailOn, gate_exit_code
from rototo_ci.render.diff_github import render_github
from rototo_ci.render.diff_markdown import render_markdown
from rototo_ci.render.diff_text import render_text
from rototo_ci.review.diff import DiffOptions, run_diff
from rototo_ci.review.report import DiffReport, cell_kind
from rototo_ci.testing.contexts import context_set

from ..cli.conftest import run_cli
from .conftest import Repo
from .workspaces import base_workspace, int_variable, qualifier_plan

REGION = (
    'schema_version = 1\n\n[[predicate]]\nattribute = "account.region"\nop = "eq"\nvalue = "eu"\n'
)


SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "account": {
                "type": "object",
                "properties": {
                    "plan": {"type": "string"},
                    "tier": {"type": "string"},
                    "seats": {"type": "integer"},
                    "region": {"type": "string"},
                },
            },
            "request": {"type": "object", "properties": {"region": {"type": "string"}}},
        },
    }
)


def workspace() -> dict[str, str]:
    files = base_workspace()
    files["schemas/context.schema.json"] = SCHEMA
    return files


def test_cell_kinds() -> None:
    a, b = {"value_key": "a", "value": 1}, {"value_key": "b", "value": 2}
    assert cell_kind(a, b) == "changed"
    assert cell_kind(a, {"value_key": "a", "value": 1.0}) == "changed"  # 1 and 1.0 differ
    assert cell_kind(a, dict(a)) is None
    assert cell_kind(a, {"error": "x"}) == "broken"
    assert cell_kind({"error": "x"}, a) == "fixed"
    assert cell_kind({"error": "x"}, {"error": "a different message"}) is None
    assert cell_kind(None, a) == "added" and cell_kind(a, None) == "removed"
    assert cell_kind(None, None) is None


def _broken_repo(repo: Repo) -> None:
    repo.write(workspace())
    repo.commit("base")
    # a rule reading an attribute the declared contexts do not provide
    repo.write(
        {
            "qualifiers/eu.toml": REGION,
            "variables/limit.toml": int_variable(
                {"small": 3, "large": 25}, "small", [("eu", "large"), ("paid", "large")]
            ),
        }
    )
    repo.commit("read account.region")


def test_broken_contexts_lead_and_point_at_the_rule_that_broke_them(repo: Repo) -> None:
    _broken_repo(repo)
    report = repo.diff("HEAD~1..HEAD")
    ws = report.workspaces[0]
    assert {r.kind for r in ws.resolutions} == {"broken"}
    assert len(ws.resolutions) == 3  # every declared context of `limit`
    assert report.summary["broken"] == 3 and report.summary["changed"] == 0
    added = next(c for c in ws.changes if c.kind == "variable_rule_added")
    assert added.summary == "rule 1 added: eu → large"
    assert {(r.path, r.line) for r in ws.resolutions} == {(added.path, added.line)}
    assert gate_exit_code(report, FailOn.error) == 1
    assert gate_exit_code(report, FailOn.lint) == 1
    assert gate_exit_code(report, FailOn.never) == 0
    annotations = render_github(report).splitlines()
    # one error per transition (small → error in 2 contexts, large → error in 1), on that line
    where = f"error file=variables/limit.toml,line={added.line},title=rototo%3A limit breaks in"
    assert [a.split("::")[1] for a in annotations] == [f"{where} 2 contexts", f"{where} 1 context"]
    assert "rule 1 added: eu → large" in annotations[0]
    body = render_markdown(report)
    assert "🔴 3 broken contexts" in body.splitlines()[1]
    assert body.index("Broken contexts") < body.index("Semantic changes")
    text = render_text(report, width=None)
    assert text.splitlines()[0].split(": ", 1)[1].startswith("3 broken contexts")


def test_broken_by_a_predicate_change_points_at_the_predicate(repo: Repo) -> None:
    repo.write(workspace())
    repo.commit("base")
    repo.write({"qualifiers/paid.toml": qualifier_plan(["growth"]).replace("plan", "tier")})
    repo.commit("read account.tier")
    ws = repo.diff("HEAD~1..HEAD").workspaces[0]
    change = next(c for c in ws.changes if c.kind == "qualifier_predicate_changed")
    assert (
        change.summary
        == "predicate 1: account.plan in [growth, enterprise] → account.tier in [growth]"
    )
    assert ws.resolutions and all(r.kind == "broken" for r in ws.resolutions)
    assert {(r.path, r.line) for r in ws.resolutions} == {(change.path, change.line)}


def test_error_on_both_sides_is_no_change(repo: Repo) -> None:
    files = workspace()
    files["qualifiers/eu.toml"] = REGION
    files["variables/limit.toml"] = int_variable(
        {"small": 3, "large": 25}, "small", [("eu", "large")]
    )
    repo.write(files)
    repo.commit("base: limit fails everywhere")
    # a different failure message on the head: still a failure for an application
    repo.write({"qualifiers/eu.toml": REGION.replace("account.region", "request.region")})
    repo.commit("head")
    report = repo.diff("HEAD~1..HEAD")
    assert report.workspaces[0].resolutions == []
    assert gate_exit_code(report, FailOn.error) == 0
    assert gate_exit_code(report, FailOn.behaviour) == 0
    assert gate_exit_code(report, FailOn.any_change) == 1  # a semantic change all the same


def test_gate_levels(repo: Repo) -> None:
    repo.write(base_workspace())
    repo.commit("base")
    repo.write(
        {
            "variables/limit.toml": int_variable(
                {"small": 3, "large": 30}, "small", [("paid", "large")]
            )
        }
    )
    repo.commit("value change")
    report = repo.diff("HEAD~1..HEAD")
    assert report.summary["changed"] == 1 and report.summary["broken"] == 0
    assert gate_exit_code(report, FailOn.error) == 0
    assert gate_exit_code(report, FailOn.behaviour) == 1
    assert gate_exit_code(report, FailOn.any_change) == 1
    # a change that alters no cell trips only any-change
    repo.write({"contexts/extra.json": json.dumps({"account": {"plan": "free", "seats": 1}})})
    quiet = repo.diff("HEAD")
    assert quiet.summary["resolution_changes"] == 0 and quiet.summary["changes"] == 1
    assert [gate_exit_code(quiet, f) for f in FailOn] == [0, 0, 0, 1, 0]


SUITE = """schema_version = 1

[[fixture]]
path = "variables/limit.toml"
target = "variable:limit"

[[fixture]]
path = "qualifiers/big.toml"
target = "qualifier:big"
"""

LIMIT_CASES = """schema_version = 1
target = "variable:limit"

[[case]]
id = "paid"
title = "paid plan"
[case.context.account]
plan = "growth"
[case.expect]
value = 25
"""

BIG_CASES = """schema_version = 1
target = "qualifier:big"

[[case]]
id = "many-seats"
title = "many seats"
[case.context.account]
seats = 150
[case.expect]
value = true
"""


def test_fixture_case_contexts_judge_their_own_target_only(repo: Repo) -> None:
    files = base_workspace()
    files.update(
        {
            "tests/rototo-fixtures.toml": SUITE,
            "tests/variables/limit.toml": LIMIT_CASES,
            "tests/qualifiers/big.toml": BIG_CASES,
        }
    )
    repo.write(files)
    repo.commit("base")
    repo.write(
        {
            "variables/limit.toml": int_variable(
                {"small": 3, "large": 30}, "small", [("paid", "large")]
            ),
            "variables/seats-cap.toml": int_variable(
                {"low": 10, "high": 2000}, "low", [("big", "high")]
            ),
            "qualifiers/big.toml": (
                'schema_version = 1\n\n[[predicate]]\nattribute = "account.seats"\nop = "gte"\n'
                "value = 200\n"
            ),
        }
    )
    repo.commit("head")
    report = run_diff(DiffOptions(range="HEAD~1..HEAD", cwd=repo.root), context_set)
    cells = {(r.variable, r.context, r.qualifier, r.kind) for r in report.workspaces[0].resolutions}
    # the limit case (plan only) never judges seats-cap, which would fail on it;
    # the qualifier case compares the qualifier's value
    assert cells == {
        ("limit", "contexts/growth.json", False, "changed"),
        ("limit", "tests/variables/limit.toml#paid", False, "changed"),
        ("seats-cap", "contexts/growth.json", False, "changed"),  # 150 seats: high → low
        ("seats-cap", "contexts/edu.json", False, "changed"),  # 500 seats: high 1000 → 2000
        ("big", "tests/qualifiers/big.toml#many-seats", True, "changed"),
    }
    cell = next(r for r in report.workspaces[0].resolutions if r.qualifier)
    assert cell.to_json()["qualifier"] == "big" and "variable" not in cell.to_json()
    assert cell.before == {"value": True} and cell.after == {"value": False}


def test_report_round_trips_through_json(repo: Repo) -> None:
    _broken_repo(repo)
    report = repo.diff("HEAD~1..HEAD")
    data = json.loads(json.dumps(report.to_json()))
    again = DiffReport.from_json(data)
    assert again.to_json() == report.to_json()
    assert render_markdown(again) == render_markdown(report)
    assert render_github(again) == render_github(report)
    ws = data["workspaces"][0]
    assert ws["uncovered"] == [] and ws["rollouts"] == [] and data["summary"]["uncovered"] == 0
    for key in ("changed", "broken", "fixed", "resolution_changes"):
        assert key in data["summary"]
    assert all(c["summary"] for c in ws["changes"])


def test_cli_outputs_and_render(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_repo(repo)
    monkeypatch.chdir(repo.root)
    out_json, out_md = tmp_path / "r.json", tmp_path / "c.md"
    result = run_cli(
        "diff", "HEAD~1..HEAD", "--output", f"json={out_json}", "--output", f"markdown={out_md}"
    )
    assert result.code == 1, result.err  # broken contexts trip the default gate
    assert "3 broken contexts" in result.out
    assert run_cli("diff", "HEAD~1..HEAD", "--fail-on", "never").code == 0
    report = DiffReport.from_json(json.loads(out_json.read_text()))
    assert out_md.read_text() == render_markdown(report)
    rendered = run_cli("render", str(out_json), "--format", "markdown")
    assert rendered.code == 0 and rendered.out == out_md.read_text()
    # two saved reports merge into one
    other = json.loads(out_json.read_text())
    other["workspaces"][0]["path"] = "other"
    second = tmp_path / "r2.json"
    second.write_text(json.dumps(other))
    merged = run_cli("render", str(out_json), str(second), "--format", "json")
    assert [w["path"] for w in json.loads(merged.out)["workspaces"]] == [".", "other"]
    assert json.loads(merged.out)["summary"]["broken"] == 6
    quality = tmp_path / "quality.json"
    assert run_cli("diff", "HEAD~1..HEAD", "--output", f"gitlab={quality}").code == 1
    assert isinstance(json.loads(quality.read_text()), list)
    bad = run_cli("diff", "HEAD~1..HEAD", "--output", "pdf=x.pdf")
    assert bad.code == 2 and "rototo: error: --output" in bad.err
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    failed = run_cli("render", str(junk))
    assert (
        failed.code == 2
        and failed.err.startswith("rototo: error:")
        and "Traceback" not in failed.err
    )


def test_rototo_test_follows_the_same_scope(tmp_path: Path) -> None:
    """A fixture case judges its own target in `rototo test` too: the limit case names only
    the plan, and seats-cap (which reads seats) is never resolved on it."""
    from rototo_ci.engine import Workspace
    from rototo_ci.testing.runner import TestOptions, run_tests

    from ..helpers import write_files

    files = workspace()
    files.update(
        {
            "tests/rototo-fixtures.toml": SUITE,
            "tests/variables/limit.toml": LIMIT_CASES,
            "tests/qualifiers/big.toml": BIG_CASES,
        }
    )
    root = write_files(tmp_path / "ws", files)
    report = run_tests(Workspace.load(str(root)), TestOptions())
    assert report.failed == [], report.failed
    by_suite = report.suites()
    assert [c.name for c in by_suite["tests/variables/limit.toml"]] == ["paid"]
    assert [c.name for c in by_suite["tests/qualifiers/big.toml"]] == ["many-seats"]
    # declared contexts resolve every variable
    assert {c.name for c in by_suite["contexts/free.json"]} >= {
        "resolves limit",
        "resolves seats-cap",
    }
