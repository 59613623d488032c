"""`--format gitlab`: GitLab Code Quality reports for lint and diff, validated against the
report format GitLab documents (docs.gitlab.com, ci/testing/code_quality, "Code Quality
report format"): a JSON array of issues, each with a description, a check name, a unique
fingerprint, one of five severities and a location with a relative path and a begin line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from rototo_ci.render.gitlab import render_diff_gitlab, render_lint_gitlab

from ..cli.conftest import EXAMPLE
from ..cli.test_commands import run_cli
from ..helpers import commit_all, flag_workspace, init_repo, write_files

# GitLab's documented Code Quality report format, written as a JSON Schema
CODE_QUALITY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(/|\\./)"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                    "positions": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {
                                "type": "object",
                                "required": ["line"],
                                "properties": {"line": {"type": "integer", "minimum": 1}},
                            }
                        },
                    },
                },
                # a line is given either as lines.begin or as positions.begin.line
                "anyOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}


def validate(text: str) -> list[dict]:
    issues = json.loads(text)
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints), "fingerprints must be unique"
    return issues


def test_schema_rejects_what_gitlab_rejects() -> None:
    good = {
        "description": "x",
        "check_name": "c",
        "fingerprint": "f",
        "severity": "minor",
        "location": {"path": "a.toml", "lines": {"begin": 1}},
    }
    jsonschema.validate([good], CODE_QUALITY_SCHEMA)
    for broken in (
        {**good, "severity": "error"},
        {k: v for k, v in good.items() if k != "fingerprint"},
        {**good, "location": {"path": "a.toml"}},
        {**good, "location": {"path": "/abs/a.toml", "lines": {"begin": 1}}},
        {**good, "location": {"path": "a.toml", "lines": {"begin": 0}}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([broken], CODE_QUALITY_SCHEMA)


def _broken_monorepo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    init_repo(repo)
    shutil.copytree(EXAMPLE, repo / "services" / "shop")
    commit_all(repo, "base")
    path = repo / "services" / "shop" / "variables" / "max-projects.toml"
    path.write_text(path.read_text().replace('default = "starter"', 'default = "none"'))
    return repo


def test_lint_gitlab_paths_are_repository_relative(tmp_path: Path, monkeypatch) -> None:
    repo = _broken_monorepo(tmp_path)
    monkeypatch.chdir(repo / "services")
    result = run_cli("lint", "shop", "--format", "gitlab")
    assert result.code == 1
    issues = validate(result.out)
    errors = [i for i in issues if i["check_name"] == "rototo/variable-unknown-value"]
    assert errors == [
        {
            "description": "resolve default references unknown value: none",
            "check_name": "rototo/variable-unknown-value",
            "fingerprint": errors[0]["fingerprint"],
            "severity": "critical",
            "location": {
                "path": "services/shop/variables/max-projects.toml",
                "lines": {"begin": 11},
            },
        }
    ]
    for issue in issues:
        assert (repo / issue["location"]["path"]).is_file(), issue
    # a clean workspace is an empty report, which GitLab reads as "no issues"
    monkeypatch.chdir(tmp_path)
    clean = run_cli("lint", str(EXAMPLE), "--format", "gitlab")
    assert clean.code == 0 and all(i["severity"] == "minor" for i in validate(clean.out))


def test_fingerprints_ignore_line_moves_and_stay_unique() -> None:
    def diag(line: int, message: str = "m") -> dict:
        return {
            "rule": "rototo/r",
            "severity": "warning",
            "entity": {"kind": "variable", "id": "x"},
            "message": message,
            "location": {
                "path": "variables/x.toml",
                "range": {"start": {"line": line, "character": 0}, "end": {}},
            },
        }

    moved = validate(render_lint_gitlab([diag(3)]))[0]["fingerprint"]
    assert validate(render_lint_gitlab([diag(40)]))[0]["fingerprint"] == moved
    assert validate(render_lint_gitlab([diag(3, "other")]))[0]["fingerprint"] != moved
    twice = validate(render_lint_gitlab([diag(3), diag(9)]))
    assert len({i["fingerprint"] for i in twice}) == 2


def test_hostile_text_stays_data() -> None:
    hostile = '</script>\n::error::x\u2028"quoted"'
    issues = validate(
        render_lint_gitlab(
            [
                {
                    "rule": "rototo/custom",
                    "severity": "error",
                    "entity": {},
                    "message": hostile,
                    "location": {"path": "lint/x.lua"},
                }
            ],
            "ws/",
        )
    )
    assert issues[0]["description"] == hostile
    assert issues[0]["location"] == {"path": "ws/lint/x.lua", "lines": {"begin": 1}}


def test_diff_gitlab_reports_broken_contexts_and_introduced_errors(tmp_path: Path, monkeypatch):
    repo = tmp_path / "repo"
    init_repo(repo)
    contexts = {"contexts/beta.json": '{"user": {"beta": true}}\n'}
    flag_workspace(repo / "apps" / "flags", extra=contexts)
    flag_workspace(repo / "apps" / "other", extra=contexts)
    base = commit_all(repo, "base")
    flag_workspace(repo / "apps" / "flags", default="on", extra=contexts)  # behaviour change
    write_files(  # a lint error in the other workspace
        repo / "apps" / "other",
        {"variables/flag.toml": 'schema_version = 1\ntype = "bool"\n[resolve]\ndefault = "x"\n'},
    )
    commit_all(repo, "head")
    monkeypatch.chdir(repo)
    result = run_cli("diff", f"{base}..HEAD", "--format", "gitlab", "--fail-on", "never")
    assert result.code == 0, result.err
    issues = validate(result.out)
    by_check: dict[str, list[dict]] = {}
    for issue in issues:
        by_check.setdefault(issue["check_name"], []).append(issue)
    assert by_check["rototo/workspace-not-loadable"][0]["severity"] == "blocker"
    assert by_check["rototo/workspace-not-loadable"][0]["location"]["path"] == (
        "apps/other/rototo-workspace.toml"
    )
    changed = [i for name, found in by_check.items() if "resolution" in name for i in found]
    assert changed and all(
        i["location"]["path"] == "apps/flags/variables/flag.toml" for i in changed
    )
    assert any("beta.json" in i["description"] for i in changed)
    introduced = [i for i in issues if i["description"].startswith("introduced: ")]
    assert introduced and all(i["location"]["path"].startswith("apps/other/") for i in introduced)
    for issue in issues:
        assert (repo / issue["location"]["path"]).is_file(), issue


def test_diff_gitlab_from_the_json_contract() -> None:
    report = {
        "workspaces": [
            {
                "path": ".",
                "head_loadable": True,
                "changes": [
                    {"target": "variable://x", "path": "variables/x.toml", "line": 7},
                    {
                        "target": "qualifier://canary",
                        "path": "qualifiers/canary.toml",
                        "line": 4,
                        "summary": "rollout on account.id: salt a → b (every bucket drawn again)",
                        "detail": {"rollout": {"kind": "reshuffled", "attribute": "account.id"}},
                    },
                ],
                "resolutions": [
                    {
                        "variable": "x",
                        "context": "contexts/a.json",
                        "kind": "broken",
                        "before": {"value_key": "a", "value": 1},
                        "after": {"error": "no value"},
                    }
                ],
                "uncovered": [
                    {
                        "target": "variable://y",
                        "path": "variables/y.toml",
                        "line": 3,
                        "variable": "y",
                        "context": None,
                    }
                ],
                "lint": {"introduced": [], "resolved": []},
            }
        ]
    }
    issues = validate(render_diff_gitlab(report))
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("rototo/resolution-broken", "critical", 7),
        ("rototo/rollout-reshuffled", "major", 4),
        ("rototo/uncovered-change", "minor", 3),
    ]
    assert issues[1]["description"].startswith("qualifier://canary: rollout on account.id")
    assert issues[0]["description"] == "x in context contexts/a.json: a = 1 → error (no value)"
