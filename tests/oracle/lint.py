"""Lint comparison with the reference engine: multisets of (rule, severity, stage, entity,
path, range)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_SCRIPT = r"""
import asyncio, json, os, sys
import rototo

async def main():
    out = []
    for root in json.load(sys.stdin):
        try:
            ws = await rototo.Workspace.inspect(root)
            report = await ws.lint()
            out.append({"diagnostics": report["diagnostics"]})
        except Exception as error:
            out.append({"error": str(error)})
    sys.stdout.write(json.dumps(out))

asyncio.run(main())
sys.stdout.flush()
os._exit(0)
"""


def reference_lint(roots: list[Path]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps([str(r) for r in roots]),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"reference engine failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def key(d: dict[str, Any]) -> tuple[str, ...]:
    location = d["location"]
    rng = location.get("range")
    where = (
        "-"
        if rng is None
        else (
            f"{rng['start']['line']}:{rng['start']['character']}-"
            f"{rng['end']['line']}:{rng['end']['character']}"
        )
    )
    return (
        d["rule"],
        d["severity"],
        d["stage"],
        json.dumps(d["entity"], sort_keys=True),
        location["path"],
        where,
    )


def ours_lint(root: Path) -> dict[str, Any]:
    from rototo_ci.engine import RototoError, Workspace

    try:
        workspace = Workspace.inspect(str(root))
    except (RototoError, NotImplementedError) as error:
        return {"error": str(error)}
    return {"diagnostics": [d.to_json() for d in workspace.diagnostics]}


def refusal_matches(ours: dict[str, Any]) -> bool:
    """The reference raises on manifest problems where we report them as diagnostics."""
    if "error" in ours:
        return True
    return any(
        d["rule"].startswith("rototo/workspace-manifest") and d["severity"] == "error"
        for d in ours.get("diagnostics", [])
    )


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> tuple[Counter, Counter]:
    """(missing from ours, extra in ours); both empty means parity."""
    a = Counter(key(d) for d in ours.get("diagnostics", []))
    b = Counter(key(d) for d in theirs.get("diagnostics", []))
    return b - a, a - b


def lint_problems(root: Path, theirs: dict[str, Any]) -> list[str]:
    """One line per diagnostic only the reference gives (missing) or only we give (extra)."""
    missing, extra = compare(ours_lint(root), theirs)
    return [f"{root.name}: missing {k}" for k in missing] + [
        f"{root.name}: extra {k}" for k in extra
    ]
