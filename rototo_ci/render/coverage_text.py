"""Configuration coverage for a terminal or a CI log: the total, then what is not covered."""

from __future__ import annotations

from ..testing.coverage import CoverageReport, CoveredLine
from .escape import one_line


def _why(entry: CoveredLine) -> str:
    if not entry.covered:
        if entry.kind == "default":
            return "default never selected"
        if entry.kind == "value":
            return "never selected"
        return "never evaluated"
    if entry.kind == "rule":
        return "never matched" if not entry.true_hits else "never skipped"
    return "never true" if not entry.true_hits else "never false"


def render_coverage_text(report: CoverageReport, prefix: str = "") -> str:
    """One summary line, then one line per uncovered entry as `path:line: what (why)`."""
    total = report.totals
    out = [
        f"coverage: {total.percent:.1f}% "
        f"(lines {total.lines_covered}/{total.lines_valid}, "
        f"branches {total.branches_covered}/{total.branches_valid})"
    ]
    for entry in report.uncovered():
        out.append(
            one_line(f"{prefix}{entry.path}:{entry.line}: {entry.entity} {entry.label}")
            + f" ({_why(entry)})"
        )
    return "\n".join(out) + "\n"
