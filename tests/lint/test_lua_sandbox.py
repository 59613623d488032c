"""Custom Lua lint cannot reach the host and cannot exhaust time or memory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from rototo_ci.engine import Workspace
from rototo_ci.lint import lua, lua_client

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


# -- the process boundary ------------------------------------------------------------


def _files(body: str, entity: str = "workspace", rule: str = "team/probe") -> str:
    return (
        "function register(lint)\n"
        f'  lint:on({{ stage = "policy", entity = "{entity}", rule = {{ id = "{rule}",'
        ' title = "Probe", help = "Probe." }, handler = "check" })\n'
        f"end\nfunction check(ctx)\n{body}\nend\n"
    )


def test_no_rule_files_start_no_worker_and_import_no_lupa(tmp_path: Path) -> None:
    ws = flag_workspace(tmp_path / "ws")
    script = (
        "import sys\n"
        "from rototo_ci.lint import lua_client\n"
        "def refuse(*a, **k): raise AssertionError('a worker was started')\n"
        "lua_client.LuaWorker._start = refuse\n"
        "from rototo_ci.engine import Workspace\n"
        f"Workspace.inspect({str(ws)!r})\n"
        "print('lupa' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_a_killed_task_does_not_lose_the_file_s_other_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lua_client, "TASK_DEADLINE_S", 1.0)
    body = (
        'if ctx.target.name == "off" then string.rep("", math.maxinteger) end\n'
        "return { { message = ctx.target.name } }"
    )
    ws = flag_workspace(tmp_path / "ws", extra={"lint/probe.lua": _files(body, "value")})
    diagnostics = Workspace.inspect(str(ws)).diagnostics
    [failure] = [d for d in diagnostics if d.rule == "rototo/custom-lint-failed"]
    assert "exceeded Lua execution limits" in failure.message
    assert failure.entity == {"kind": "value", "variable": "flag", "key": "off"}
    assert [d.message for d in diagnostics if d.rule == "team/probe"] == ["on"]


def test_the_run_time_budget_holds_across_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lua_client, "TASK_DEADLINE_S", 1.0)
    monkeypatch.setattr(lua_client, "RUN_TIME_S", 1.5)
    hang = 'string.rep("", math.maxinteger) return {}'
    extra = {f"lint/h{i}.lua": _files(hang, rule=f"team/h{i}") for i in range(4)}
    ws = flag_workspace(tmp_path / "ws", extra=extra)
    start = time.perf_counter()
    diagnostics = Workspace.inspect(str(ws)).diagnostics
    elapsed = time.perf_counter() - start
    messages = {
        d.path: d.message
        for d in diagnostics
        if d.rule == "rototo/custom-lint-failed" and d.path.startswith("lint/")
    }
    assert "time budget for custom Lua" in messages["lint/h1.lua"]
    assert all("was not run" in messages[f"lint/h{i}.lua"] for i in (2, 3))
    assert elapsed < 1.5 + lua_client.WALL_FACTOR * 1.0 + 4


def test_the_run_findings_budget_holds_across_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lua, "MAX_RUN_DIAGNOSTICS", 5)
    many = 'return { { message = "a" }, { message = "b" }, { message = "c" } }'
    extra = {f"lint/m{i}.lua": _files(many, rule=f"team/m{i}") for i in range(4)}
    ws = flag_workspace(tmp_path / "ws", extra=extra)
    diagnostics = Workspace.inspect(str(ws)).diagnostics
    custom = [d for d in diagnostics if d.rule.startswith("team/")]
    assert len(custom) <= 6
    stopped = [d for d in diagnostics if "budget for custom lint findings" in d.message]
    assert stopped and all(d.rule == "rototo/custom-lint-failed" for d in stopped)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", "5"),
        ("2.5", "2.5"),
        ('"caf\\u{e9}"', "café"),
        ('string.rep("y", 5000)', "y" * 4096 + " [truncated]"),
    ],
)
def test_messages_are_strings_or_numbers(tmp_path: Path, value: str, expected: str) -> None:
    messages = _messages(_lint(tmp_path, f"return {{ {{ message = {value} }} }}"))
    assert messages == [expected]


@pytest.mark.parametrize(
    "value", ["true", "{}", 'setmetatable({}, { __tostring = function() return "x" end })']
)
def test_other_messages_are_rejected(tmp_path: Path, value: str) -> None:
    [message] = _messages(_lint(tmp_path, f"return {{ {{ message = {value} }} }}"))
    assert "custom lint message is invalid" in message
