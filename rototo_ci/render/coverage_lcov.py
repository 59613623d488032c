"""Configuration coverage as an LCOV tracefile (geninfo's record grammar).

One record per workspace file: `TN:`, `SF:`, a `BRDA:` per branch outcome of every
rule and predicate (branch 0 is true/matched, 1 is false/skipped; `-` when the line
was never evaluated), `BRF:`/`BRH:`, a `DA:` per line, `LF:`/`LH:`, `end_of_record`.
"""

from __future__ import annotations

from ..testing.coverage import CoverageReport, totals
from .escape import lcov_path


def render_lcov(report: CoverageReport, prefix: str = "") -> str:
    out: list[str] = []
    for path, lines in report.files().items():
        total = totals(lines)
        out.append("TN:")
        out.append(f"SF:{lcov_path(prefix + path)}")
        for line in lines:
            for block, entry in enumerate(entry for entry in line.entries if entry.branch):
                for branch, taken in enumerate((entry.true_hits, entry.false_hits)):
                    shown = str(taken) if entry.hits else "-"
                    out.append(f"BRDA:{line.line},{block},{branch},{shown}")
        out.append(f"BRF:{total.branches_valid}")
        out.append(f"BRH:{total.branches_covered}")
        out.extend(f"DA:{line.line},{line.hits}" for line in lines)
        out.append(f"LF:{total.lines_valid}")
        out.append(f"LH:{total.lines_covered}")
        out.append("end_of_record")
    return "\n".join(out) + ("\n" if out else "")
