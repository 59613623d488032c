"""rototo diff on real git repositories."""

from __future__ import annotations

import json

import pytest

from rototo_ci.engine import SourceError
from rototo_ci.review import impact

from .conftest import Repo
from .workspaces import base_workspace, int_variable, qualifier_plan


def _cells(report, ws: int = 0) -> set[tuple[str, str, str | None, str | None]]:
    def key(outcome):
        if outcome is None:
            return None
        return outcome.get("value_key", "error")

    return {
        (r.variable, r.context, key(r.before), key(r.after))
        for r in report.workspaces[ws].resolutions
    }


def test_three_dot_range_uses_merge_base(repo: Repo) -> None:
    repo.write(base_workspace(), "cfg")
    repo.commit("base")
    repo.branch("feature")
    # main moves on: a change that the feature branch does not contain
    repo.write({"qualifiers/paid.toml": qualifier_plan(["enterprise"])}, "cfg")
    repo.commit("main moves")
    repo.checkout("feature")
    repo.write(
        {
            "variables/limit.toml": int_variable(
                {"small": 3, "large": 50}, "small", [("paid", "large")]
            )
        },
        "cfg",
    )
    repo.commit("feature")
    pr = repo.diff("main...feature")
    assert pr.base["rev"] == "main" and pr.head["rev"] == "feature"
    # only the feature's own change shows: limit 25 -> 50 for growth (paid)
    kinds = [c.kind for c in pr.workspaces[0].changes]
    assert kinds == ["variable_value_changed"]
    assert _cells(pr) == {("limit", "contexts/growth.json", "large", "large")}
    change = pr.workspaces[0].resolutions[0]
    assert change.before["value"] == 25 and change.after["value"] == 50
    # two dots compare the tips: main's qualifier change shows up reversed too
    tips = repo.diff("main..feature")
    assert {c.kind for c in tips.workspaces[0].changes} == {
        "variable_value_changed",
        "qualifier_predicate_changed",
    }


def test_worktree_side_and_default_range(repo: Repo) -> None:
    repo.write(base_workspace())
    repo.commit()
    repo.write({"variables/limit.toml": int_variable({"small": 3, "large": 25}, "large", [])})
    report = repo.diff()
    assert report.head == {"rev": "WORKTREE", "commit": None}
    assert report.workspaces[0].path == "."
    assert _cells(report) == {
        ("limit", "contexts/free.json", "small", "large"),
        ("limit", "contexts/edu.json", "small", "large"),
    }
    kinds = sorted(c.kind for c in report.workspaces[0].changes)
    assert kinds == ["variable_default_changed", "variable_rule_removed"]
    removed = next(c for c in report.workspaces[0].changes if c.kind == "variable_rule_removed")
    assert removed.line == 11  # the base file's line for a removal


def test_added_removed_and_renamed_workspaces(repo: Repo) -> None:
    repo.write(base_workspace(), "old")
    repo.commit()
    first = str(repo.git.head.target)
    (repo.root / "old").rename(repo.root / "new")
    repo.commit("rename")
    report = repo.diff(f"{first}..HEAD")
    statuses = {w.path: w.status for w in report.workspaces}
    assert statuses == {"new": "added", "old": "removed"}
    added = next(w for w in report.workspaces if w.path == "new")
    # every cell of an added workspace goes from absent to a value
    assert all(r.before is None and r.after is not None for r in added.resolutions)
    assert len(added.resolutions) == 2 * 3


def test_deleted_variable_and_file(repo: Repo) -> None:
    repo.write(base_workspace())
    repo.commit()
    repo.delete("variables/seats-cap.toml")
    repo.delete("qualifiers/big.toml")
    repo.commit("delete")
    report = repo.diff("HEAD~1..HEAD")
    ws = report.workspaces[0]
    assert {c.kind for c in ws.changes} == {"variable_removed", "qualifier_removed"}
    assert all(r.after is None for r in ws.resolutions)
    assert {r.variable for r in ws.resolutions} == {"seats-cap"}


