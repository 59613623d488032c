"""The coverage part of `rototo test`: write the file, print what is uncovered, gate."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..engine.workspace import Workspace
from ..testing.coverage import CoverageReport


def write_coverage(
    report: CoverageReport,
    workspace: Workspace,
    path: Path | None,
    fmt: str,
    fail_under: float | None,
) -> bool:
    """Write the coverage file (paths relative to the repository root), print the text
    report on stderr; True when the total is below `fail_under`."""
    from ..files import write_atomic
    from ..render.coverage_text import render_coverage_text
    from ..testing.coverage_paths import CoverageLocator

    # a file of a parent workspace (`extends`) is reported where it really lives
    locator = CoverageLocator(workspace.source)
    if path is not None:
        located = report.relocated(locator.report_path)
        if fmt == "lcov":
            from ..render.coverage_lcov import render_lcov

            write_atomic(path, render_lcov(located))
        else:
            from ..render.coverage_cobertura import render_cobertura

            write_atomic(path, render_cobertura(located, "", int(time.time() * 1000)))
    sys.stderr.write(render_coverage_text(report.relocated(locator.display_path)))
    total = report.totals.percent
    if fail_under is not None and total < fail_under:
        sys.stderr.write(f"rototo: coverage {total:.1f}% is below --fail-under {fail_under:g}%\n")
        return True
    return False
