"""`rototo --help` without importing typer: the root page as click's formatter lays it out.

The page is fixed text (the command table of rototo_ci.cli.app and usage.SHORT_HELP), so
it is written here with the standard library's textwrap, the way click's HelpFormatter
wraps it: importing typer is most of what `rototo --help` would otherwise cost.
tests/cli/test_root_help.py checks the text equals typer's own page at every terminal
width (click's layout only varies with it) and for every command table entry.
"""

from __future__ import annotations

import textwrap

HELP_OPTION = ("-h, --help", "Show this message and exit.")  # click's own help option


class _Wrapper(textwrap.TextWrapper):
    """click's wrapper: a word longer than the line is cut where the line ends."""

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        space_left = max(width - cur_len, 1)
        last = reversed_chunks[-1]
        cur_line.append(last[:space_left])
        reversed_chunks[-1] = last[space_left:]


def _wrap(text: str, width: int, indent: str = "", subsequent: str | None = None) -> str:
    """click's wrap_text with preserve_paragraphs: paragraphs split on blank lines, one
    that starts with a "\\b" line kept as it is (indented only)."""
    wrapper = _Wrapper(
        width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        replace_whitespace=False,
    )
    paragraphs: list[tuple[int, bool, str]] = []
    lines: list[str] = []
    first_indent: int | None = None

    def flush() -> None:
        if lines:
            if lines[0].strip() == "\b":
                paragraphs.append((first_indent or 0, True, "\n".join(lines[1:])))
            else:
                paragraphs.append((first_indent or 0, False, " ".join(lines)))
            lines.clear()

    for line in text.expandtabs().splitlines():
        if not line:
            flush()
            first_indent = None
            continue
        if first_indent is None:
            stripped = line.lstrip()
            first_indent = len(line) - len(stripped)
            line = stripped
        lines.append(line)
    flush()
    out = []
    for extra, raw, body in paragraphs:
        wrapper.initial_indent = indent + " " * extra
        wrapper.subsequent_indent = (indent if subsequent is None else subsequent) + " " * extra
        if raw:
            out.append(
                "\n".join(
                    (wrapper.initial_indent if i == 0 else wrapper.subsequent_indent) + line
                    for i, line in enumerate(body.splitlines())
                )
            )
        else:
            out.append(wrapper.fill(body))
    return "\n\n".join(out)


def _definitions(rows: list[tuple[str, str]], width: int, indent: int) -> str:
    """click's write_dl: the first column at most 30 wide, then two spaces."""
    first_col = min(max(len(first) for first, _ in rows), 30) + 2
    text_width = max(width - first_col - 2, 10)
    out = []
    for first, second in rows:
        head = " " * indent + first
        if not second:
            out.append(head + "\n")
            continue
        if len(first) <= first_col - 2:
            head += " " * (first_col - len(first))
        else:
            head += "\n" + " " * (first_col + indent)
        wrapped = _wrap(second, text_width).splitlines() or [""]
        out.append(head + wrapped[0] + "\n")
        out.extend(" " * (first_col + indent) + line + "\n" for line in wrapped[1:])
    return "".join(out)


def root_help(
    columns: int,
    help_text: str,
    options: list[tuple[str, str]],
    commands: list[tuple[str, str]],
    epilog: str,
) -> str:
    """The root help page for a terminal `columns` wide (no final newline, as click's)."""
    width = max(min(columns, 80) - 2, 50)
    prefix = "Usage: rototo "
    page = _Wrapper(
        width, initial_indent=prefix, subsequent_indent=" " * len(prefix), replace_whitespace=False
    ).fill("[OPTIONS] COMMAND [ARGS]...")
    page += "\n\n" + _wrap(help_text, width, "  ") + "\n"
    page += "\nOptions:\n" + _definitions(options, width, 2)
    page += "\nCommands:\n" + _definitions(commands, width, 2)
    page += "\n" + _wrap(epilog, width, "  ") + "\n"
    return page.rstrip("\n")
