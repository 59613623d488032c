"""A library caller (not the command line, which raises the recursion limit) evaluates a
2,000-long qualifier chain under the interpreter's default limit: evaluation and traces
walk the chain without recursing per link."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.growth import generate_chain

_SCRIPT = r"""
import json, sys
from rototo_ci.engine import Workspace
from rototo_ci.engine.errors import ResolutionError

sys.setrecursionlimit(1000)  # the interpreter's default (importing the engine raises it)
workspace = Workspace.load(sys.argv[1])
out = {}
for seats in (3, 6):
    context = {"account": {"seats": seats}, "user": {"id": "u1"}}
    out[f"v0@{seats}"] = workspace.resolve_variable("v0", context).value_key
    out[f"q0@{seats}"] = workspace.resolve_qualifier("q0", context).value
    out[f"v1990@{seats}"] = workspace.resolve_variable("v1990", context).value_key
trace = workspace.trace_variable("v0", {"account": {"seats": 6}, "user": {"id": "u1"}})
out["traced"] = [t.id for t in trace.qualifier_traces][:3] + [len(trace.qualifier_traces)]
try:
    workspace.resolve_variable("v0", {"user": {"id": "u1"}})
except ResolutionError as error:
    out["missing"] = str(error)
print(json.dumps(out))
"""


def test_a_2000_long_chain_from_a_plain_python_process(tmp_path: Path) -> None:
    root = generate_chain(tmp_path / "ws", 2000, contexts=0)
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    # q<n> holds when account.seats >= n % 7 and q<n+1> holds: the chain needs seats >= 6
    assert out["v0@3"] == "off" and out["q0@3"] is False
    assert out["v0@6"] == "on" and out["q0@6"] is True
    # the last ten links ask for seats >= 2..6 (1990 % 7 == 2, ..., up to 6)
    assert out["v1990@3"] == "off" and out["v1990@6"] == "on"
    assert out["traced"] == ["q0", "q1", "q2", 2000]
    # the failure is found at the far end of the chain and reported, not a RecursionError
    assert out["missing"] == (
        "missing resolve context attribute: account.seats required by qualifier://q1999"
    )
