"""The LCOV tracefile read by foreign parsers: lcov-cobertura (pure Python, PyPI) always,
and the `lcov` tool itself (Debian's package) where it is installed."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lcov_cobertura import LcovCobertura  # type: ignore[import-untyped]
from lxml import etree

from rototo_ci.engine.workspace import Workspace
from rototo_ci.render.coverage_lcov import render_lcov
from rototo_ci.testing.contexts import DeclaredContext
from rototo_ci.testing.coverage import CoverageCollector, CoverageReport
from rototo_ci.testing.runner import TestOptions as Options
from rototo_ci.testing.runner import run_tests
from tests.conformance import generator
from tests.helpers import write_files

from .test_coverage import DTD, FILES


def _hand(tmp_path: Path) -> CoverageReport:
    workspace = Workspace.load(str(write_files(tmp_path / "hand", FILES)))
    collector = CoverageCollector(workspace.model)
    run_tests(workspace, Options(coverage=collector))
    return collector.report()


def _generated(tmp_path: Path, seed: int) -> CoverageReport:
    rng = random.Random(seed)
    ws = generator.generate(rng)
    workspace = Workspace.load(str(write_files(tmp_path / f"g{seed}", ws.files)))
    collector = CoverageCollector(workspace.model)
    declared = [DeclaredContext(f"c{i}", c) for i, c in enumerate(generator.contexts(rng, ws))]
    run_tests(workspace, Options(contexts=declared, coverage=collector))
    return collector.report()


def _reports(tmp_path: Path) -> list[CoverageReport]:
    return [_hand(tmp_path), *(_generated(tmp_path, seed) for seed in range(6))]


def test_lcov_cobertura_reads_our_numbers(tmp_path: Path) -> None:
    dtd = etree.DTD(str(DTD))
    for report in _reports(tmp_path):
        converter = LcovCobertura(render_lcov(report, "cfg/"))
        summary = converter.parse()["summary"]
        total = report.totals
        assert summary == {
            "lines-total": total.lines_valid,
            "lines-covered": total.lines_covered,
            "branches-total": total.branches_valid,
            "branches-covered": total.branches_covered,
        }
        # its Cobertura rendering of our file is valid and places every line
        doc = etree.fromstring(converter.convert().encode())
        assert dtd.validate(doc), dtd.error_log.filter_from_errors()
        lines = {
            (c.get("filename"), int(line.get("number"))): int(line.get("hits"))
            for c in doc.iter("class")
            for line in c.iter("line")
        }
        assert lines == {(f"cfg/{line.path}", line.line): line.hits for line in report.lines}


@pytest.mark.skipif(shutil.which("lcov") is None, reason="the lcov tool is not installed")
def test_the_lcov_tool_summarises_our_numbers(tmp_path: Path) -> None:
    for index, report in enumerate(_reports(tmp_path)):
        info = tmp_path / f"c{index}.info"
        info.write_text(render_lcov(report))
        proc = subprocess.run(
            ["lcov", "--summary", str(info), "--rc", "lcov_branch_coverage=1"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout + proc.stderr
        assert "WARNING" not in out and "ERROR" not in out, out
        total = report.totals
        lines = re.search(r"lines\.*: [\d.]+% \((\d+) of (\d+) lines\)", out)
        branches = re.search(r"branches\.*: [\d.]+% \((\d+) of (\d+) branches\)", out)
        assert lines and (int(lines[1]), int(lines[2])) == (total.lines_covered, total.lines_valid)
        if total.branches_valid:
            assert branches, out
            assert (int(branches[1]), int(branches[2])) == (
                total.branches_covered,
                total.branches_valid,
            )
