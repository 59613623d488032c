"""Hostile custom Lua: every known route around the limits ends as a finding, quickly,
with the rest of the workspace still linted and the lint process's memory bounded.

Every case is a rule file of its own. The default suite lints one workspace holding
them all, in this process, with the cache off (Python allocations traced) and with
the cache on twice (a miss that stores, then a hit that must give the same verdict),
and checks each case's outcome in its own test. The slow suite lints each case alone
in a child process and reads that process's peak RSS, and its worker's, from getrusage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.lint import lua_client

from ..cli.conftest import run_cli
from ..helpers import flag_workspace

LIMIT = "exceeded Lua execution limits"
FAILED = "rototo/custom-lint-failed"
WORKSPACE = "rototo-workspace.toml"
WALL_S = 10.0  # per lint run
SHORT_DEADLINE_S = 1.0
HOST_PEAK_BYTES = 200 * 1024 * 1024  # Python allocations of the lint process
HOST_RSS_KB = 300 * 1024  # the lint process
WORKER_RSS_KB = 600 * 1024  # the Lua worker (RLIMIT_AS is 512 MiB)

_RUNNER = r"""
import json, os, resource, sys
from rototo_ci.cli.app import main
code = main(sys.argv[1:])
sys.stdout.flush()
# the process's own peak: VmHWM, not ru_maxrss, which keeps the peak of the process that
# forked it (a pytest session grown large by earlier tests) across exec
try:
    with open("/proc/self/status") as status:
        own = int(status.read().split("VmHWM:")[1].split()[0])
