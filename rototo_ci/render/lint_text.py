"""Lint diagnostics for a terminal: grouped by file, the line with a caret, a summary."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from ..engine.diagnostics import Diagnostic
from .console import StringConsole
from .escape import one_line

SourceLines = Callable[[str], list[str] | None]
TAB = 4


def summary_line(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if not diagnostics:
        return "ok: no lint findings"
    return (
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning"
        f"{'s' if warnings != 1 else ''}"
    )


def _code_points(line: str, utf16: int) -> int:
    """The code point index of a UTF-16 offset (ranges count UTF-16 units, as LSP does)."""
    units = 0
    for index, char in enumerate(line):
        if units >= utf16:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def excerpt(line: str, start: int, end: int | None) -> tuple[str, str]:
    """The source line with tabs expanded and a caret line under [start, end) (UTF-16 units).

    `end` None marks a range running past this line: the caret runs to its end.
    """
    first = _code_points(line, start)
    last = len(line) if end is None else max(first, _code_points(line, end))

    def width(text: str) -> int:
        return len(one_line(text.expandtabs(TAB)))

    shown = one_line(line.expandtabs(TAB))
    pad = width(line[:first])
    marks = max(1, width(line[:last]) - pad)
    return shown, " " * pad + "^" * marks


def render_lint_text(
    diagnostics: list[Diagnostic],
    lines_of: SourceLines,
    color: bool = False,
    width: int = 100,
    quiet: bool = False,
) -> str:
    """`lines_of(path)` gives a file's lines for the caret excerpt (None when unavailable)."""
    console = StringConsole(color, width)
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    for path in sorted(by_path):
        console.print(Text(one_line(path), style="bold underline"))
        lines = lines_of(path)
        for d in by_path[path]:
            style = "bold red" if d.is_error else "bold yellow"
            where = f"{d.range.start.line + 1}:{d.range.start.character + 1}" if d.range else "-"
            console.print(
                Text.assemble(
                    f"  {where:>7} ",
                    (d.severity, style),
                    " ",
                    one_line(d.message),
                    "  ",
                    (one_line(d.rule), "dim"),
                )
            )
            if d.range and lines and d.range.start.line < len(lines):
                source = lines[d.range.start.line].rstrip("\n")
                end = d.range.end.character if d.range.end.line == d.range.start.line else None
                shown, caret = excerpt(source, d.range.start.character, end)
                console.print(Text(f"          | {shown}", style="dim"))
                console.print(Text(f"          | {caret}", style=style))
            if d.help:
                console.print(Text(f"          help: {one_line(d.help)}", style="dim"))
        console.print()
    if diagnostics or not quiet:
        style = "bold red" if any(d.is_error for d in diagnostics) else "bold green"
        console.print(Text(summary_line(diagnostics), style=style))
    return console.text()
