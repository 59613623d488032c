"""The `rototo` commands: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..helpers import flag_workspace, write_files
from .conftest import EXAMPLE, run_cli, run_process


def test_version_prints_the_package() -> None:
    # timing lives in test_plumbing (CPU time, robust on a busy machine)
    assert run_process("--version").out.startswith("rototo-ci ")


def test_lint_example_is_clean() -> None:
    result = run_cli("lint", str(EXAMPLE), "--no-cache")
    assert result.code == 0, result.out + result.err
    assert "ok: no lint findings" in result.out


def test_lint_json_and_exit_code(tmp_path: Path) -> None:
    ws = flag_workspace(
        tmp_path / "ws",
        extra={
            "variables/broken.toml": 'schema_version = 1\ntype = "int"\n\n[values]\na = 1\n\n'
            '[resolve]\ndefault = "b"\n'
        },
    )
    result = run_cli("lint", str(ws), "--json", "--no-cache")
    assert result.code == 1
    data = json.loads(result.out)
    assert set(data) == {"workspace", "documents", "diagnostics"}
    [diagnostic] = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert diagnostic["rule"] == "rototo/variable-unknown-value"
    assert diagnostic["location"]["range"]["start"] == {"line": 7, "character": 10}
    assert {d["kind"] for d in data["documents"]} == {"manifest", "qualifier", "variable"}
    text = run_cli("lint", str(ws), "--no-cache", "--color", "never")
    [line] = [line for line in text.out.splitlines() if "unknown-value" in line]
    assert line.endswith(
        "variables/broken.toml:8:11: error rototo/variable-unknown-value "
        "resolve default references unknown value: b"
    )
    filtered = run_cli("lint", str(ws), "--variable", "flag", "--no-cache")
    assert filtered.code == 0


def test_lint_github_and_sarif(tmp_path: Path) -> None:
    extra = {
        f"variables/bad{i}.toml": 'schema_version = 1\ntype = "int"\n\n[values]\na = 1\n\n'
        '[resolve]\ndefault = "b"\n'
        for i in range(12)
    }
    ws = flag_workspace(tmp_path / "ws", extra=extra)
    github = run_cli("lint", str(ws), "--format", "github", "--no-cache")
    lines = github.out.splitlines()
    assert github.code == 1
    warnings = 12  # an unused value per variable (no schema warning: there are errors)
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert lines[-1].startswith("::notice") and f"{2 + warnings - 10} more" in lines[-1]
    assert "file=variables/bad0.toml,line=8,col=11,endLine=8,endColumn=14" in github.out
    sarif = json.loads(run_cli("lint", str(ws), "--format", "sarif", "--no-cache").out)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and len(run["results"]) == 12 + 12
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) >= 51
    first = next(r for r in run["results"] if r["level"] == "error")
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 8


def test_resolve_json_trace_shape() -> None:
    result = run_cli(
        "resolve",
        str(EXAMPLE),
        "--variable",
        "max-projects",
        "--json",
        "--context",
        "@" + str(EXAMPLE / "contexts" / "growth-eu.json"),
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == {"workspace", "variables", "qualifiers"} and data["qualifiers"] == []
    [trace] = data["variables"]
    assert trace["resolution"] == {"id": "max-projects", "value_key": "paid", "value": 25}
    assert [r["matched"] for r in trace["rules"]] == [False, True]
    assert {q["id"] for q in trace["qualifier_traces"]} == {"large-account", "paid-plan"}


def test_resolve_merges_contexts_and_walks_rules() -> None:
    result = run_cli(
        "resolve",
        str(EXAMPLE),
        "--variables",
        "--color",
        "never",
        "-c",
        '{"account": {"id": "a", "plan": "free"}}',
        "-c",
        "account.plan=enterprise",
        "-c",
        "account.seats=500",
        "-c",
        "request.country=DE",
    )
    assert result.code == 0, result.err
    assert "variable max-projects = large 250" in result.out
    assert "rule 0: qualifier large-account -> large  ✔ matched" in result.out


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["resolve", str(EXAMPLE)], 2, "choose what to resolve"),
        (["resolve", str(EXAMPLE), "--variable", "nope"], 2, "variable not found"),
        (["resolve", str(EXAMPLE), "--variable", "max-projects", "-c", "[1]"], 2, "JSON object"),
        (
            ["resolve", str(EXAMPLE), "--variable", "max-projects", "-c", "{bad"],
            2,
            "not valid JSON",
        ),
        (
            ["resolve", str(EXAMPLE), "--variable", "max-projects", "-c", "@/nonexistent.json"],
            2,
            "not found",
        ),
        (
            [
                "resolve",
                str(EXAMPLE),
                "--variable",
                "max-projects",
                "-c",
                '{"account": {"id": "a", "plan": 1}, "request": {"country": "DE"}}',
            ],
            2,
            "context schema",
        ),
        (
            [
                "resolve",
                str(EXAMPLE),
                "--variable",
                "max-projects",
                "--no-validate-context",
                "-c",
                '{"account": {"id": "a", "plan": "growth"}}',
            ],
            1,
            "missing resolve context attribute: account.seats required by qualifier://large-account",
        ),
        (["lint", "/nonexistent/workspace"], 2, "does not exist"),
        (["lint", "http://example.com/ws.tar.gz"], 2, "insecure"),
        (["lint", str(EXAMPLE), "--rev", "--evil"], 2, "must not start with '-'"),
        (["lint", "--format", "bogus", str(EXAMPLE)], 2, "bogus"),
    ],
)
def test_bad_input_is_one_line(args: list[str], code: int, needle: str) -> None:
    result = run_cli(*args)
    assert result.code == code, result
    assert needle in result.err
    assert "Traceback" not in result.err


def test_deep_context_is_refused() -> None:
    deep = "[" * 5000 + "]" * 5000
    result = run_cli(
        "resolve", str(EXAMPLE), "--variable", "max-projects", "-c", '{"a": ' + deep + "}"
    )
    assert result.code == 2 and "nested" in result.err


def test_show_catalog_without_workspace_and_entities() -> None:
    result = run_cli("show", "--lint-rules", "--json")
    data = json.loads(result.out)
    assert len(data["lint_rules"]) == 51 and data["workspace"] is None
    shown = json.loads(run_cli("show", str(EXAMPLE), "--variable", "checkout-theme", "--json").out)
    [variable] = shown["variables"]
    assert variable["uri"] == "variable://checkout-theme"
    assert variable["content"]["type"] == "resource:checkout-theme"


def test_init_writes_a_lint_clean_workspace_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "cfg"
    dry = run_cli("init", str(target), "--variable", "limit", "--dry-run")
    assert dry.code == 0 and not target.exists()
    result = run_cli(
        "init",
        str(target),
        "--qualifier",
        "paid",
        "--variable",
        "limit",
        "--resource",
        "banner",
        "--context",
    )
    assert result.code == 0, result.err
    assert run_cli("lint", str(target), "--no-cache").code == 0
    schema = json.loads((target / "schemas" / "context.schema.json").read_text())
    assert schema["properties"]["account"]["properties"]["plan"]["type"] == "string"
    again = run_cli("init", str(target), "--variable", "limit")
    assert again.code == 2 and "--force" in again.err
    assert run_cli("init", str(target), "--variable", "limit", "--force").code == 0


def test_init_context_inference(tmp_path: Path) -> None:
    ws = write_files(
        tmp_path / "ws",
        {
            "rototo-workspace.toml": "schema_version = 1\n",
            "qualifiers/a.toml": 'schema_version = 1\n\n[[predicate]]\nattribute = "user.id"\n'
            'op = "bucket"\nsalt = "s"\nrange = [0, 10]\n\n[[predicate]]\n'
            'attribute = "user.age"\nop = "gt"\nvalue = 3\n',
            "qualifiers/b.toml": 'schema_version = 1\n\n[[predicate]]\nattribute = "user.tags"\n'
            'op = "in"\nvalue = [1, 2.5]\n',
        },
    )
    assert run_cli("init", str(ws), "--context").code == 0
    user = json.loads((ws / "schemas/context.schema.json").read_text())["properties"]["user"]
    assert user["properties"]["id"]["type"] == ["integer", "string"]
    assert user["properties"]["age"]["type"] == "number"
    assert user["properties"]["tags"]["type"] == "number"


def test_lint_cache_hit_gives_same_output(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ROTOTO_CACHE_DIR", str(tmp_path / "cache"))
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws)
    first = run_cli("lint", str(ws), "--json")
    assert list((tmp_path / "cache").glob("*.json"))
    second = run_cli("lint", str(ws), "--json")
    assert first.out == second.out and first.code == second.code == 0


def test_custom_rules_join_the_workspace_catalog(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws)
    (ws / "lint").mkdir()
    (ws / "lint" / "names.lua").write_text(
        "function register(lint)\n"
        '  lint:on({ stage = "policy", entity = "variable", rule = { id = "team/names",'
        ' title = "Names", help = "Rename.", severity = "warning" }, handler = "check" })\n'
        "end\n"
        'function check(ctx) if string.find(ctx.target.id, "-") then return {{ message = '
        '"dash" }} end return {} end\n'
    )
    shown = json.loads(run_cli("show", str(ws), "--lint-rules", "--json").out)
    assert {
        "rule": "team/names",
        "severity": "warning",
        "title": "Names",
        "help": "Rename.",
        "entity": "custom_lint",
    } in shown["lint_rules"]
    assert shown["lint_authorities"] == ["rototo", "team"]
    lint = json.loads(run_cli("lint", str(ws), "--json", "--no-cache").out)
    flagged = {d["entity"]["id"] for d in lint["diagnostics"] if d["rule"] == "team/names"}
    assert flagged == {"max-projects", "data-residency", "checkout-theme"}