except (OSError, IndexError, ValueError):
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
usage = {
    "self": own,
    "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}
sys.stderr.write("\nRUSAGE " + json.dumps(usage) + "\n")
sys.stderr.flush()
os._exit(code)
"""

GOOD = (
    "function register(lint)\n"
    '  lint:on({ stage = "policy", entity = "workspace", rule = { id = "team/good",'
    ' title = "Good", help = "Good." }, handler = "good" })\n'
    "end\n"
    'function good(ctx) return { { message = "still linted" } } end\n'
)
BROKEN_VARIABLE = 'schema_version = 1\ntype = "bool"\n\n[values]\noff = false\n'


def handler_file(body: str, top: str = "", entity: str = "workspace") -> str:
    return (
        f"{top}\n"
        "function register(lint)\n"
        f'  lint:on({{ stage = "policy", entity = "{entity}", rule = {{ id = "team/probe",'
        ' title = "Probe", help = "Probe." }, handler = "check" })\n'
        "end\n"
        f"function check(ctx)\n{body}\nend\n"
    )


@dataclass
class Case:
    files: dict[str, str | bytes]
    failed: tuple[str, str] | None  # (path, message part) of the expected failure
    probe: int | None = None  # expected number of team/probe findings (None: not checked)
    default: bool = True  # also in the default suite's combined run (else slow suite only)


CASES: dict[str, Case] = {
    "pcall swallows the limit, then loops": Case(
        {"lint/x.lua": handler_file("pcall(function() while true do end end) while true do end")},
        (WORKSPACE, LIMIT),
    ),
    "pcall inside an endless loop": Case(
        {"lint/x.lua": handler_file("while true do pcall(function() while true do end end) end")},
        (WORKSPACE, LIMIT),
    ),
    "<close> handler loops during unwinding": Case(
        {
            "lint/x.lua": handler_file(
                "local guard <close> = setmetatable({}, { __close = function()"
                " while true do end end })\nwhile true do end"
            )
        },
        (WORKSPACE, LIMIT),
    ),
    "<close> handler loops on a normal exit": Case(
        {
            "lint/x.lua": handler_file(
                "do local guard <close> = setmetatable({}, { __close = function()"
                " while true do end end }) end\nreturn {}"
            )
        },
        (WORKSPACE, LIMIT),
    ),
    "__gc finalizers loop": Case(
        {
            "lint/x.lua": handler_file(
                "for i = 1, 200 do setmetatable({}, { __gc = function() while true do end end })"
                " end\nlocal keep = {} for i = 1, 20000 do keep[i] = { i } end\n"
                'return { { message = "after gc" } }',
                top="setmetatable({}, { __gc = function() while true do end end })",
            )
        },
        (WORKSPACE, LIMIT),
        probe=0,
    ),
    "global type overridden then a non-list returned": Case(
        {
            "lint/x.lua": handler_file(
                "type = function() while true do end end\nreturn 5",
            )
        },
        (WORKSPACE, "got integer"),
    ),
    "builtins overridden before the host reads the result": Case(
        {
            "lint/x.lua": handler_file(
                'return { { message = "plain" } }',
                top=(
                    "local spin = function() while true do end end\n"
                    "type, tostring, rawget, rawlen, pairs, ipairs = spin, spin, spin, spin,"
                    " spin, spin\n"
                    "pcall, error, setmetatable, next, select = spin, spin, spin, spin, spin\n"
                    "string.sub, utf8.len, math.type = spin, spin, spin\n"
                    'getmetatable("").__tostring = spin\n'
                    'getmetatable("").__index = { sub = spin, len = spin }'
                ),
            )
        },
        None,
        probe=1,
    ),
    "__index and __len on the returned list": Case(
        {
            "lint/x.lua": handler_file(
                "local spin = function() while true do end end\n"
                "return setmetatable({}, { __index = spin, __len = spin, __pairs = spin })"
            )
        },
        None,
        probe=0,
    ),
    "__index on a returned diagnostic": Case(
        {
            "lint/x.lua": handler_file(
                "local spin = function() while true do end end\n"
                "return { setmetatable({}, { __index = spin }) }"
            )
        },
        (WORKSPACE, "must contain message"),
        probe=0,
    ),
    "__tostring on a returned message": Case(
        {
            "lint/x.lua": handler_file(
                "local spin = function() while true do end end\n"
                "return { { message = setmetatable({}, { __tostring = spin }) } }"
            )
        },
        (WORKSPACE, "message is invalid"),
        probe=0,
    ),
    'string.rep("", math.maxinteger)': Case(
        {"lint/x.lua": handler_file('string.rep("", math.maxinteger) return {}')},
        (WORKSPACE, LIMIT),
    ),
    "table.move({}, 1, 1e15, 1)": Case(
        {"lint/x.lua": handler_file("table.move({}, 1, 1e15, 1) return {}")},
        (WORKSPACE, LIMIT),
    ),
    "backtracking string.find": Case(
        {
            "lint/x.lua": handler_file(
                'string.find(string.rep("a", 40), string.rep("a*", 40) .. "b") return {}'
            )
        },
        (WORKSPACE, LIMIT),
    ),
    "a C function hangs in register(lint)": Case(
        {
            "lint/x.lua": (
                'function register(lint) string.rep("", math.maxinteger) end\n'
                "function check() return {} end\n"
            )
        },
        ("lint/x.lua", LIMIT),
        default=False,
    ),
    "a C function hangs at the top level": Case(
        {"lint/x.lua": "table.move({}, 1, 1e15, 1)\nfunction register(lint) end\n"},
        ("lint/x.lua", LIMIT),
        default=False,
    ),
    "one 4 MiB message referenced 500 times": Case(
        {
            "lint/x.lua": handler_file(
                'local s = string.rep("x", 4 * 1024 * 1024)\n'
                "local out = {} for i = 1, 500 do out[i] = { message = s } end\nreturn out"
            )
        },
        None,
        probe=500,
    ),
    "more findings than a task may return": Case(
        {
            "lint/x.lua": handler_file(
                'local out = {} for i = 1, 5000 do out[i] = { message = "m" .. i } end\nreturn out'
            )
        },
        (WORKSPACE, "only the first 1000 are kept"),
        probe=1000,
    ),
    "a message that is not UTF-8": Case(
        {"lint/x.lua": handler_file('return { { message = "\\xff" } }')},
        (WORKSPACE, "not valid UTF-8"),
        probe=0,
    ),
    "rule files of 7 MiB each": Case(
        {
            f"lint/big{i}.lua": b"-- " + b"x" * (7 * 1024 * 1024) + b"\nfunction register(l) end\n"
            for i in range(3)
        },
        ("lint/big0.lua", "larger than"),
    ),
    "coroutines are not reachable": Case(
        {
            "lint/x.lua": handler_file(
                "local co = coroutine.wrap(function() coroutine.wrap(function()"
                " while true do end end)() end)\nco() return {}"
            )
        },
        (WORKSPACE, "runtime error"),
    ),
    "string.format with a huge width": Case(
        {"lint/x.lua": handler_file('return { { message = string.format("%99999d", 1) } }')},
        (WORKSPACE, "runtime error"),
    ),
    "string.format of a huge string": Case(
        {
            "lint/x.lua": handler_file(
                'return { { message = string.format("%s%s", string.rep("x", 9e6),'
                ' string.rep("y", 9e6)) } }'
            )
        },
        (WORKSPACE, "memory"),
    ),
    "gsub with a huge replacement count": Case(
        {
            "lint/x.lua": handler_file(
                'local s = string.gsub(string.rep("a", 1e6), "", string.rep("b", 100))\nreturn {}'
            )
        },
        (WORKSPACE, "memory"),
    ),
    "gsub calling Lua for every match": Case(
        {
            "lint/x.lua": handler_file(
                'string.gsub(string.rep("a", 1e6), "a", function() for i = 1, 100 do end end)\n'
                "return {}"
            )
        },
        (WORKSPACE, LIMIT),
    ),
    "deep recursion through metamethods": Case(
        {
            "lint/x.lua": handler_file(
                "local t = setmetatable({}, {})\n"
                "getmetatable(t).__index = function(self, key) return self[key] end\n"
                "return { { message = t.x } }"
            )
        },
        (WORKSPACE, "runtime error"),
    ),
    "an error object with a looping __tostring": Case(
        {
            "lint/x.lua": handler_file(
                "error(setmetatable({}, { __tostring = function() while true do end end }))"
            )
        },
        (WORKSPACE, "error object is a table value"),
    ),
    "os.exit is not reachable": Case(
        {"lint/x.lua": handler_file("os.exit(0) return {}")},
        (WORKSPACE, "runtime error"),
    ),
    "memory growth caught by pcall": Case(
        {
            "lint/x.lua": handler_file(
                "local t = {}\n"
                "for round = 1, 1e9 do pcall(function() for i = 1, 1e9 do t[#t + 1] = {} end end)"
                " end\nreturn {}"
            )
        },
        (WORKSPACE, "exceeded Lua execution limits"),
    ),
    "a binary chunk": Case(
        {"lint/x.lua": b"\x1bLua\x54\x00\x19\x13\r\n\x1a\n\x04\x08\x08xV\x00\x00"},
        ("lint/x.lua", "failed to execute custom lint"),
    ),
}


def _run(ws: Path, cache: Path | None) -> tuple[int, dict[str, Any], dict[str, int], float]:
    """`rototo lint --json` in a child process; its peak memory and its worker's."""
    env = dict(os.environ)
    args = [sys.executable, "-c", _RUNNER, "lint", str(ws), "--json"]
    if cache is None:
        args.append("--no-cache")
    else:
        env["ROTOTO_CACHE_DIR"] = str(cache)
        env.pop("ROTOTO_NO_CACHE", None)
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    elapsed = time.perf_counter() - start
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    usage = json.loads(proc.stderr.rsplit("RUSAGE ", 1)[1])
    return proc.returncode, json.loads(proc.stdout), usage, elapsed


def _run_here(ws: Path, cache: Path | None, trace: bool) -> tuple[int, dict[str, Any], int, float]:
    """`rototo lint --json` in this process; the peak of Python allocations when traced."""
    args = ["lint", str(ws), "--json"]
    saved = {key: os.environ.get(key) for key in ("ROTOTO_CACHE_DIR", "ROTOTO_NO_CACHE")}
    if cache is None:
        args.append("--no-cache")
    else:
        os.environ["ROTOTO_CACHE_DIR"] = str(cache)
        os.environ.pop("ROTOTO_NO_CACHE", None)
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        result = run_cli(*args)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
    finally:
        if trace:
            tracemalloc.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert "Traceback" not in result.err, result.err[-3000:]
    return result.code, json.loads(result.out), peak, elapsed


def _verdict(diagnostics: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((d["rule"], d["location"]["path"], d["message"]) for d in diagnostics)


def _prefixed(index: int, case: Case) -> dict[str, str | bytes]:
    """The case's files renamed (lint/cNN-...) and its rule id made its own (team/cNN)."""
    files: dict[str, str | bytes] = {}
    for rel, data in case.files.items():
        name = rel.split("/", 1)[1]
        if isinstance(data, str):
            data = data.replace("team/probe", f"team/c{index:02}")
        files[f"lint/c{index:02}-{name}"] = data
    return files


def _write(root: Path, files: dict[str, str | bytes]) -> Path:
    ws = flag_workspace(
        root, extra={"lint/good.lua": GOOD, "variables/broken.toml": BROKEN_VARIABLE}
    )
    for rel, data in files.items():
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return ws


def _check_rest(code: int, diagnostics: list[dict[str, Any]]) -> None:
    assert code == 1
    # the rest of the workspace is still linted: a built-in finding and another rule file
    assert any(d["location"]["path"] == "variables/broken.toml" for d in diagnostics)
    assert any(d["rule"] == "team/good" for d in diagnostics)


def _check_case(index: int, case: Case, diagnostics: list[dict[str, Any]]) -> None:
    files = {rel for rel in _prefixed(index, case)}
    mine = [
        d
        for d in diagnostics
        if d["location"]["path"] in files
        or any(f"in {rel}:" in d["message"] for rel in files)
        or d["rule"] == f"team/c{index:02}"
    ]
    failures = [d for d in mine if d["rule"] == FAILED]
    if case.failed is None:
        assert not failures, failures
    else:
        path, part = case.failed
        if path != WORKSPACE:
            path = f"lint/c{index:02}-{path.split('/', 1)[1]}"
        assert any(d["location"]["path"] == path and part in d["message"] for d in failures), (
            failures
        )
    probes = [d for d in mine if d["rule"] == f"team/c{index:02}"]
    if case.probe is not None:
        assert len(probes) == case.probe
    for d in probes:
        assert len(d["message"].encode()) <= 4096 + len(" [truncated]")


NAMES = list(CASES)
DEFAULT = [name for name in NAMES if CASES[name].default]
KILLS = 4  # default cases that end with the host killing the worker


def _kill_bound(deadline: float) -> float:
    """Longest a killed task may take: its CPU deadline, or on a busy machine the
    wall-clock backstop, plus starting a new worker."""
    return lua_client.WALL_FACTOR * deadline + 1.0 + 1.0


@pytest.fixture(scope="module", params=["off", "on"])
def combined(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One workspace holding every attack as its own rule file, linted once per cache mode
    (twice with the cache on: a miss that stores, then a hit)."""
    root = tmp_path_factory.mktemp(f"attacks-{request.param}")
    files: dict[str, str | bytes] = {}
    for name in DEFAULT:
        files.update(_prefixed(NAMES.index(name), CASES[name]))
    ws = _write(root / "ws", files)
    patch = pytest.MonkeyPatch()
    # the host kills a worker whose task overruns a wall-clock deadline; a shorter one
    # keeps this suite quick (test_real_deadline_stops_a_long_c_function covers the
    # shipped one)
    patch.setattr(lua_client, "TASK_DEADLINE_S", SHORT_DEADLINE_S)
    runs = [None] if request.param == "off" else [root / "cache", root / "cache"]
    results = []
    try:
        for cache_dir in runs:
            # allocations are traced with the cache off (tracing doubles the time)
            results.append(_run_here(ws, cache_dir, trace=request.param == "off"))
    finally:
        patch.undo()
    return results


@pytest.mark.parametrize("name", DEFAULT)
def test_hostile_lua_ends_as_a_finding(combined: Any, name: str) -> None:
    verdicts = []
    for code, report, peak, elapsed in combined:
        diagnostics = report["diagnostics"]
        _check_rest(code, diagnostics)
        _check_case(NAMES.index(name), CASES[name], diagnostics)
        verdicts.append(_verdict(diagnostics))
        assert elapsed < KILLS * _kill_bound(SHORT_DEADLINE_S) + WALL_S, f"took {elapsed:.1f} s"
        assert peak < HOST_PEAK_BYTES, f"lint allocated up to {peak} bytes"
    assert all(v == verdicts[0] for v in verdicts)  # the cache changes no verdict


def test_real_deadline_stops_a_long_c_function(tmp_path: Path) -> None:
    index = NAMES.index('string.rep("", math.maxinteger)')
    case = CASES[NAMES[index]]
    ws = _write(tmp_path / "ws", _prefixed(index, case))
    code, report, _, elapsed = _run_here(ws, None, trace=False)
    _check_rest(code, report["diagnostics"])
    _check_case(index, case, report["diagnostics"])
    assert elapsed < _kill_bound(lua_client.TASK_DEADLINE_S) + 3


@pytest.mark.slow
@pytest.mark.parametrize("cache", ["off", "on"])
@pytest.mark.parametrize("name", NAMES)
def test_hostile_lua_in_a_child_process(tmp_path: Path, name: str, cache: str) -> None:
    """Each case alone, through a child `rototo` process: its wall time, its peak RSS and
    its worker's."""
    index = NAMES.index(name)
    case = CASES[name]
    ws = _write(tmp_path / "ws", _prefixed(index, case))
    runs = [None] if cache == "off" else [tmp_path / "cache", tmp_path / "cache"]
    verdicts = []
    for cache_dir in runs:
        code, report, usage, elapsed = _run(ws, cache_dir)
        _check_rest(code, report["diagnostics"])
        _check_case(index, case, report["diagnostics"])
        verdicts.append(_verdict(report["diagnostics"]))
        # a process start, and at most one killed task: its deadline or the wall backstop
        bound = WALL_S + _kill_bound(lua_client.TASK_DEADLINE_S)
        assert elapsed < bound, f"lint took {elapsed:.1f} s"
        assert usage["self"] < HOST_RSS_KB, f"lint process peaked at {usage['self']} KiB"
        assert usage["children"] < WORKER_RSS_KB, f"worker peaked at {usage['children']} KiB"
    assert all(v == verdicts[0] for v in verdicts)


@pytest.mark.slow
@pytest.mark.parametrize("cache", ["off", "on"])
def test_two_hundred_rule_files_of_7_mib(tmp_path: Path, cache: str) -> None:
    # written one by one from one buffer: a child's peak RSS on Linux starts from its
    # parent's at fork, so this process must not hold the 1.4 GB itself
    ws = _write(tmp_path / "ws", {})
    body = b"-- " + b"x" * (7 * 1024 * 1024) + b"\nfunction register(l) end\n"
    (ws / "lint").mkdir(exist_ok=True)
    for i in range(200):
        (ws / "lint" / f"big{i:03}.lua").write_bytes(body)
    del body
    code, report, usage, elapsed = _run(ws, None if cache == "off" else tmp_path / "cache")
    failures = [d for d in report["diagnostics"] if d["rule"] == FAILED]
    assert code == 1 and len(failures) == 200
    assert all("larger than" in d["message"] for d in failures)
    assert usage["self"] < HOST_RSS_KB and elapsed < 120
