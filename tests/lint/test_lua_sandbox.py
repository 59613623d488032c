"""Custom Lua lint cannot reach the host and cannot exhaust time or memory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rototo_ci.engine import Workspace

from ..helpers import flag_workspace

RULE = 'rule = { id = "team/probe", title = "Probe", help = "Probe." }'


def _lint(tmp_path: Path, body: str, stage: str = "policy") -> list:
    ws = flag_workspace(
        tmp_path / "ws",
        extra={
            "lint/probe.lua": (
                "function register(lint)\n"
                f'  lint:on({{ stage = "{stage}", entity = "workspace", {RULE},'
                ' handler = "check" })\n'
                f"end\nfunction check(ctx)\n{body}\nend\n"
            )
        },
    )
    return Workspace.inspect(str(ws)).diagnostics


def _messages(diagnostics: list) -> list[str]:
    return [d.message for d in diagnostics if d.rule in ("team/probe", "rototo/custom-lint-failed")]


@pytest.mark.parametrize(
    "expression",
    [
        "os",
        "io",
        "package",
        "require",
        "dofile",
        "loadfile",
        "load",
        "debug",
        "collectgarbage",
        "string.dump",
        "coroutine",
        "python",
        "print",
    ],
)
def test_dangerous_globals_are_absent(tmp_path: Path, expression: str) -> None:
    messages = _messages(_lint(tmp_path, f"return {{ {{ message = tostring({expression}) }} }}"))
    assert messages == ["nil"]


def test_no_escape_through_metatables_or_string_library(tmp_path: Path) -> None:
    body = (
        'local mt = getmetatable("")\n'
        "local ok = pcall(function() return mt.__index.dump end)\n"
        'return { { message = tostring(string.dump) .. tostring(rawget(_G, "os")) } }'
    )
    assert _messages(_lint(tmp_path, body)) == ["nilnil"]


def test_handler_cannot_read_files(tmp_path: Path) -> None:
    body = 'local f = io.open("/etc/passwd")\nreturn {}'
    [message] = _messages(_lint(tmp_path, body))
    assert "custom lint failed" in message


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("while true do end", "exceeded Lua execution limits"),
        ('local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end', "memory"),
        ("local function f(n) return f(n + 1) + 1 end return f(1)", "custom lint failed"),
        ('return { { message = string.rep("x", 1e9) } }', "memory"),
    ],
)
def test_runaway_handlers_become_diagnostics_quickly(
    tmp_path: Path, body: str, needle: str
) -> None:
    start = time.perf_counter()
    diagnostics = _lint(tmp_path, body)
    elapsed = time.perf_counter() - start
    [failure] = [d for d in diagnostics if d.rule == "rototo/custom-lint-failed"]
    assert needle in failure.message
    assert failure.stage == "policy" and failure.entity == {"kind": "workspace"}
    assert elapsed < 5


def test_busy_registration_is_stopped(tmp_path: Path) -> None:
    ws = flag_workspace(
        tmp_path / "ws", extra={"lint/busy.lua": "function register(lint) while true do end end\n"}
    )
    [failure] = [
        d for d in Workspace.inspect(str(ws)).diagnostics if d.rule == "rototo/custom-lint-failed"
    ]
    assert "exceeded Lua execution limits" in failure.message and failure.stage == "register"


def test_budget_is_per_task(tmp_path: Path) -> None:
    # each handler call gets its own budget: many small calls all succeed
    body = "local n = 0 for i = 1, 400000 do n = n + i end return {}"
    ws = flag_workspace(
        tmp_path / "ws",
        extra={
            "lint/probe.lua": (
                "function register(lint)\n"
                f'  lint:on({{ stage = "policy", entity = "value", {RULE}, handler = "check" }})\n'
                f"end\nfunction check(ctx)\n{body}\nend\n"
            )
        },
    )
    assert not [
        d for d in Workspace.inspect(str(ws)).diagnostics if d.rule == "rototo/custom-lint-failed"
    ]
