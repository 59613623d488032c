"""Timing scripts run against the reference engine in a child process.

The reference SDK is async and its native module may crash at interpreter
teardown, so every measurement runs in its own interpreter and exits with
os._exit after printing one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

_RESOLVE_MATRIX = r"""
import asyncio, json, os, sys, time, glob
import rototo
root, contexts_path, variables_json = sys.argv[1], sys.argv[2], sys.argv[3]
contexts = json.load(open(contexts_path))
async def main():
    t0 = time.perf_counter()
    ws = await rototo.Workspace.load(root)
    t1 = time.perf_counter()
    ids = json.loads(variables_json)
    errors = 0
    for ctx in contexts:
        for vid in ids:
            try:
                await ws.resolve_variable(vid, ctx)
            except rototo.RototoError:
                errors += 1
    t2 = time.perf_counter()
    print(json.dumps({"load": t1 - t0, "resolve": t2 - t1, "errors": errors}))
asyncio.run(main())
sys.stdout.flush()
os._exit(0)
"""

LINT = r"""
import asyncio, json, os, sys, time
import rototo
async def main():
    t0 = time.perf_counter()
    ws = await rototo.Workspace.inspect(sys.argv[1])
    report = await ws.lint()
    print(json.dumps({"lint": time.perf_counter() - t0, "diagnostics": len(report["diagnostics"])}))
asyncio.run(main())
sys.stdout.flush()
os._exit(0)
"""


def _run(script: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def resolve_matrix(
    root: Path, contexts: list[dict[str, Any]], variables: list[str], scratch: Path
) -> dict[str, Any]:
    """Reference: load, then resolve every (variable, context) cell with one call each."""
    contexts_path = scratch / "contexts.json"
    contexts_path.write_text(json.dumps(contexts))
    return _run(_RESOLVE_MATRIX, str(root), str(contexts_path), json.dumps(variables))


def lint(root: Path) -> dict[str, Any]:
    return _run(LINT, str(root))


def resolve_matrix_process(
    root: Path, contexts: list[dict[str, Any]], variables: list[str], scratch: Path
) -> dict[str, float]:
    """The reference's load + cell-by-cell matrix as a whole process (wall, cpu, peak)."""
    from bench.run import measure

    contexts_path = scratch / "contexts.json"
    contexts_path.write_text(json.dumps(contexts))
    argv = [sys.executable, "-c", _RESOLVE_MATRIX, str(root), str(contexts_path)]
    return measure([*argv, json.dumps(variables)], ok=(0,))
