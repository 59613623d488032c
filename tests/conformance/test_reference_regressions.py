"""Regression cases for differences found by sweeping upstream's workspaces, the TOML test
suite and hand-made malformed files (each asked of the reference engine live)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine import Workspace
from rototo_ci.engine.resolve import bucket_of, canonical, json_float

from ..cli.conftest import run_cli
from ..helpers import write_files
from ..oracle.lint import key, lint_problems, ours_lint, reference_lint
from ..oracle.reference import resolve_batch

MANIFEST = "schema_version = 1\n"
FLAG = 'schema_version = 1\ntype = "bool"\n[values]\noff = false\non = true\n'

LINT_CASES: dict[str, dict[str, str]] = {
    # a variable with no [resolve] table at all
    "no-resolve-table": {"variables/flag.toml": FLAG},
    # a value table first opened by its own sub-table header
    "sub-table-first": {
        "variables/limits.toml": (
            'schema_version = 1\ntype = "list"\n'
            "[values.big.limits]\nseats = 10\n[values.big]\nname = 1\n"
            '[values.small]\nx = 1\n[resolve]\ndefault = "small"\n'
        )
    },
    # a table made by dotted keys, extended by a sub-table header
    "dotted-then-header": {
        "qualifiers/q.toml": (
            'schema_version = 1\nmeta.owner = "ops"\n[meta.labels]\nteam = "core"\n'
            '[[predicate]]\nattribute = "plan"\nop = "eq"\nvalue = "pro"\n'
        )
    },
    # the same predicate written three times
    "duplicate-predicates": {
        "qualifiers/q.toml": "schema_version = 1\n"
        + '[[predicate]]\nattribute = "plan"\nop = "in"\nvalue = ["a", "b"]\n' * 3
    },
    # schema references that leave the workspace or point nowhere
    "escaping-schema": {
        "resources/r.toml": 'schema_version = 1\nschema = "../../etc/passwd.json"\n',
        "resources/s.toml": 'schema_version = 1\nschema = "/abs.json"\n',
        "resources/t.toml": 'schema_version = 1\nschema = "../schemas/absent.json"\n',
    },
    # a schema file beginning with a UTF-8 byte order mark
    "schema-with-bom": {"schemas/thing.json": '\ufeff{"type": "object"}'},
    # a TOML file beginning with a byte order mark, its error on the first line
    "toml-with-bom": {"qualifiers/q.toml": "\ufeffschema_version = 1 2\n"},
}


def _roots(tmp_path: Path) -> list[Path]:
    return [
        write_files(tmp_path / name, {"rototo-workspace.toml": MANIFEST, **files})
        for name, files in LINT_CASES.items()
    ]


def test_lint_cases_match_the_reference(tmp_path: Path) -> None:
    roots = _roots(tmp_path)
    problems = []
    for root, theirs in zip(roots, reference_lint(roots), strict=True):
        assert "error" not in theirs, root.name
        problems += lint_problems(root, theirs)
    assert not problems, "\n".join(problems)


def _diagnostics(tmp_path: Path, name: str) -> list[dict[str, Any]]:
    root = write_files(tmp_path / name, {"rototo-workspace.toml": MANIFEST, **LINT_CASES[name]})
    return ours_lint(root)["diagnostics"]


def test_missing_resolve_table_is_missing_default(tmp_path: Path) -> None:
    rules = {d["rule"] for d in _diagnostics(tmp_path, "no-resolve-table")}
    assert "rototo/variable-resolve-missing-default" in rules
    assert "rototo/variable-resolve-shape" not in rules


def test_value_opened_by_sub_table_is_located_at_the_first_header(tmp_path: Path) -> None:
    unused = [
        key(d)
        for d in _diagnostics(tmp_path, "sub-table-first")
        if d["rule"] == "rototo/variable-value-unused"
    ]
    assert [k[5] for k in unused] == ["2:0-3:10"]  # `[values.big.limits]` and its entry


def test_duplicate_predicate_messages_name_the_duplicate(tmp_path: Path) -> None:
    messages = sorted(
        d["message"]
        for d in _diagnostics(tmp_path, "duplicate-predicates")
        if d["rule"] == "rototo/qualifier-predicate-duplicate"
    )
    assert messages == [
        "predicate duplicates an earlier predicate: 2",
        "predicate duplicates an earlier predicate: 3",
    ]


def test_escaping_schema_reference_says_so(tmp_path: Path) -> None:
    messages = {
        d["entity"]["id"]: d["message"]
        for d in _diagnostics(tmp_path, "escaping-schema")
        if d["rule"] == "rototo/resource-schema-ref"
    }
    assert messages["r"].endswith(
        "../../etc/passwd.json is not a relative path inside the workspace"
    )
    assert messages["s"].endswith("/abs.json is not a relative path inside the workspace")
    assert messages["t"].endswith("schema file not found: schemas/absent.json")


def test_manifest_schema_failures_have_no_range(tmp_path: Path) -> None:
    for manifest, message in (
        ("schema_version = 2\n", "unsupported workspace schema_version: 2"),
        ('schema_version = "1"\n', "workspace manifest must declare schema_version = 1"),
        ('schema_version = 1\nextends = "../base"\n', "workspace extends must be an array"),
        ('schema_version = 1\nextends = [" ../base"]\n', "must not contain surrounding"),
        ('schema_version = 1\nextends = [""]\n', "must not be blank"),
        ("schema_version = 1\nextends = [1]\n", "sources must be strings"),
    ):
        root = write_files(
            tmp_path / str(len(list(tmp_path.iterdir()))), {"rototo-workspace.toml": manifest}
        )
        found = [
            d
            for d in ours_lint(root)["diagnostics"]
            if d["rule"] == "rototo/workspace-manifest-schema-failed"
        ]
        assert len(found) == 1, manifest
        assert "range" not in found[0]["location"]
        assert message in found[0]["message"]


def test_lint_json_on_a_directory_without_manifest_and_on_a_missing_path(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("lint", "--json", str(empty))
    [finding] = json.loads(result.out)["diagnostics"]
    assert result.code == 1
    assert finding["rule"] == "rototo/workspace-manifest-missing"
    assert finding["location"] == {"path": str(empty.resolve())}
    missing = tmp_path / "absent"
    result = run_cli("lint", "--json", str(missing))
    [finding] = json.loads(result.out)["diagnostics"]
    assert result.code == 1
    assert finding["rule"] == "rototo/workspace-not-found"
    assert finding["location"] == {"path": str(missing)}
    # outside JSON a missing path stays an input error
    assert run_cli("lint", str(missing)).code == 2
    a_file = tmp_path / "file.toml"
    a_file.write_text("x = 1\n")
    result = run_cli("lint", "--json", str(a_file))
    [finding] = json.loads(result.out)["diagnostics"]
    assert (result.code, finding["rule"]) == (1, "rototo/workspace-not-found")
    assert finding["message"] == "workspace path is not a directory"


def _qualifier(op: str, value: str) -> str:
    return f'schema_version = 1\n[[predicate]]\nattribute = "n"\nop = "{op}"\nvalue = {value}\n'


NUMBER_CASES = [
    ("lt", "9223372036854775807", 2.5),
    ("gt", "1.5", 18446744073709551615),
    ("eq", "9223372036854775807", 9.223372036854776e18),
    ("gte", "9223372036854775807", 9.223372036854776e18),
    ("eq", "18446744073709551615.0", 18446744073709551615),
    ("eq", "9007199254740993", 9007199254740992.0),
    ("lt", "-9223372036854775807", -9.223372036854776e18),
    ("in", "[9007199254740993, 3]", 3.0),
    ("lt", "9007199254740993", 2.25),
    ("neq", "9007199254740993", 2.25),
]


def test_numbers_near_64_bits_compare_as_the_reference(tmp_path: Path) -> None:
    jobs, roots = [], []
    for index, (op, value, context) in enumerate(NUMBER_CASES):
        root = write_files(
            tmp_path / f"n{index}",
            {"rototo-workspace.toml": MANIFEST, "qualifiers/q.toml": _qualifier(op, value)},
        )
        roots.append(root)
        jobs.append({"source": str(root), "queries": [["qualifier", "q", {"n": context}]]})
    theirs = [answer["results"][0]["value"] for answer in resolve_batch(jobs)]
    ours = [
        Workspace.load(str(root)).resolve_qualifier("q", {"n": context}).value
        for root, (_, _, context) in zip(roots, NUMBER_CASES, strict=True)
    ]
    assert ours == theirs
    # 2**63 - 1 survives the (saturating) round trip through a float; 2**53 + 1 does not
    assert theirs[:5] == [True, True, True, True, True]
    assert theirs[-2:] == [False, True]


def test_float_text_for_buckets() -> None:
    assert json_float(2.8e-05) == "0.000028"
    assert json_float(1e-06) == "1e-6"
    assert json_float(3.3e-10) == "3.3e-10"
    assert json_float(1e16) == "1e+16"
    assert json_float(1.2345678901234568e20) == "1.2345678901234568e+20"
    assert json_float(1e15) == "1000000000000000.0"
    assert json_float(-0.0) == "-0.0"
    assert canonical([1e-06, {"b": 2.5e-08, "a": 1}]) == '[1e-6,{"a":1,"b":2.5e-8}]'


def test_bucket_of_small_and_huge_floats_agrees_with_the_reference(tmp_path: Path) -> None:
    values: list[Any] = [2.8e-05, 1e-06, 9.999e-05, -2.5e-06, 1e16, 1.5e300, [1e-07], {"x": 1e100}]
    jobs = []
    for index, value in enumerate(values):
        bucket = bucket_of("s", value)
        text = (
            'schema_version = 1\n[[predicate]]\nattribute = "n"\nop = "bucket"\n'
            f'salt = "s"\nrange = [{bucket}, {bucket + 1}]\n'
        )
        root = write_files(
            tmp_path / f"b{index}", {"rototo-workspace.toml": MANIFEST, "qualifiers/q.toml": text}
        )
        jobs.append({"source": str(root), "queries": [["qualifier", "q", {"n": value}]]})
    assert [answer["results"][0]["value"] for answer in resolve_batch(jobs)] == [True] * len(values)


@pytest.mark.parametrize("types", [["string", "integer"], ["integer", "null"], "integer"])
def test_union_typed_context_schema(tmp_path: Path, types: Any) -> None:
    schema = {"type": "object", "properties": {"n": {"type": types}, "m": {"type": "integer"}}}
    root = write_files(
        tmp_path / "ws",
        {
            "rototo-workspace.toml": MANIFEST,
            "schemas/context.schema.json": json.dumps(schema),
            "qualifiers/q.toml": _qualifier("eq", "1").replace('"n"', '"m"'),
        },
    )
    values: list[Any] = [2.0, 0.0, 1e21, -3.0, 2, 2.5]
    jobs = [
        {"source": str(root), "queries": [["qualifier", "q", {"n": v, "m": 1}]]} for v in values
    ]
    theirs = ["error" not in answer["results"][0] for answer in resolve_batch(jobs)]
    workspace = Workspace.load(str(root))
    ours = []
    for value in values:
        try:
            workspace.resolve_qualifier("q", {"n": value, "m": 1})
            ours.append(True)
        except Exception:  # noqa: BLE001 - a refused context
            ours.append(False)
    assert ours == theirs
    whole_floats_ok = not isinstance(types, list)
    assert ours[:4] == [whole_floats_ok] * 4
