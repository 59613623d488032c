"""A long chain of qualifiers, each reading the next, resolves from the command line
(deeper than the default recursion limit allows: two frames a link)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.generate import context_for
from bench.growth import generate_chain


def test_a_1200_long_qualifier_chain_resolves(tmp_path: Path) -> None:
    root = generate_chain(tmp_path / "ws", 1200, contexts=0)
    context = json.dumps(context_for(1))
    proc = subprocess.run(
        [sys.executable, "-m", "rototo_ci.cli.app", "resolve", str(root), "--variable", "v0"]
        + ["--context", context, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "RecursionError" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["variables"][0]["resolution"]["id"] == "v0"
