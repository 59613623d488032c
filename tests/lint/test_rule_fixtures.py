"""One fixture workspace per built-in rule; expectations recorded from the reference engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rototo_ci.lint.catalog import RULES

from ..cli.conftest import run_cli
from ..oracle.lint import reference_lint

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lint"
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def _strip(d: dict) -> dict:
    return {k: d[k] for k in ("rule", "severity", "stage", "entity", "location")}


def _canon(items: list[dict], root: str = "") -> list[dict]:
    """Sorted; a location at the workspace root (an absolute path) reads `<workspace root>`."""
    stripped = [_strip(d) for d in items]
    for d in stripped:
        if root and d["location"]["path"] in (root, str(Path(root).resolve())):
            d["location"] = {**d["location"], "path": "<workspace root>"}
    return sorted(stripped, key=lambda d: json.dumps(d, sort_keys=True))


def test_every_built_in_rule_has_a_fixture() -> None:
    assert {f"rototo/{p.name}" for p in CASES} == set(RULES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture_lints_as_expected(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    target = str(case / expected.get("lint_path", ""))
    result = run_cli("lint", target, "--json", "--no-cache")
    diagnostics = json.loads(result.out)["diagnostics"]
    assert _canon(diagnostics, target) == _canon(expected["diagnostics"])
    assert f"rototo/{case.name}" in {d["rule"] for d in diagnostics}
    assert result.code == (1 if any(d["severity"] == "error" for d in diagnostics) else 0)


def test_expectations_are_the_reference_engines() -> None:
    """expected.json is what the reference engine reports (or it refuses to load)."""
    answers = reference_lint(CASES)
    for case, answer in zip(CASES, answers, strict=True):
        expected = json.loads((case / "expected.json").read_text())
        if expected["reference"] == "agrees":
            assert _canon(answer["diagnostics"]) == _canon(expected["diagnostics"]), case.name
        else:
            assert "error" in answer, case.name
