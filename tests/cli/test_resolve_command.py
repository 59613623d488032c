"""`rototo resolve`: JSON traces, revisions, failures and their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from ..helpers import commit_all, flag_workspace, init_repo
from .conftest import EXAMPLE, run_cli

ENTERPRISE = "@" + str(EXAMPLE / "contexts" / "enterprise-eu.yaml")


def _bucket(salt: str, value: str) -> int:
    """The documented FNV-1a 64-bit bucket, written out independently of the engine."""
    h = 14695981039346656037
    for byte in f"{salt}:{value}".encode():
        h = ((h ^ byte) * 1099511628211) % 2**64
    return h % 10000


def test_qualifier_trace_carries_the_bucket() -> None:
    result = run_cli(
        "resolve", str(EXAMPLE), "--qualifier", "checkout-rollout", "--json", "-c", ENTERPRISE
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["variables"] == []
    [trace] = data["qualifiers"]
    assert trace["id"] == "checkout-rollout" and trace["value"] is True
    [predicate] = trace["predicates"]
    salt = "checkout-single-page-2026-11"
    assert predicate["bucket"] == {
        "salt": salt,
        "start": 0,
        "end": 2000,
        "value": _bucket(salt, "acct-3003"),
    }


def test_selected_ids_keep_order_and_duplicates_collapse() -> None:
    result = run_cli(
        "resolve",
        str(EXAMPLE),
        "--variable",
        "max-projects",
        "--variable",
        "checkout-theme",
        "--variable",
        "max-projects",
        "--qualifiers",
        "--json",
        "-c",
        ENTERPRISE,
    )
    data = json.loads(result.out)
    assert [t["resolution"]["id"] for t in data["variables"]] == ["max-projects", "checkout-theme"]
    assert data["variables"][1]["resolution"]["value"]["layout"] == "single-page"
    assert len(data["qualifiers"]) == 4


def test_failed_resolution_exits_1_and_names_attribute_and_qualifier() -> None:
    args = ["resolve", str(EXAMPLE), "--variables", "--no-validate-context"]
    ctx = ["-c", '{"account": {"id": "a", "plan": "free"}}']
    text = run_cli(*args, *ctx, "--color", "never")
    assert text.code == 1
    assert "variable max-projects" not in text.out  # the failing one has no trace
    assert "variable checkout-theme = classic" in text.out  # the others still resolve
    residency, projects = text.err.splitlines()
    assert residency.startswith("rototo: error: variable://data-residency: ")
    assert "request.country" in residency and "qualifier://eu-request" in residency
    assert "account.seats" in projects and "qualifier://large-account" in projects
    as_json = run_cli(*args, *ctx, "--json")
    assert as_json.code == 1 and as_json.out == ""


def test_resolve_at_a_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    ws = flag_workspace(repo / "cfg", default="off")
    commit_all(repo, "off by default")
    flag_workspace(ws, default="on")
    args = ["resolve", str(ws), "--variable", "flag", "--json", "-c", "user.beta=false"]
    now = json.loads(run_cli(*args).out)
    then = json.loads(run_cli(*args, "--rev", "HEAD").out)
    assert now["variables"][0]["resolution"]["value_key"] == "on"
    assert then["variables"][0]["resolution"]["value_key"] == "off"
    bad = run_cli("resolve", str(ws), "--variable", "flag", "--rev", "no-such-ref")
    assert bad.code == 2 and "no-such-ref" in bad.err


def test_a_workspace_with_lint_errors_does_not_resolve(tmp_path: Path) -> None:
    ws = flag_workspace(
        tmp_path / "ws",
        extra={
            "variables/x.toml": 'schema_version = 1\ntype = "int"\n[values]\na = 1\n'
            '[resolve]\ndefault = "b"\n'
        },
    )
    result = run_cli("resolve", str(ws), "--variable", "flag")
    assert result.code == 2
    assert "rototo/variable-unknown-value" in result.err and result.err.count("\n") == 1
