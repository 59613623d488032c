"""Ask the reference engine (rototo==0.1.0a4) in a child process.

Its native module may crash at interpreter teardown, so the child ends with
os._exit; the pytest process never imports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

_SCRIPT = r"""
import asyncio, json, os, sys
import rototo

async def main():
    jobs = json.load(sys.stdin)
    out = []
    for job in jobs:
        try:
            ws = await rototo.Workspace.load(job["source"])
        except Exception as error:
            out.append({"load_error": str(error)})
            continue
        results = []
        for kind, ident, ctx in job["queries"]:
            try:
                if kind == "variable":
                    r = await ws.resolve_variable(ident, ctx)
                    results.append({"value_key": r.value_key, "value": r.value})
                else:
                    r = await ws.resolve_qualifier(ident, ctx)
                    results.append({"value": r.value})
            except Exception as error:
                results.append({"error": str(error)})
        out.append({"results": results})
    sys.stdout.write(json.dumps(out))

asyncio.run(main())
sys.stdout.flush()
os._exit(0)
"""


def resolve_batch(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """jobs: [{source, queries: [(kind, id, context)]}] -> [{results}|{load_error}]."""
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"reference engine failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def export_tree(tree: Any, target: Path) -> Path:
    """Write every file of an engine Tree to a directory (for the reference to read)."""
    for rel in tree.files():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(tree.read(rel))
    return target
