"""`rototo inspect`, `rototo completions` and `show --variable` details."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import EXAMPLE, run_cli

UPSTREAM_KEYS = {
    "workspace",
    "documents",
    "runtime",
    "diagnostics",
    "schemas",
    "resources",
    "variables",
    "qualifiers",
    "lint_rules",
    "lint_authorities",
    "linters",
}


def test_inspect_json_has_upstreams_shape_and_the_workspace_graph() -> None:
    result = run_cli("inspect", str(EXAMPLE), "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert set(data) == UPSTREAM_KEYS
    assert data["runtime"] == {"status": "available"}
    assert len(data["documents"]) == 13
    variables = {v["id"]: v for v in data["variables"]}
    assert set(variables) == {"checkout-theme", "data-residency", "max-projects"}
    limits = variables["max-projects"]
    assert limits["type_source"] == "int"
    assert {v["key"]: v["value"] for v in limits["values"]} == {
        "starter": 3,
        "paid": 25,
        "large": 250,
    }
    assert limits["resolve"]["default_value"] == "starter"
    assert [(r["qualifier"], r["value"]) for r in limits["resolve"]["rules"]] == [
        ("large-account", "large"),
        ("paid-plan", "paid"),
    ]
    assert limits["dependencies"]["qualifiers"] == ["large-account", "paid-plan"]
    assert set(limits["dependencies"]["context_paths"]) == {"account.seats", "account.plan"}
    assert "trace" not in limits
    qualifiers = {q["id"]: q for q in data["qualifiers"]}
    paid = qualifiers["paid-plan"]
    assert {c["label"] for c in paid["consumers"]} == {
        "variable://max-projects",
        "qualifier://large-account",
    }
    rollout = qualifiers["checkout-rollout"]["predicates"][0]
    assert rollout["op"] == "bucket" and rollout["range"] == [0, 2000]
    theme = variables["checkout-theme"]
    assert theme["type_source"] == "resource:checkout-theme"
    assert theme["dependencies"]["resources"] == ["checkout-theme"]
    assert {s["path"] for s in data["schemas"]} == {
        "schemas/checkout-theme.schema.json",
        "schemas/context.schema.json",
    }
    assert data["lint_authorities"][0]["authority"] == "rototo"


def test_inspect_with_context_traces_only_selected_targets() -> None:
    context = str(EXAMPLE / "contexts" / "growth-eu.json")
    result = run_cli(
        "inspect", str(EXAMPLE), "--variable", "max-projects", "--context", f"@{context}", "--json"
    )
    assert result.code == 0, result
    data = json.loads(result.out)
    [limits] = data["variables"]
    assert data["qualifiers"] == [] and data["schemas"] == []
    trace = limits["trace"]
    assert trace["resolution"]["value_key"] == "paid"
    assert [r["matched"] for r in trace["rules"]] == [False, True]
    text = run_cli("inspect", str(EXAMPLE), "--variable", "max-projects", "-c", f"@{context}")
    assert "trace: paid 25" in text.out


def test_inspect_usage_errors() -> None:
    missing = run_cli("inspect", str(EXAMPLE), "--variable", "nope")
    assert missing.code == 2 and missing.err == "rototo: error: not found: variable://nope\n"
    bare = run_cli("inspect", str(EXAMPLE), "--context", "a=1")
    assert bare.code == 2 and bare.err.startswith("rototo: error: --context traces selected")


def test_context_file_falls_back_to_the_workspace_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "resolve", str(EXAMPLE), "--variable", "max-projects", "-c", "@contexts/growth-eu.json"
    )
    assert result.code == 0, result
    assert result.out.startswith("variable max-projects = paid 25")
    (tmp_path / "contexts").mkdir()
    (tmp_path / "contexts" / "growth-eu.json").write_text('{"account": {}}')
    local = run_cli(
        "resolve", str(EXAMPLE), "--variable", "max-projects", "-c", "@contexts/growth-eu.json"
    )
    assert local.code == 2  # the current directory's file wins, and it lacks fields


def test_show_variable_lists_type_values_default_and_rules() -> None:
    result = run_cli("show", str(EXAMPLE), "--variable", "max-projects")
    assert result.code == 0, result
    assert result.out.splitlines()[2:] == [
        "  max-projects                     variables/max-projects.toml  int",
        "    How many projects an account may create",
        "    type: int",
        "    values:",
        "      starter = 3",
        "      paid = 25",
        "      large = 250",
        "    resolve:",
        "      rule 0: if large-account -> large",
        "      rule 1: if paid-plan -> paid",
        "      default -> starter",
    ]


def _complete(env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "rototo_ci.cli.app"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_completions_scripts_and_the_answers_they_ask_for() -> None:
    for shell in ("bash", "zsh", "fish"):
        result = run_cli("completions", shell)
        assert result.code == 0 and "_ROTOTO_COMPLETE=complete_" + shell in result.out
    bad = run_cli("completions", "tcsh")
    assert bad.code == 2 and bad.err.startswith("rototo: error: SHELL: 'tcsh' is not one of")
    bash = {"_ROTOTO_COMPLETE": "complete_bash", "COMP_CWORD": "1", "COMP_WORDS": "rototo in"}
    assert sorted(_complete(bash)) == ["init", "inspect"]
    bash.update(COMP_CWORD="3", COMP_WORDS="rototo lint --format ")
    assert _complete(bash) == ["text", "json", "github", "sarif", "gitlab"]


def test_test_warns_when_there_is_nothing_to_test(tmp_path) -> None:
    assert run_cli("init", str(tmp_path / "ws")).code == 0
    bare = run_cli("test", str(tmp_path / "ws"))
    assert bare.code == 0
    assert "rototo: warning: nothing to test beyond the lint gate" in bare.err
    (tmp_path / "ws" / "tests").mkdir()
    (tmp_path / "ws" / "tests" / "rototo-fixtures.toml").write_text("schema_version = 1\n")
    (tmp_path / "empty").mkdir()
    listed = run_cli("test", str(tmp_path / "ws"), "--fixtures", str(tmp_path / "empty"))
    assert "warning: fixture suite tests/rototo-fixtures.toml lists no fixtures" in listed.err
    assert f"warning: no fixture suite (rototo-fixtures.toml) under {tmp_path / 'empty'}" in (
        listed.err
    )
    example = run_cli("test", str(EXAMPLE))
    assert example.code == 0 and "warning" not in example.err


def test_diff_warns_when_a_workspace_declares_no_contexts(tmp_path, monkeypatch) -> None:
    from ..helpers import commit_all, flag_workspace, init_repo

    repo = tmp_path / "repo"
    init_repo(repo)
    ws = flag_workspace(repo / "cfg")
    commit_all(repo, "one")
    monkeypatch.chdir(repo)
    (ws / "variables" / "flag.toml").write_text(
        (ws / "variables" / "flag.toml").read_text().replace('default = "off"', 'default = "on"')
    )
    result = run_cli("diff", "HEAD")
    assert result.err.splitlines()[0] == (
        "rototo: warning: workspace cfg declares no contexts, so no resolution was compared: "
        "add contexts/*.json or fixture suites, or pass --contexts DIR or --context"
    )
    with_context = run_cli("diff", "HEAD", "--context", "{}")
    assert "warning" not in with_context.err


def test_inspect_a_broken_workspace_says_why_nothing_resolves() -> None:
    from .conftest import ROOT

    broken = ROOT / "fixtures" / "lint" / "qualifier-cycle"
    data = json.loads(run_cli("inspect", str(broken), "--json").out)
    assert data["runtime"]["status"] == "unavailable"
    assert "rototo/qualifier-cycle" in data["runtime"]["reason"]
    traced = run_cli("inspect", str(broken), "--variables", "-c", "a=1")
    assert traced.code == 0 and "trace" not in traced.out
    assert traced.err == (
        "rototo: warning: no traces: the workspace has lint errors, so nothing resolves\n"
    )


def test_show_and_inspect_print_workspace_text_inert(tmp_path) -> None:
    assert run_cli("init", str(tmp_path / "ws"), "-q", "--variable", "v").code == 0
    path = tmp_path / "ws" / "variables" / "v.toml"
    path.write_text(
        path.read_text().replace(
            'description = "TODO: describe v"',
            'description = "one\\n::error::pwned \\u001b[31mred"',
        )
    )
    for args in (["show", "--variable", "v"], ["inspect"]):
        out = run_cli(*args[:1], str(tmp_path / "ws"), *args[1:]).out
        assert "one\\n::error::pwned \\x1b[31mred" in out, out
        assert "\x1b" not in out and not any(line.startswith("::") for line in out.splitlines())


def test_inspect_lists_what_each_linter_registers(tmp_path) -> None:
    assert run_cli("init", str(tmp_path / "ws"), "-q", "--variable", "v").code == 0
    rules = tmp_path / "ws" / "lint"
    rules.mkdir()
    (rules / "team.lua").write_text(
        "function register(lint)\n"
        '  lint:on({ stage = "policy", entity = "variable", field = "description",'
        ' rule = { id = "team/described", title = "Described", help = "Say why." },'
        ' handler = "check_description" })\n'
        '  lint:on({ stage = "value", entity = "workspace",'
        ' rule = { id = "team/whole", title = "Whole", help = "Look at it all." },'
        ' handler = "whole" })\n'
        "end\n"
        "function check_description(ctx) return {} end\n"
        "function whole(ctx) return {} end\n"
    )
    result = run_cli("inspect", str(tmp_path / "ws"), "--json")
    assert result.code == 0, result
    (linter,) = json.loads(result.out)["linters"]
    assert linter["id"] == "team" and linter["path"] == "lint/team.lua"
    assert linter["registrations"] == [
        {
            "stage": "policy",
            "entity": "variable",
            "field": "description",
            "rule": "team/described",
            "handler": "check_description",
        },
        {
            "stage": "value",
            "entity": "workspace",
            "field": None,
            "rule": "team/whole",
            "handler": "whole",
        },
    ]
    text = run_cli("inspect", str(tmp_path / "ws")).out
    assert "team/described  policy variable.description -> check_description" in text
    assert "team/whole  value workspace -> whole" in text
