"""Uncovered changes: witnesses found, each verified on both sides (and by the reference)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rototo_ci.engine.workspace import Workspace
from rototo_ci.review.changes import semantic_changes
from rototo_ci.review.uncovered import differs, outcome, uncovered_changes
from rototo_ci.review.witness_names import SAFE_FILE, suggested_file, witness_file_name
from tests.helpers import write_files

BASE = {
    "rototo-workspace.toml": "schema_version = 1\n",
    "qualifiers/paid.toml": (
        'schema_version = 1\n\n[[predicate]]\nattribute = "plan"\nop = "eq"\nvalue = "paid"\n'
    ),
    "qualifiers/eu.toml": (
        'schema_version = 1\n\n[[predicate]]\nattribute = "region"\nop = "eq"\nvalue = "eu"\n'
    ),
    "variables/limit.toml": (
        'schema_version = 1\ntype = "int"\n\n[values]\nlow = 1\nmid = 2\nhigh = 3\n\n'
        '[resolve]\ndefault = "low"\n\n'
        '[[resolve.rule]]\nqualifier = "paid"\nvalue = "mid"\n'
    ),
}


def _load(root: Path, files: dict[str, str]) -> Workspace:
    return Workspace.load(str(write_files(root, files)))


def _uncovered(tmp_path: Path, head_files: dict[str, str]) -> list[dict]:
    base = _load(tmp_path / "base", BASE)
    head = _load(tmp_path / "head", head_files)
    changes = semantic_changes(base.model, head.model)
    assert changes, "the edit should be a semantic change"
    # no declared context shows a resolution change (as if the only context were free-us)
    context = {"plan": "free", "region": "us"}
    for vid in head.model.variables:
        assert not differs(outcome(base, vid, context), outcome(head, vid, context))
    found = uncovered_changes(base, head, changes, [])
    for item in found:  # every witness really changes the outcome on both sides
        if item["context"] is not None:
            before = outcome(base, item["variable"], item["context"])
            after = outcome(head, item["variable"], item["context"])
            assert differs(before, after)
            assert (before, after) == (item["before"], item["after"])
    return found


def test_changed_rule_value_gets_a_witness(tmp_path: Path) -> None:
    head = dict(BASE)
    head["variables/limit.toml"] = BASE["variables/limit.toml"].replace(
        'value = "mid"', 'value = "high"'
    )
    found = _uncovered(tmp_path, head)
    assert len(found) == 1
    item = found[0]
    assert item["target"] == "variable://limit" and item["variable"] == "limit"
    assert item["context"] is not None and item["context"]["plan"] == "paid"
    assert item["before"] == {"value_key": "mid", "value": 2}
    assert item["after"] == {"value_key": "high", "value": 3}
    assert item["path"] == "variables/limit.toml" and isinstance(item["line"], int)
    # a stable, safe suggestion: the same witness gets the same name on every run
    assert re.fullmatch(r"contexts/limit-[0-9a-f]{8}\.json", item["context_file"])
    assert item["context_file"] == witness_file_name("limit", dict(item["context"]))


def test_changed_predicate_gets_a_witness_through_the_variable(tmp_path: Path) -> None:
    head = dict(BASE)
    head["qualifiers/paid.toml"] = BASE["qualifiers/paid.toml"].replace('"paid"', '"gold"')
    found = _uncovered(tmp_path, head)
    assert [item["variable"] for item in found] == ["limit"]
    assert found[0]["target"] == "qualifier://paid"
    assert found[0]["context"]["plan"] in ("paid", "gold")


def test_neutral_changes_yield_no_witness(tmp_path: Path) -> None:
    head = dict(BASE)
    # a value no rule or default selects changes, and the unused qualifier eu changes
    head["variables/limit.toml"] = BASE["variables/limit.toml"].replace("high = 3", "high = 30")
    head["qualifiers/eu.toml"] = BASE["qualifiers/eu.toml"].replace('"eu"', '"EU"')
    found = _uncovered(tmp_path, head)
    assert [(item["target"], item["context"]) for item in found] == [("variable://limit", None)]
    assert found[0]["before"] is None and found[0]["after"] is None
    assert found[0]["context_file"] is None


def test_rototo_diff_reports_and_renders_uncovered_changes(tmp_path: Path) -> None:
    import json

    from tests.cli.conftest import run_process
    from tests.helpers import commit_all, init_repo

    repo = tmp_path / "repo"
    init_repo(repo)
    files = dict(BASE)
    files["contexts/free-us.json"] = '{"plan": "free", "region": "us"}\n'
    write_files(repo, files)
    base = commit_all(repo, "base")
    write_files(
        repo,
        {"variables/limit.toml": BASE["variables/limit.toml"].replace('"mid"', '"high"', 1)},
    )
    head = commit_all(repo, "head")
    result = run_process("diff", f"{base}..{head}", "--format", "json", cwd=repo)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    (ws,) = report["workspaces"]
    assert ws["resolutions"] == []  # free-us never reaches the changed rule
    (item,) = ws["uncovered"]
    assert item["variable"] == "limit" and item["context"]["plan"] == "paid"
    assert item["after"] == {"value_key": "high", "value": 3}
    assert report["summary"]["uncovered"] == 1
    result = run_process("diff", f"{base}..{head}", "--format", "markdown", cwd=repo)
    assert "Changes no declared context exercises" in result.out
    assert "<details><summary>" in result.out and "<code>variables/limit.toml:" in result.out
    # the collapsed block names the file to commit the witness as
    name = item["context_file"]
    assert f"<code>{name}</code>: <code>" in result.out
    result = run_process("diff", f"{base}..{head}", "--format", "text", cwd=repo)
    assert f"witness {name}: " in result.out


def test_github_annotations_warn_on_uncovered_changes() -> None:
    from rototo_ci.render.diff_github import render_github
    from rototo_ci.review.report import DiffReport

    item = {
        "target": "variable://limit",
        "path": "variables/limit.toml",
        "line": 12,
        "variable": "limit",
        "context": {"plan": "paid\\n::error::x"},
        "before": {"value_key": "mid", "value": 2},
        "after": {"value_key": "high", "value": 3},
    }
    report = DiffReport.from_json(
        {
            "base": {"rev": "a", "commit": None},
            "head": {"rev": "b", "commit": None},
            "workspaces": [
                {
                    "path": "ws",
                    "status": "modified",
                    "base_loadable": True,
                    "head_loadable": True,
                    "uncovered": [item],
                }
            ],
        }
    )
    text = render_github(report)
    (line,) = [ln for ln in text.splitlines() if ln.startswith("::warning")]
    assert "file=ws/variables/limit.toml,line=12" in line
    assert "resolves mid on the base and high on the head" in line
    assert f"commit it as ws/{witness_file_name('limit', item['context'])} to cover it" in line
    assert not any(ln.startswith("::error") for ln in text.splitlines())


@pytest.mark.parametrize(
    "variable",
    [
        "limit",
        "../../.github/workflows/x",
        "-rf --no-preserve-root",
        ".hidden",
        "a.json.exe",
        "Ünïcödé\u202e\x00\n<b>@all</b>",
        "",
        "-_-",
        "x" * 300,
        "café",
    ],
)
def test_suggested_file_names_are_safe_and_stable(variable: str) -> None:
    context = {"plan": "paid", "n": [1, {"b": 2, "a": None}]}
    name = witness_file_name(variable, context)
    assert SAFE_FILE.fullmatch(name), name
    assert name.startswith("contexts/") and name.count("/") == 1 and ".." not in name
    assert len(name) <= len("contexts/") + 48 + 1 + 8 + len(".json")
    # stable across runs and key order; another context, another name
    assert name == witness_file_name(variable, {"n": [1, {"a": None, "b": 2}], "plan": "paid"})
    assert name != witness_file_name(variable, {"plan": "free"})


def test_a_hostile_saved_name_is_never_shown() -> None:
    item = {"variable": "limit", "context": {"plan": "paid"}}
    own = witness_file_name("limit", {"plan": "paid"})
    for hostile in ("../../x.json", "contexts/../a.json", "contexts/<b>.json", 7, None):
        assert suggested_file({**item, "context_file": hostile}) == own
    assert suggested_file({**item, "context_file": "contexts/ok-1.json"}) == "contexts/ok-1.json"
    assert suggested_file({**item, "context": None, "context_file": "contexts/a.json"}) is None


def test_hostile_uncovered_entries_render_inert() -> None:
    from rototo_ci.render.diff_github import render_github
    from rototo_ci.render.diff_markdown import render_markdown
    from rototo_ci.render.diff_text import render_text
    from rototo_ci.render.escape import check_commands
    from rototo_ci.review.report import DiffReport

    evil = "<img src=x onerror=alert(1)> @everyone <!-- rototo-ci --> `|x|`\n::error::pwned"
    item = {
        "target": f"variable://{evil}",
        "path": f"variables/{evil}.toml",
        "line": 3,
        "variable": evil,
        "context": {evil: evil},
        "context_file": f"../../{evil}.json",
        "before": {"value_key": evil, "value": evil},
        "after": {"error": evil},
    }
    report = DiffReport.from_json(
        {
            "base": {"rev": "a", "commit": None},
            "head": {"rev": "b", "commit": None},
            "workspaces": [
                {
                    "path": "ws",
                    "status": "modified",
                    "base_loadable": True,
                    "head_loadable": True,
                    "changes": [],
                    "uncovered": [item],
                }
            ],
        }
    )
    markdown = render_markdown(report)
    assert "Changes no declared context exercises" in markdown
    assert "<img" not in markdown and "@everyone" not in markdown
    assert markdown.count("<!-- rototo-ci") == 1 and "../../" not in markdown
    assert f"<code>{witness_file_name(evil, {evil: evil})}</code>" in markdown
    check_commands(render_github(report))  # every line one well-formed command
    text = render_text(report, width=None)
    assert "\n::" not in text and "../../" not in text
    assert witness_file_name(evil, {evil: evil}) in text


def test_a_witness_is_a_whole_request_that_rototo_test_accepts(tmp_path: Path) -> None:
    """Committed as contexts/<name>.json it is judged on every variable (SPEC §2): the
    attributes other variables read are filled in, the witnessed outcomes unchanged."""
    import json

    from rototo_ci.testing.runner import TestOptions, run_tests

    zone = (
        'schema_version = 1\ntype = "string"\n\n[values]\nworld = "w"\neurope = "e"\n\n'
        '[resolve]\ndefault = "world"\n\n[[resolve.rule]]\nqualifier = "eu"\nvalue = "europe"\n'
    )
    base_files = {**BASE, "variables/zone.toml": zone}
    head_files = {
        **base_files,
        "variables/limit.toml": BASE["variables/limit.toml"].replace(
            'value = "mid"', 'value = "high"'
        ),
    }
    base = _load(tmp_path / "base", base_files)
    head = _load(tmp_path / "head", head_files)
    (item,) = uncovered_changes(base, head, semantic_changes(base.model, head.model), [])
    context = item["context"]
    assert context["plan"] == "paid" and "region" in context  # zone's attribute, filled in
    assert (outcome(base, "limit", context), outcome(head, "limit", context)) == (
        item["before"],
        item["after"],
    )
    assert item["after"] == {"value_key": "high", "value": 3}
    committed = {**head_files, item["context_file"]: json.dumps(context)}
    workspace = _load(tmp_path / "committed", committed)
    report = run_tests(workspace, TestOptions())
    assert not report.failed, [(c.suite, c.name, c.message) for c in report.failed]
    assert any(c.suite == item["context_file"] for c in report.cases)


def test_lattice_values_fall_on_both_sides_of_each_predicate(tmp_path: Path) -> None:
    from rototo_ci.engine.resolve import bucket_of
    from rototo_ci.review.witness_search import attribute_values, lattice_contexts

    files = {
        "rototo-workspace.toml": "schema_version = 1\n",
        "schemas/context.schema.json": (
            '{"type": "object", "properties": {"user": {"type": "object", "properties": '
            '{"n": {"type": "integer"}, "id": {"type": "string"}}}, '
            '"score": {"type": "number"}}}'
        ),
        "qualifiers/q.toml": (
            "schema_version = 1\n\n"
            '[[predicate]]\nattribute = "user.n"\nop = "bucket"\nsalt = "s"\nrange = [100, 600]\n\n'
            '[[predicate]]\nattribute = "user.id"\nop = "bucket"\nsalt = "t"\nrange = [0, 9000]\n\n'
            '[[predicate]]\nattribute = "score"\nop = "gt"\nvalue = 9007199254740992.0\n'
        ),
    }
    model = _load(tmp_path, files).model
    values = attribute_values([model], {"q"})
    ints = values["user.n"]  # the schema types it as an integer: units are integers
    assert all(isinstance(v, int) for v in ints)
    assert sorted(100 <= bucket_of("s", v) < 600 for v in ints) == [False, True]
    ids = values["user.id"]
    assert all(isinstance(v, str) for v in ids)
    assert sorted(bucket_of("t", v) < 9000 for v in ids) == [False, True]
    # ±1 is lost to rounding at 2**53: the neighbours are the next floats
    bound = 9007199254740992.0
    assert any(v > bound for v in values["score"]) and any(v < bound for v in values["score"])
    contexts = list(lattice_contexts(values, "x"))
    assert contexts == list(lattice_contexts(values, "x"))  # repeatable
    assert 1 < len(contexts) <= 192 and all(set(c) == {"user", "score"} for c in contexts)
