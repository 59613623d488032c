"""`rototo show` selectors and text, `rototo init` planning, refusal and inference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rototo_ci.engine.workspace import Workspace

from ..helpers import commit_all, init_repo, write_files
from .conftest import EXAMPLE, run_cli

SHOW_KEYS = {
    "command",
    "workspace",
    "schemas",
    "resources",
    "variables",
    "qualifiers",
    "lint_rules",
    "lint_authorities",
    "linters",
}


def show(*args: str) -> dict:
    result = run_cli("show", *args, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == SHOW_KEYS and data["command"] == "show"
    return data


def test_show_inventory_lists_every_entity() -> None:
    data = show(str(EXAMPLE))
    assert data["workspace"] == str(EXAMPLE)
    assert [v["id"] for v in data["variables"]] == [
        "checkout-theme",
        "data-residency",
        "max-projects",
    ]
    assert {q["uri"] for q in data["qualifiers"]} == {
        "qualifier://checkout-rollout",
        "qualifier://eu-request",
        "qualifier://large-account",
        "qualifier://paid-plan",
    }
    [resource] = data["resources"]
    assert set(resource["objects"]) == {"classic", "single-page"}
    assert resource["objects"]["single-page"]["express_pay"] is True
    assert {s["path"] for s in data["schemas"]} == {
        "schemas/checkout-theme.schema.json",
        "schemas/context.schema.json",
    }
    assert data["lint_rules"] == []  # the catalog only when asked for


def test_show_selected_qualifier_has_its_toml_as_json() -> None:
    data = show(str(EXAMPLE), "--qualifier", "large-account")
    [qualifier] = data["qualifiers"]
    assert qualifier["path"] == "qualifiers/large-account.toml"
    assert qualifier["content"]["predicate"][0] == {
        "attribute": "qualifier.paid-plan",
        "op": "eq",
        "value": True,
    }
    assert data["variables"] == [] and data["resources"] == []


def test_show_catalog_selectors_without_a_workspace() -> None:
    one = show("--lint-rule", "rototo/qualifier-cycle")
    [rule] = one["lint_rules"]
    assert rule["rule"] == "rototo/qualifier-cycle" and rule["severity"] == "error"
    assert {"title", "help", "entity"} <= set(rule)
    assert len(show("--lint-authority", "rototo")["lint_rules"]) == 51
    assert show("--lint-authorities")["lint_authorities"] == ["rototo"]
    text = run_cli("show", "--lint-rules")
    assert text.code == 0 and "rototo/qualifier-cycle" in text.out


def test_show_linters(tmp_path: Path) -> None:
    ws = write_files(
        tmp_path / "ws",
        {
            "rototo-workspace.toml": "schema_version = 1\n",
            "lint/naming.lua": "function register(lint) end\n",
        },
    )
    data = show(str(ws), "--linters")
    assert data["linters"] == [{"id": "naming", "path": "lint/naming.lua"}]
    assert show(str(ws), "--linter", "naming")["linters"][0]["id"] == "naming"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--variable", "nope"], "variable://nope"),
        (["--resource", "nope"], "resource://nope"),
        (["--lint-rule", "rototo/nope"], "lint rule rototo/nope"),
        (["--lint-authority", "acme"], "lint authority acme"),
    ],
)
def test_show_unknown_ids_exit_2(args: list[str], needle: str) -> None:
    result = run_cli("show", str(EXAMPLE), *args)
    assert result.code == 2 and result.err == f"rototo: error: not found: {needle}\n"


def test_show_text_inventory() -> None:
    result = run_cli("show", str(EXAMPLE))
    lines = result.out.splitlines()
    assert lines[0] == f"workspace {EXAMPLE}"
    assert "variables:" in lines and "qualifiers:" in lines and "schemas:" in lines
    assert any(
        line.split()[:2] == ["max-projects", "variables/max-projects.toml"] for line in lines
    )


def test_show_at_a_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    write_files(repo, {"rototo-workspace.toml": "schema_version = 1\n"})
    write_files(
        repo,
        {
            "qualifiers/old.toml": 'schema_version = 1\n\n[[predicate]]\nattribute = "a"\n'
            'op = "eq"\nvalue = 1\n'
        },
    )
    commit_all(repo, "old")
    (repo / "qualifiers" / "old.toml").rename(repo / "qualifiers" / "new.toml")
    assert [q["id"] for q in show(str(repo))["qualifiers"]] == ["new"]
    assert [q["id"] for q in show(str(repo), "--rev", "HEAD")["qualifiers"]] == ["old"]


def test_init_dry_run_lists_planned_writes_only(tmp_path: Path) -> None:
    target = tmp_path / "cfg"
    result = run_cli("init", str(target), "--qualifier", "beta", "--variable", "limit", "--dry-run")
    assert result.code == 0
    assert result.out.splitlines() == [
        f"would write {target / 'rototo-workspace.toml'}",
        f"would write {target / 'qualifiers/beta.toml'}",
        f"would write {target / 'variables/limit.toml'}",
    ]
    assert not target.exists()


def test_init_refuses_to_overwrite_and_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "cfg"
    assert run_cli("init", str(target), "--qualifier", "beta").code == 0
    path = target / "qualifiers" / "beta.toml"
    path.write_text(path.read_text() + "# edited\n")
    again = run_cli("init", str(target), "--qualifier", "beta", "--variable", "limit")
    assert again.code == 2
    assert again.err == f"rototo: error: refusing to overwrite {path} (use --force)\n"
    assert path.read_text().endswith("# edited\n")
    assert not (target / "variables" / "limit.toml").exists()  # nothing written at all
    dry = run_cli("init", str(target), "--qualifier", "beta", "--dry-run")
    assert "(exists; --force overwrites)" in dry.out
    assert run_cli("init", str(target), "--qualifier", "beta", "--force").code == 0
    assert "# edited" not in path.read_text()
    assert not list(target.rglob("*.tmp"))


def test_init_templates_load_and_resolve(tmp_path: Path) -> None:
    target = tmp_path / "cfg"
    args = ["--qualifier", "beta", "--variable", "limit", "--resource", "banner", "--context"]
    assert run_cli("init", str(target), *args).code == 0
    workspace = Workspace.load(str(target))  # raises on any lint error
    assert [d for d in workspace.diagnostics if d.is_error] == []
    assert set(workspace.runtime().variables) == {"limit", "banner"}
    resolved = run_cli("resolve", str(target), "--variables", "--json", "-c", "account.plan=growth")
    assert resolved.code == 0, resolved.err


@pytest.mark.parametrize("bad", ["../escape", "with space", ""])
def test_init_rejects_bad_ids(tmp_path: Path, bad: str) -> None:
    result = run_cli("init", str(tmp_path / "cfg"), "--variable", bad)
    assert result.code == 2 and result.err.startswith("rototo: error: ")
    assert not (tmp_path / "escape.toml").exists()
