"""Generated cases follow upstream alpha.4 `rototo fixtures`: ids, titles, reasons, selection.

Facts taken from upstream's generator: a qualifier gets `matches` plus one
`false-<predicate>` case per predicate (bucket predicates: `false-outside-<attr>-bucket`,
qualifier references: the referenced id), each with that predicate false and the
others kept true when possible; variables get `default` and `rule-<i>-<qualifier>`;
nothing selected means every variable and every qualifier.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from rototo_ci.engine import Workspace
from rototo_ci.testing.generate import generate_suite
from rototo_ci.testing.suite import SUITE_FILE, parse_fixture_file
from rototo_ci.testing.synthesize import sanitize_id

from ..cli.conftest import EXAMPLE, run_cli


def _suite(tmp_path: Path, variables: list[str], qualifiers: list[str]):  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("tests"))
    workspace = Workspace.load(str(ws))
    suite = generate_suite(workspace, tmp_path / "out", variables, qualifiers)
    files = {
        rel: parse_fixture_file(rel, text) for rel, text in suite.files.items() if rel != SUITE_FILE
    }
    return workspace, suite, files


def test_qualifier_cases_one_false_case_per_predicate(tmp_path: Path) -> None:
    workspace, suite, files = _suite(tmp_path, [], ["large-account", "checkout-rollout"])
    large = files["qualifiers/large-account.toml"]
    assert large.description == "Runtime behavior fixtures for qualifier://large-account"
    assert [(c.id, c.title, c.because) for c in large.cases] == [
        (
            "matches",
            "Matches when all predicates are true",
            "Every qualifier predicate is satisfied.",
        ),
        (
            "false-paid-plan",
            "Does not match when qualifier.paid-plan is false",
            "All other predicates are kept true when possible.",
        ),
        (
            "false-account-seats",
            "Does not match when account.seats is false",
            "All other predicates are kept true when possible.",
        ),
    ]
    rollout = files["qualifiers/checkout-rollout.toml"]
    assert [c.id for c in rollout.cases] == ["matches", "false-outside-account-id-bucket"]
    for fixture in (large, rollout):
        qid = fixture.target_id
        for case in fixture.cases:
            assert case.generated
            trace = workspace.trace_qualifier(qid, case.context)
            assert trace.value is case.expect.value
            results = [p.result for p in trace.predicates]
            if case.id == "matches":
                assert all(results)
            else:
                # exactly the named predicate is false; the others stay true
                false_at = [i for i, r in enumerate(results) if not r]
                assert len(false_at) == 1
                p = workspace.model.qualifiers[qid].predicates[false_at[0]]
                assert case.title == f"Does not match when {p.attribute} is false"


def test_variable_case_ids_and_titles(tmp_path: Path) -> None:
    _, _, files = _suite(tmp_path, ["max-projects"], [])
    cases = files["variables/max-projects.toml"].cases
    assert [(c.id, c.title) for c in cases] == [
        ("default", "Uses the default value when no rule matches"),
        ("rule-0-large-account", "Rule 0 selects large when large-account matches"),
        ("rule-1-paid-plan", "Rule 1 selects paid when paid-plan matches"),
    ]
    assert cases[0].because == "Every rule qualifier is false."
    assert cases[1].because == "Earlier rule qualifiers are kept false when possible."


def test_sanitize_id() -> None:
    assert sanitize_id("account.id") == "account-id"
    assert sanitize_id("Plan_Tier") == "plan-tier"
    assert sanitize_id("-é.x-") == "x"
    assert sanitize_id("ééé") == "fixture"
    rng = random.Random(7)
    alphabet = "aZ9-_.é ~"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        out = sanitize_id(text)
        assert out == "fixture" or (
            out == out.strip("-") and set(out) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
        )


def test_cli_without_selectors_writes_qualifiers_and_lists_files(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("tests"))
    out = tmp_path / "out"
    result = run_cli("fixtures", str(ws), "--out", str(out))
    assert result.code == 0, result.err
    assert f"fixtures: {out}" in result.out
    assert "  wrote qualifiers/large-account.toml" in result.out
    assert "  wrote variables/max-projects.toml" in result.out
    assert "  wrote rototo-fixtures.toml" in result.out
    assert (out / "qualifiers" / "paid-plan.toml").is_file()
    assert run_cli("fixtures", str(ws), "--out", str(out), "--check").code == 0
