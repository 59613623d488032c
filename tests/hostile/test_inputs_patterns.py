"""JSON Schema regular expressions from a workspace run in linear time (SPEC §8 Bounded).

A backtracking engine needs exponential time for `^(a+)+$` against "aaaa…b"; the
validators rototo-ci builds match with RE2, and a pattern RE2 cannot express is a
lint error on its schema, never a slow match and never a crash.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ..cli.conftest import run_cli
from .inputs_support import CACHE_MODES, copy_example, lint, run_measured

EVIL = "^(a+)+$"
LONG = "a" * 50_000 + "b"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ws")


@pytest.fixture(params=CACHE_MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _theme_schema(ws: Path, **extra: object) -> None:
    path = ws / "schemas" / "checkout-theme.schema.json"
    schema = json.loads(path.read_text())
    schema.update(extra)
    path.write_text(json.dumps(schema))


def test_python_re_would_hang_on_this_pattern() -> None:
    """The attack is real: Python's own engine is exponential here (so the tests below test)."""
    import re

    start = time.perf_counter()
    re.search(EVIL, "a" * 20 + "b")
    assert time.perf_counter() - start > 0.02  # doubles with every extra "a"


def test_pattern_on_a_resource_object(ws: Path, tmp_path: Path, mode: str, monkeypatch) -> None:
    _theme_schema(
        ws,
        properties={
            "layout": {"enum": ["classic", "single-page"]},
            "express_pay": {"type": "boolean"},
            "banner": {"type": "string", "pattern": EVIL},
        },
    )
    (ws / "resources" / "checkout-theme-objects" / "evil.toml").write_text(
        f'layout = "classic"\nexpress_pay = true\nbanner = "{LONG}"\n'
    )
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.seconds < 5, result.seconds
    assert result.code == 1
    evil = [
        d
        for d in result.diagnostics
        if d["location"]["path"] == "resources/checkout-theme-objects/evil.toml"
    ]
    assert evil and all("does not match" in d["message"] for d in evil), evil


def test_pattern_properties_and_additional_properties(
    ws: Path, tmp_path: Path, mode: str, monkeypatch
) -> None:
    _theme_schema(ws, patternProperties={EVIL: {"type": "string"}})
    (ws / "resources" / "checkout-theme-objects" / "evil.toml").write_text(
        f'layout = "classic"\nexpress_pay = true\n{LONG} = 1\n'
    )
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.seconds < 5, result.seconds
    paths = {d["location"]["path"] for d in result.diagnostics}
    # the long key matches no pattern, so additionalProperties: false refuses it
    assert paths == {"resources/checkout-theme-objects/evil.toml"}
    assert result.code == 1


def test_unevaluated_properties_with_pattern_properties(
    ws: Path, tmp_path: Path, mode: str, monkeypatch
) -> None:
    _theme_schema(ws, patternProperties={EVIL: {"type": "string"}, "^x-": {}})
    path = ws / "schemas" / "checkout-theme.schema.json"
    schema = json.loads(path.read_text())
    del schema["additionalProperties"]
    schema["unevaluatedProperties"] = False
    path.write_text(json.dumps(schema))
    (ws / "resources" / "checkout-theme-objects" / "evil.toml").write_text(
        f'layout = "classic"\nexpress_pay = true\n"x-note" = 1\n{LONG} = 1\n'
    )
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.seconds < 5, result.seconds
    # one finding: the long key; "x-note" matches "^x-", so it counts as evaluated
    [diagnostic] = result.diagnostics
    assert diagnostic["location"]["path"] == "resources/checkout-theme-objects/evil.toml"
    assert "x-note" not in diagnostic["message"]
    assert result.code == 1


@pytest.mark.parametrize(
    "pattern", [r"^(a)\1$", "^(?=a)a$", "^(?!b).*$", "(?<=a)b", "(a{1000}){1000}"]
)
def test_patterns_re2_cannot_express_are_lint_errors(
    ws: Path, tmp_path: Path, mode: str, monkeypatch, pattern: str
) -> None:
    _theme_schema(
        ws,
        properties={
            "layout": {"enum": ["classic", "single-page"]},
            "express_pay": {"type": "boolean"},
            "banner": {"type": "string", "pattern": pattern},
        },
    )
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.code == 1
    found = [
        d
        for d in result.diagnostics
        if d["location"]["path"] == "schemas/checkout-theme.schema.json"
    ]
    assert [d["rule"] for d in found] == ["rototo-ci/schema-pattern-unsupported"]
    assert "linear time" in found[0]["message"] or "longer" in found[0]["message"]


def test_context_schema_pattern_on_the_command_line(ws: Path) -> None:
    path = ws / "schemas" / "context.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["request"]["properties"]["country"]["pattern"] = EVIL
    path.write_text(json.dumps(schema))
    context = json.dumps({"account": {"id": "x", "plan": "free"}, "request": {"country": LONG}})
    start = time.perf_counter()
    result = run_cli("resolve", str(ws), "--variables", "--context", context)
    assert time.perf_counter() - start < 5
    assert result.code == 2 and result.err.startswith("rototo: error: context does not match")
    ok = json.dumps(
        {"account": {"id": "x", "plan": "free", "seats": 1}, "request": {"country": "aaa"}}
    )
    assert run_cli("resolve", str(ws), "--variables", "--context", ok).code == 0


def test_context_schema_pattern_in_declared_contexts(ws: Path) -> None:
    path = ws / "schemas" / "context.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["account"]["properties"]["id"]["pattern"] = "^((a+)+|acct-.*)$"
    path.write_text(json.dumps(schema))
    (ws / "contexts" / "evil.json").write_text(
        json.dumps({"account": {"id": LONG, "plan": "free"}, "request": {"country": "US"}})
    )
    result, peak_kib = run_measured("test", str(ws), "--format", "json")
    assert result.seconds < 10 and peak_kib < 300 * 1024
    failed = [c for c in json.loads(result.out)["cases"] if not c["passed"]]
    assert {c["suite"] for c in failed} == {"contexts/evil.json"}
    assert result.code == 1
