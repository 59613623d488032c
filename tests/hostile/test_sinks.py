"""Inert text on every stream (SPEC §8): hostile names and strings from a workspace never
start a workflow command on stdout or stderr, never break a one-line message, never
invalidate XML — with the lint cache on and off."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ..cli.conftest import run_cli, run_process
from ..helpers import flag_workspace, write_files
from .sinks import assert_no_forged_command, runner_lines

FORGE = "::error file=README.md,line=1::forged"
PAYLOAD = f"x\n{FORGE}\r::add-mask::m\r\n  ##[error]legacy\u2028::stop-commands::t"


def _toml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def _lua(text: str) -> str:
    return json.dumps(text).replace("\\u2028", "\\u{2028}")


def hostile_workspace(root: Path, lua: bool = True) -> Path:
    """A workspace whose strings and file names each try to forge a workflow command.

    With `lua`, a custom rule reports a hostile message; without, a file name is not UTF-8
    (the two are kept apart: handing such a name to the Lua host is the Lua sandbox's case).
    """
    flag_workspace(root)
    write_files(
        root,
        {
            # a variable's type string lands in a diagnostic message
            "variables/typed.toml": (
                f"schema_version = 1\ntype = {_toml('bool' + PAYLOAD)}\n\n[values]\na = 1\n\n"
                '[resolve]\ndefault = "a"\n'
            ),
        },
    )
    if lua:
        write_files(
            root,
            {
                # a custom Lua rule's message
                "lint/forge.lua": (
                    "function register(lint)\n"
                    '  lint:on({ stage = "policy", entity = "variable", rule = { id = "team/forge",'
                    ' title = "Forge", help = "x", severity = "warning" }, handler = "check" })\n'
                    "end\n"
                    f"function check(ctx) return {{{{ message = {_lua(PAYLOAD)} }}}} end\n"
                ),
            },
        )
    # file NAMES: a command, a newline, a CR, and bytes that are not UTF-8
    for name in (
        f"{FORGE}.toml",
        "a\n::error file=README.md::nl.toml",
        "b\r##[error]cr.toml",
    ):
        (root / "variables" / name).write_text("schema_version = 1\ntype = 3\n")
    if not lua:
        raw = os.fsencode(root / "variables") + b"/\xff::error::bytes.toml"
        with open(raw, "wb") as out:
            out.write(b"schema_version = 1\n")
    return root


@pytest.fixture(params=[True, False], ids=["lua", "bytes-name"])
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request) -> Path:
    monkeypatch.setenv("ROTOTO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ROTOTO_NO_CACHE", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return hostile_workspace(tmp_path / "ws", lua=request.param)


def _workspace_files(ws: Path) -> set[str]:
    """Every file of the workspace as an annotation may name it (decoded as rototo-ci does)."""
    names = set()
    for path in ws.rglob("*"):
        rel = os.fsdecode(os.fsencode(path.relative_to(ws)))
        names.add(rel.replace("\udcff", "\ufffd"))
    return names | {"rototo-workspace.toml"}


def _no_crash(result, codes=(0, 1)) -> None:
    assert result.code in codes, result
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err


CACHE = pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])


@CACHE
@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_lint_never_forges_a_command(hostile: Path, cache: list[str], fmt: str) -> None:
    runs = 2 if not cache else 1  # with the cache: the miss, then the hit
    for _ in range(runs):
        result = run_cli("lint", str(hostile), "--format", fmt, *cache)
        _no_crash(result)
        allowed = _workspace_files(hostile) if fmt == "github" else None
        commands = assert_no_forged_command(result.out, result.err, allowed)
        if fmt == "github":
            # the hostile findings are annotated (escaped), not dropped
            assert any("%0A" in data for _, _, data in commands), result.out
            assert result.err.strip(), "the text copy goes to stderr"
        if fmt in ("json", "sarif"):
            data = json.loads(result.out)
        if fmt == "sarif":  # file names are percent-encoded URIs
            for run in data["runs"]:
                for found in run["results"]:
                    for location in found["locations"]:
                        uri = location["physicalLocation"]["artifactLocation"]["uri"]
                        assert re.fullmatch(r"[A-Za-z0-9/%._~-]*", uri), uri
        if fmt == "text":
            # one finding per line: a hostile path or message never breaks it
            for line in runner_lines(result.out):
                assert "forged" not in line or "\\n" in line or "::error file" in line


def test_lint_github_in_a_subprocess(hostile: Path) -> None:
    """Whatever any part of the process writes (a Lua worker too) reaches the streams guarded."""
    result = run_process("lint", str(hostile), "--format", "github", "--no-cache")
    _no_crash(result)
    commands = assert_no_forged_command(result.out, result.err, _workspace_files(hostile))
    assert "forged" in result.err  # the text copy names the finding, inertly
    # the Lua rule ran and its message arrived, escaped
    assert (hostile / "lint").is_dir() is False or any(
        d.startswith("x%0A::error file=README.md") for _, _, d in commands
    ), result.out


def _fixture_suite(ws: Path) -> None:
    case_id = "case" + PAYLOAD
    write_files(
        ws,
        {
            "tests/rototo-fixtures.toml": (
                'schema_version = 1\n\n[[fixture]]\npath = "variables/flag.toml"\n'
                'target = "variable:flag"\n'
            ),
            "tests/variables/flag.toml": (
                'schema_version = 1\ntarget = "variable:flag"\ndescription = "d"\n\n'
                f"[[case]]\nid = {_toml(case_id)}\ntitle = {_toml('t' + PAYLOAD)}\n"
                "generated = false\n\n[case.context.user]\nbeta = true\n\n"
                f"[case.expect]\nvalue = {_toml('never' + PAYLOAD)}\n"
            ),
            f"contexts/{FORGE}.json": '{"user": {"beta": "::error::not a bool"}}',
        },
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_test_command_never_forges_a_command(tmp_path: Path, fmt: str) -> None:
    ws = flag_workspace(tmp_path / "ws")
    _fixture_suite(ws)
    junit = tmp_path / "junit.xml"
    result = run_cli("test", str(ws), "--format", fmt, "--junit-xml", str(junit))
    _no_crash(result, codes=(1,))
    allowed = _workspace_files(ws) if fmt == "github" else None
    commands = assert_no_forged_command(result.out, result.err, allowed)
    if fmt == "github":
        assert commands, "the failing case is annotated"
    # JUnit stays well-formed XML whatever the case ids hold
    root = ET.parse(junit).getroot()
    names = [case.get("name") or "" for case in root.iter("testcase")]
    assert any("forged" in name for name in names)


def test_junit_holds_characters_xml_cannot(tmp_path: Path) -> None:
    ws = flag_workspace(tmp_path / "ws")
    _fixture_suite(ws)
    suite = ws / "tests/variables/flag.toml"
    suite.write_text(suite.read_text().replace("\\r::add-mask", "\\u0000\\u001b\\u0008"))
    junit = tmp_path / "junit.xml"
    result = run_cli("test", str(ws), "--junit-xml", str(junit))
    _no_crash(result, codes=(1,))
    ET.parse(junit)


@CACHE
def test_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: list[str]) -> None:
    """Untrusted text inside an error message never starts a second line."""
    monkeypatch.setenv("ROTOTO_CACHE_DIR", str(tmp_path / "cache"))
    ws = flag_workspace(tmp_path / "ws")
    write_files(
        ws,
        {
            "qualifiers/beta.toml": (
                "schema_version = 1\n\n[[predicate]]\n"
                f'attribute = {_toml("user.b" + PAYLOAD)}\nop = "eq"\nvalue = true\n'
            )
        },
    )
    result = run_cli("resolve", str(ws), "--variable", "flag", "--no-validate-context")
    _no_crash(result, codes=(1, 2))
    assert_no_forged_command(result.out, result.err)
    errors = [line for line in runner_lines(result.err) if line]
    assert errors and all(line.startswith("rototo: error: ") for line in errors), result.err
    # a selector naming a hostile id: not found, one line
    result = run_cli("lint", str(ws), "--variable", "x" + PAYLOAD, *cache)
    _no_crash(result, codes=(2,))
    assert_no_forged_command(result.out, result.err)
    assert [line for line in runner_lines(result.err) if line] == [result.err.rstrip("\n")]


def test_a_hostile_workspace_path_on_the_command_line(tmp_path: Path) -> None:
    ws = flag_workspace(tmp_path / f"w\n{FORGE}")
    for args in (["lint", str(ws), "--format", "github"], ["lint", str(ws / "missing")]):
        result = run_cli(*args)
        assert_no_forged_command(result.out, result.err, _workspace_files(ws))


@pytest.mark.parametrize(
    "args",
    [
        ["show"],
        ["show", "--lint-rules"],
        ["inspect"],
        ["fixtures", "--out", "OUT", "--check"],
        ["resolve", "--variables"],
    ],
    ids=lambda a: " ".join(a),
)
def test_other_commands_never_forge_a_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("ROTOTO_NO_CACHE", "1")
    ws = hostile_workspace(tmp_path / "ws", lua=True)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = run_cli(args[0], str(ws), *args[1:])
    assert "Traceback" not in result.err and "internal error" not in result.err, result
    assert_no_forged_command(result.out, result.err)
