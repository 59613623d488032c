"""A workspace value may be `nan` or `inf` (TOML has them, JSON does not): the JSON
report writes them as null, so every JSON output stays JSON (RFC 8259) and a saved
report renders again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.render import json_text

from ..cli.conftest import run_cli
from ..review.conftest import Repo
from ..review.conftest import repo as repo  # noqa: F401  (the fixture)
from ..review.workspaces import base_workspace


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _variable(kind: str, values: str) -> str:
    return (
        f'schema_version = 1\ntype = "{kind}"\n\n[values]\n{values}\n'
        '[resolve]\ndefault = "small"\n\n[[resolve.rule]]\nqualifier = "paid"\nvalue = "large"\n'
    )


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("float", "small = 1.0\nlarge = nan\n"),
        ("json", "small = 1\nlarge = [nan, inf, -inf]\n"),
        ("object", "small = {a = 1}\nlarge = {a = nan}\n"),
    ],
)
def test_non_finite_values_leave_as_json(
    kind: str,
    values: str,
    repo: Repo,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo.write(base_workspace())
    repo.commit("base")
    repo.write({"variables/limit.toml": _variable(kind, values)})
    repo.commit("non-finite")
    monkeypatch.chdir(repo.root)
    saved = tmp_path / "report.json"
    result = run_cli("diff", "HEAD~1..HEAD", "--json", "--output", f"json={saved}")
    assert "error:" not in result.err, result.err
    report = _strict(result.out)
    assert report["workspaces"][0]["changes"], "the value change is reported"
    assert _strict(saved.read_text()) == report
    gitlab = run_cli("diff", "HEAD~1..HEAD", "--format", "gitlab")
    _strict(gitlab.out)
    rendered = run_cli("render", str(saved), "--format", "json")
    assert rendered.code in (0, 1), rendered.err
    assert _strict(rendered.out)["workspaces"] == report["workspaces"]


def test_every_writer_turns_non_finite_numbers_into_null() -> None:
    data = {"a": [float("nan"), 1.5, {"b": float("inf")}], "c": -float("inf")}
    expected = {"a": [None, 1.5, {"b": None}], "c": None}
    assert _strict(json_text.one_line(data)) == expected
    assert _strict(json_text.dumps(data)) == expected
    large = {"records": [[{"v": float("nan")}] for _ in range(json_text.LARGE + 1)]}
    assert json_text.is_large(large, 2)
    text = json_text.dumps(large, record_depth=2)
    assert _strict(text)["records"][-1] == [{"v": None}]
    assert "".join(json_text.pieces(large, record_depth=2)) == text


@pytest.mark.parametrize(
    ("kind", "values"),
    [("number", "small = 1\nlarge = nan\n"), ("list", "small = [1]\nlarge = [nan, -inf]\n")],
)
def test_commands_writing_json_write_non_finite_values_as_null(
    kind: str, values: str, tmp_path: Path
) -> None:
    from ..helpers import write_files

    files = base_workspace()
    files["variables/limit.toml"] = (
        f'schema_version = 1\ntype = "{kind}"\n\n[values]\n{values}\n[resolve]\ndefault = "large"\n'
    )
    root = str(write_files(tmp_path / "ws", files))
    assert run_cli("lint", root, "--no-cache").code == 0  # a clean workspace
    context = '{"account": {"plan": "free", "seats": 1}}'
    commands = [
        ("resolve", root, "--variables", "--json", "--context", context),
        ("show", root, "--json"),
        ("inspect", root, "--json"),
        ("test", root, "--format", "json"),
    ]
    for args in commands:
        result = run_cli(*args)
        assert result.code in (0, 1) and "error:" not in result.err, (args, result.err)
        _strict(result.out)
    resolved = _strict(run_cli(*commands[0]).out)
    assert "null" in json.dumps(resolved)