def test_not_loadable_head_reports_lint_and_skips_resolution(repo: Repo) -> None:
    repo.write(base_workspace())
    repo.commit()
    repo.write({"variables/limit.toml": int_variable({"small": 3}, "missing", [])})
    report = repo.diff()
    ws = report.workspaces[0]
    assert ws.head_loadable is False and ws.base_loadable is True
    assert ws.resolutions == []
    assert any(d.rule == "rototo/variable-unknown-value" for d in ws.lint.introduced)
    assert report.introduced_errors >= 1
    # fixing it again resolves the finding
    back = repo.diff("HEAD")
    assert back.workspaces[0].status == "modified"


def test_incremental_resolution_skips_unchanged_closures(repo: Repo, monkeypatch) -> None:
    files = base_workspace()
    for i in range(20):
        files[f"variables/extra-{i}.toml"] = int_variable({"a": i, "b": i + 1}, "a", [("big", "b")])
    repo.write(files)
    repo.commit()
    repo.write({"qualifiers/paid.toml": qualifier_plan(["edu"])})
    calls: list[tuple[str, int]] = []
    original = impact._Selections.outcomes

    def counting(self, variable_id):
        found = original(self, variable_id)
        calls.append((variable_id, sum(bin(mask).count("1") for mask in found.values())))
        return found

    monkeypatch.setattr(impact._Selections, "outcomes", counting)
    report = repo.diff()
    ws = report.workspaces[0]
    # only `limit` reaches the changed qualifier: 1 variable, 3 contexts on each side
    assert calls == [("limit", 3), ("limit", 3)]
    assert ws.variables_resolved == 1 and ws.variables_skipped == 21
    assert _cells(report) == {
        ("limit", "contexts/growth.json", "large", "small"),
        ("limit", "contexts/edu.json", "small", "large"),
    }


def test_context_union_head_content_wins(repo: Repo) -> None:
    repo.write(base_workspace())
    repo.commit()
    repo.write(
        {
            "contexts/growth.json": json.dumps({"account": {"plan": "free", "seats": 1}}),
            "contexts/new.json": json.dumps({"account": {"plan": "growth", "seats": 5}}),
            "variables/limit.toml": int_variable(
                {"small": 3, "large": 30}, "small", [("paid", "large")]
            ),
        }
    )
    report = repo.diff()
    ws = report.workspaces[0]
    assert {c.kind for c in ws.changes} == {
        "context_changed",
        "context_added",
        "variable_value_changed",
    }
    # growth.json is judged with head content on both sides: free plan, no change
    assert _cells(report) == {("limit", "contexts/new.json", "large", "large")}


def test_unknown_revision_and_missing_workspace(repo: Repo) -> None:
    repo.write(base_workspace())
    repo.commit()
    with pytest.raises(SourceError, match="unknown revision"):
        repo.diff("nope..HEAD")
    with pytest.raises(SourceError, match="invalid revision"):
        repo.diff("--upload-pack=x")
    with pytest.raises(SourceError, match="no workspace"):
        repo.diff(workspaces=["elsewhere"])


def test_lint_delta_matches_on_rule_path_entity_not_lines(repo: Repo) -> None:
    files = base_workspace()
    files["qualifiers/unused.toml"] = qualifier_plan(["x"])
    repo.write(files)
    repo.commit()
    # move the unused qualifier's content down a few lines: same finding, not "introduced"
    repo.write({"qualifiers/unused.toml": "\n\n\n" + qualifier_plan(["x"])})
    report = repo.diff()
    assert report.workspaces[0].lint.introduced == []
    assert report.workspaces[0].lint.resolved == []


def test_extends_reads_parent_at_the_same_revision(repo: Repo) -> None:
    parent = base_workspace()
    repo.write(parent, "base")
    repo.write(
        {
            "rototo-workspace.toml": 'schema_version = 1\nextends = ["../base"]\n',
            "variables/limit.toml": int_variable(
                {"small": 1, "large": 2}, "small", [("paid", "large")]
            ),
        },
        "team",
    )
    repo.commit()
    # only the parent changes: the child's behaviour changes with it
    repo.write({"qualifiers/paid.toml": qualifier_plan(["free"])}, "base")
    repo.commit("parent change")
    report = repo.diff("HEAD~1..HEAD")
    by_path = {w.path: w for w in report.workspaces}
    assert set(by_path) == {"base", "team"}
    team = by_path["team"]
    assert team.status == "modified"
    assert _cells(report, list(by_path).index("team")) == {
        ("limit", "contexts/free.json", "small", "large"),
        ("limit", "contexts/growth.json", "large", "small"),
    }
