"""A qualifier whose closure is byte-identical on both sides is evaluated once per context."""

from __future__ import annotations

import json
from collections import Counter

from rototo_ci.engine.resolve import Evaluation

from .conftest import Repo
from .workspaces import base_workspace, int_variable, qualifier_plan, qualifier_seats


def _counting(monkeypatch) -> Counter[str]:
    """Qualifier evaluations per id (a value taken from the memo or the peer is none)."""
    evaluated: Counter[str] = Counter()
    original = Evaluation._start

    def counting(self, qualifier_id):  # type: ignore[no-untyped-def]
        found = original(self, qualifier_id)
        if not isinstance(found, bool):
            evaluated[qualifier_id] += 1
        return found

    monkeypatch.setattr(Evaluation, "_start", counting)
    return evaluated


def _chained_workspace() -> dict[str, str]:
    files = base_workspace()
    # `paid-big` reads `paid` and `big`: its closure is three files
    files["qualifiers/paid-big.toml"] = (
        'schema_version = 1\n\n[[predicate]]\nattribute = "qualifier.paid"\nop = "eq"\n'
        'value = true\n\n[[predicate]]\nattribute = "qualifier.big"\nop = "eq"\nvalue = true\n'
    )
    files["variables/tier.toml"] = int_variable(
        {"one": 1, "two": 2, "three": 3}, "one", [("paid-big", "three"), ("big", "two")]
    )
    return files


def test_unchanged_qualifiers_are_evaluated_once_for_both_sides(repo: Repo, monkeypatch) -> None:
    repo.write(_chained_workspace())
    repo.commit()
    tier = int_variable(
        {"one": 1, "two": 2, "three": 3}, "two", [("paid-big", "three"), ("big", "two")]
    )
    repo.write({"variables/tier.toml": tier})  # only the default changes
    evaluated = _counting(monkeypatch)
    report = repo.diff()
    # three contexts; without sharing each qualifier `tier` reaches would run 3 x 2 times
    assert evaluated["paid-big"] == 3 and evaluated["big"] == 3
    assert evaluated["paid"] <= 3
    cells = {
        (r.context, r.before["value_key"], r.after["value_key"])
        for r in report.workspaces[0].resolutions
    }
    assert cells == {("contexts/free.json", "one", "two")}


def test_a_changed_qualifier_is_evaluated_on_each_side(repo: Repo, monkeypatch) -> None:
    repo.write(_chained_workspace())
    repo.commit()
    # `big` changes, so `paid-big` (which reads it) differs too; `paid` is still shared
    repo.write({"qualifiers/big.toml": qualifier_seats(400)})
    evaluated = _counting(monkeypatch)
    report = repo.diff()
    assert evaluated["big"] == 6 and evaluated["paid-big"] == 6
    assert evaluated["paid"] <= 3
    cells = {
        (r.variable, r.context, r.before["value_key"], r.after["value_key"])
        for r in report.workspaces[0].resolutions
    }
    assert cells == {
        ("seats-cap", "contexts/growth.json", "high", "low"),
        ("tier", "contexts/growth.json", "three", "one"),
    }


def test_sharing_changes_no_report(repo: Repo, monkeypatch) -> None:
    files = _chained_workspace()
    files["contexts/broken.json"] = json.dumps({"account": {"plan": "growth"}})  # no seats
    repo.write(files)
    repo.commit()
    repo.write(
        {
            "qualifiers/paid.toml": qualifier_plan(["growth", "edu"]),
            "variables/limit.toml": int_variable(
                {"small": 3, "large": 25}, "large", [("paid", "small")]
            ),
            "variables/tier.toml": int_variable(
                {"one": 1, "two": 2, "three": 3}, "two", [("big", "one"), ("paid-big", "three")]
            ),
        }
    )
    shared = repo.diff().to_json()
    monkeypatch.setattr(Evaluation, "share_with", lambda self, peer, ids: None)
    alone = repo.diff().to_json()
    assert shared == alone
    assert shared["summary"]["resolution_changes"] > 0
