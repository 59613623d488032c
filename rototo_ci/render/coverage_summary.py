"""The coverage total as one line a reviewer reads in seconds, for the PR comment and logs."""

from __future__ import annotations

from ..testing.coverage import Totals


def coverage_line(total: Totals, markdown: bool = False) -> str:
    """`Configuration coverage: 72.4 % (lines 34/40, branch outcomes 20/30)`.

    Numbers only (computed here, never text from a report), so nothing needs escaping.
    """
    percent = f"{total.percent:.1f} %"
    detail = (
        f"lines {total.lines_covered:,}/{total.lines_valid:,}, "
        f"branch outcomes {total.branches_covered:,}/{total.branches_valid:,}"
    )
    if markdown:
        return (
            f"**Configuration coverage: {percent}** ({detail}) of the defaults, rules, "
            "values and predicates the tests exercise"
        )
    return f"configuration coverage: {percent} ({detail})"


def with_coverage(markdown: str, line: str) -> str:
    """The diff comment with the coverage line as its own paragraph under the headline.

    The headline is the `## rototo diff` heading and the counts paragraph after it;
    without one (some other body) the line goes first, after any marker lines.
    """
    lines = markdown.split("\n")
    at = next((i for i, text in enumerate(lines) if text.startswith("## rototo diff")), None)
    if at is not None:
        at += 1
        while at < len(lines) and not lines[at].strip():
            at += 1
        while at < len(lines) and lines[at].strip():
            at += 1
    else:
        at = 0
        while at < len(lines) and lines[at].startswith("<!--"):
            at += 1
    before = [""] if at > 0 and lines[at - 1].strip() else []
    after = [""] if at < len(lines) and lines[at].strip() else []
    return "\n".join([*lines[:at], *before, line, *after, *lines[at:]])
