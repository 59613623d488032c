"""Configuration coverage as Cobertura XML (the coverage-04.dtd structure).

GitHub coverage actions, GitLab (coverage in the merge request diff) and Codecov read
this file as it is: one package per directory, one class per workspace file, a line
per default, rule, value key and predicate; rules and predicates are branches with
two conditions (true and false).
"""

from __future__ import annotations

from ..testing.coverage import CoverageReport, SourceLine, totals
from .escape import xml_attr

DOCTYPE = '<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">'


def _rate(value: float) -> str:
    return f"{value:.4f}"


def _line(line: SourceLine) -> str:
    if not line.branch:
        return f'<line number="{line.line}" hits="{line.hits}" branch="false"/>'
    covered, valid = line.branches_covered, line.branches_valid
    return (
        f'<line number="{line.line}" hits="{line.hits}" branch="true" '
        f'condition-coverage="{100 * covered // valid}% ({covered}/{valid})"/>'
    )


def render_cobertura(report: CoverageReport, prefix: str = "", timestamp: int = 0) -> str:
    """The report as Cobertura XML; `prefix` makes paths repository-relative."""
    files = report.files()
    total = totals(line for lines in files.values() for line in lines)
    packages: dict[str, list[str]] = {}
    for path in files:
        full = prefix + path
        packages.setdefault(full.rsplit("/", 1)[0] if "/" in full else ".", []).append(path)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        DOCTYPE,
        f'<coverage line-rate="{_rate(total.line_rate)}" branch-rate="{_rate(total.branch_rate)}" '
        f'lines-covered="{total.lines_covered}" lines-valid="{total.lines_valid}" '
        f'branches-covered="{total.branches_covered}" branches-valid="{total.branches_valid}" '
        f'complexity="0" version="rototo-ci" timestamp="{int(timestamp)}">',
        "  <sources>",
        "    <source>.</source>",
        "  </sources>",
        "  <packages>",
    ]
    for directory in sorted(packages):
        paths = packages[directory]
        package_total = totals(line for path in paths for line in files[path])
        out.append(
            f'    <package name="{xml_attr(directory)}" '
            f'line-rate="{_rate(package_total.line_rate)}" '
            f'branch-rate="{_rate(package_total.branch_rate)}" complexity="0">'
        )
        out.append("      <classes>")
        for path in paths:
            file_total = totals(files[path])
            name = xml_attr(prefix + path)
            out.append(
                f'        <class name="{name}" filename="{name}" '
                f'line-rate="{_rate(file_total.line_rate)}" '
                f'branch-rate="{_rate(file_total.branch_rate)}" complexity="0">'
            )
            out.append("          <methods/>")
            out.append("          <lines>")
            out.extend(f"            {_line(line)}" for line in files[path])
            out.append("          </lines>")
            out.append("        </class>")
        out.append("      </classes>")
        out.append("    </package>")
    out.append("  </packages>")
    out.append("</coverage>")
    return "\n".join(out) + "\n"
