"""Runs the atheris harness for a bounded time (marked slow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).with_name("fuzz_parsers.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_parsers_survive_fuzzing(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, seed in enumerate(
        [
            b"\x00a = [1, {b = 'x'}]\n[t]\nc = 1979-05-27\n",
            b'\x01{"type": "object", "properties": {}}',
            b'\x02{"a": {"b": [1, 2.5, null]}}',
            b"\x03main:cfg/../x",
        ]
    ):
        (corpus / f"seed{i}").write_bytes(seed)
    proc = subprocess.run(
        [
            sys.executable,
            str(HARNESS),
            "-max_total_time=45",
            "-timeout=10",
            "-rss_limit_mb=2048",
            str(corpus),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Done" in proc.stderr
