"""Every change kind reads as one sentence (SPEC §5 examples), never as detail JSON."""

from __future__ import annotations

import pytest

from rototo_ci.review.report import Change
from rototo_ci.review.sentences import summarize

PLAN = {"index": 0, "attribute": "account.plan", "op": "in"}


@pytest.mark.parametrize(
    ("kind", "detail", "sentence"),
    [
        (
            "variable_default_changed",
            {"before": "low", "after": "high", "before_value": 10, "after_value": 50},
            "default: low (10) → high (50)",
        ),
        ("variable_default_changed", {"before": "10", "after": "50"}, "default: 10 → 50"),
        ("variable_type_changed", {"before": "int", "after": "string"}, "type: int → string"),
        (
            "variable_value_changed",
            {"key": "paid", "before": 25, "after": 30},
            "value paid: 25 → 30",
        ),
        ("variable_value_added", {"key": "pro", "after": [1, 2]}, "value pro added: [1, 2]"),
        ("variable_value_removed", {"key": "old", "before": "x"}, "value old removed (was x)"),
        (
            "variable_rule_added",
            {"index": 2, "after": {"index": 2, "qualifier": "eu-request", "value": "starter"}},
            "rule 3 added: eu-request → starter",
        ),
        (
            "variable_rule_removed",
            {"index": 0, "before": {"index": 0, "qualifier": "paid", "value": "large"}},
            "rule 1 removed: paid → large",
        ),
        (
            "variable_rule_changed",
            {
                "index": 1,
                "before": {"qualifier": "paid", "value": "large"},
                "after": {"qualifier": "paid", "value": "small"},
            },
            "rule 2 (paid): large → small",
        ),
        (
            "qualifier_predicate_changed",
            {
                "index": 0,
                "before": {**PLAN, "value": ["growth", "scale"]},
                "after": {**PLAN, "value": ["growth"]},
            },
            "predicate 1: account.plan in [growth, scale] → [growth]",
        ),
        (
            "qualifier_predicate_added",
            {
                "index": 1,
                "after": {"index": 1, "attribute": "account.seats", "op": "gte", "value": 100},
            },
            "predicate 2 added: account.seats ≥ 100",
        ),
        (
            "qualifier_added",
            {"predicates": [{**PLAN, "value": ["pro"]}]},
            "qualifier added: account.plan in [pro]",
        ),
        (
            "resource_object_changed",
            {
                "key": "dark",
                "before": {"bg": "#000", "fg": "#fff"},
                "after": {"bg": "#111", "fg": "#fff"},
            },
            "object dark: bg: #000 → #111",
        ),
        (
            "schema_changed",
            {"change": "modified", "context_schema": True},
            "context schema modified",
        ),
        ("lint_rule_file_changed", {"change": "added"}, "custom lint file added"),
        ("context_added", {}, "context added"),
    ],
)
def test_sentences(kind: str, detail: dict, sentence: str) -> None:
    assert summarize(Change(kind, "t://x", "p", 1, detail)) == sentence
