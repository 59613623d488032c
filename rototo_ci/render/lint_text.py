"""Lint diagnostics for a terminal: grouped by file, the line with a caret, a summary."""

from __future__ import annotations

from collections.abc import Callable

from rich.padding import Padding
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


def location(d: Diagnostic, path_prefix: str = "") -> str:
    """`path:line:col` (1-based, as editors and terminals open it); `path` alone without a range."""
    path = one_line(f"{path_prefix}{d.path}")
    if d.range is None:
        return path
    return f"{path}:{d.range.start.line + 1}:{d.range.start.character + 1}"


def render_lint_text(
    diagnostics: list[Diagnostic],
    lines_of: SourceLines,
    color: bool = False,
    width: int | None = None,
    quiet: bool = False,
    excerpts: bool = False,
    path_prefix: str = "",
) -> str:
    """One finding per line, `path:line:col: severity rule message`, then a summary.

    With `excerpts` (a terminal) each finding is followed by its source line with a
    caret under the range and the rule's help. `lines_of(path)` gives a file's lines
    (None when unavailable); `path_prefix` makes paths relative to the reader's directory.
    `width` None means no wrapping at all (a pipe or a file).
    """
    console = StringConsole(color, width)
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    for path in sorted(by_path):
        lines = lines_of(path) if excerpts else None
        for d in by_path[path]:
            style = "bold red" if d.is_error else "bold yellow"
            console.print(
                Text.assemble(
                    (location(d, path_prefix), "bold"),
                    ": ",
                    (d.severity, style),
                    " ",
                    (one_line(d.rule), "dim"),
                    " ",
                    one_line(d.message),
                )
            )
            if not excerpts:
                continue
            if d.range and lines and d.range.start.line < len(lines):
                number = str(d.range.start.line + 1)
                gutter = " " * len(number)
                source = lines[d.range.start.line].rstrip("\n")
                end = d.range.end.character if d.range.end.line == d.range.start.line else None
                shown, caret = excerpt(source, d.range.start.character, end)
                console.print(
                    Text.assemble((f"{number} | ", "dim"), shown), no_wrap=True, overflow="crop"
                )
                console.print(
                    Text.assemble((f"{gutter} | ", "dim"), (caret, style)),
                    no_wrap=True,
                    overflow="crop",
                )
            if d.help:
                console.print(Padding(Text(f"help: {one_line(d.help)}", style="dim"), (0, 0, 0, 2)))
            console.print()
    if diagnostics or not quiet:
        style = "bold red" if any(d.is_error for d in diagnostics) else "bold green"
        console.print(Text(summary_line(diagnostics), style=style))
    return console.text()
