"""The coverage part of `rototo test`: write the file, print what is uncovered, gate."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..engine.workspace import Workspace
from ..testing.coverage import CoverageReport


def _cwd_prefix(root: Path | None) -> str:
    """The workspace directory relative to the current directory, with a trailing slash."""
    if root is None:
        return ""
    try:
        rel = Path(root).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(root).rstrip("/") + "/"
    return "" if rel == "." else rel + "/"


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
    from .lint import repo_prefix

    root = workspace.source.root
    if path is not None:
        prefix = repo_prefix(root)
        if fmt == "lcov":
            from ..render.coverage_lcov import render_lcov

            write_atomic(path, render_lcov(report, prefix))
        else:
            from ..render.coverage_cobertura import render_cobertura

            write_atomic(path, render_cobertura(report, prefix, int(time.time() * 1000)))
    sys.stderr.write(render_coverage_text(report, _cwd_prefix(root)))
    total = report.totals.percent
    if fail_under is not None and total < fail_under:
        sys.stderr.write(f"rototo: coverage {total:.1f}% is below --fail-under {fail_under:g}%\n")
        return True
    return False
