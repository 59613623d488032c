"""Malformed TOML and JSON files (tests/conformance/malformed.py): the parse diagnostic
of each, rule and range, equals the reference engine's, asked live."""

from __future__ import annotations

from pathlib import Path

from ..helpers import write_files
from ..oracle.lint import key, lint_problems, ours_lint, reference_lint
from .malformed import JSON_CASES, TOML_CASES, TOML_FIRST_LINE, VARIABLE_HEAD

MANIFEST = "schema_version = 1\n"


def _workspaces() -> dict[str, dict[str, str]]:
    cases: dict[str, dict[str, str]] = {}
    for name, text in TOML_CASES.items():
        cases[f"toml-{name}"] = {"variables/v.toml": VARIABLE_HEAD + text}
    for name, text in TOML_FIRST_LINE.items():
        cases[f"first-{name}"] = {"qualifiers/q.toml": text}
    for name, text in JSON_CASES.items():
        cases[f"json-{name}"] = {"schemas/s.json": text}
    return cases


def test_malformed_files_are_located_as_the_reference_locates_them(tmp_path: Path) -> None:
    cases = _workspaces()
    roots = [
        write_files(tmp_path / name, {"rototo-workspace.toml": MANIFEST, **files})
        for name, files in cases.items()
    ]
    theirs = reference_lint(roots)
    problems, parse_failures = [], 0
    for root, reference in zip(roots, theirs, strict=True):
        assert "error" not in reference, root.name
        parse_failures += sum(1 for d in reference["diagnostics"] if "parse-failed" in d["rule"])
        problems += lint_problems(root, reference)
    assert not problems, "\n".join(problems[:40])
    # nearly every case is a parse failure (a few are read by the reference on purpose)
    assert parse_failures >= len(cases) - 12


def test_the_battery_covers_ranges_and_unlocated_errors(tmp_path: Path) -> None:
    """Both kinds occur: a range, and none (e.g. `x = 1.` or an unclosed array at EOF)."""
    roots = [
        write_files(
            tmp_path / "a", {"rototo-workspace.toml": MANIFEST, "variables/v.toml": "x = 1.\n"}
        ),
        write_files(
            tmp_path / "b", {"rototo-workspace.toml": MANIFEST, "schemas/s.json": '{"a": tru}'}
        ),
    ]
    unlocated, located = (ours_lint(root)["diagnostics"] for root in roots)
    assert [key(d)[5] for d in unlocated if "parse" in d["rule"]] == ["-"]
    assert [key(d)[5] for d in located if "parse" in d["rule"]] == ["0:9-0:10"]
