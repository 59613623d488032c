"""Shared helpers for the hostile-input tests: lint with the cache off and on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..cli.conftest import EXAMPLE, Result, run_cli

CACHE_MODES = ["no-cache", "cache"]


@dataclass
class Linted:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        return list(json.loads(self.out)["diagnostics"])

    def rules_at(self, path: str) -> set[str]:
        return {d["rule"] for d in self.diagnostics if d["location"]["path"] == path}


def copy_example(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("tests"))
    return root


def _timed(*args: str) -> Linted:
    start = time.perf_counter()
    result: Result = run_cli(*args)
    seconds = time.perf_counter() - start
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    return Linted(result.code, result.out, result.err, seconds)


def lint(mode: str, monkeypatch: pytest.MonkeyPatch, cache_dir: Path, *args: str) -> Linted:
    """`rototo lint ARGS --json` with the cache off, or on (a cold run, then a warm one).

    With the cache on, the cold and warm runs and a run without the cache must
    agree exactly: the cache changes no verdict (SPEC §8).
    """
    if mode == "no-cache":
        return _timed("lint", *args, "--json", "--no-cache")
    monkeypatch.setenv("ROTOTO_CACHE_DIR", str(cache_dir))
    monkeypatch.delenv("ROTOTO_NO_CACHE", raising=False)
    cold = _timed("lint", *args, "--json")
    warm = _timed("lint", *args, "--json")
    fresh = _timed("lint", *args, "--json", "--no-cache")
    assert (cold.code, cold.out) == (warm.code, warm.out) == (fresh.code, fresh.out)
    assert any(cache_dir.glob("*.json")), "the cache was not written"
    return warm


_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(
    [sys.executable, "-m", "rototo_ci.cli.app", *sys.argv[1:]], capture_output=True, text=True
)
print(json.dumps({
    "code": proc.returncode, "out": proc.stdout, "err": proc.stderr,
    "seconds": time.perf_counter() - start,
    "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


def run_measured(*args: str, cwd: Path | None = None, timeout: float = 120) -> tuple[Linted, int]:
    """`rototo ARGS` in a fresh process; returns its result and its peak RSS in KiB.

    A middle process runs the command and reads getrusage(RUSAGE_CHILDREN), which
    then holds exactly that one command's peak.
    """
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )
    data = json.loads(proc.stdout)
    assert "Traceback" not in data["err"], data["err"]
    return Linted(data["code"], data["out"], data["err"], data["seconds"]), data["peak_kib"]
