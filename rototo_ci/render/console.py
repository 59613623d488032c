"""A rich console that renders into a string: every text renderer is a pure function.

Width comes from where the text goes: a terminal's column count, or None for a pipe
or file, where nothing is wrapped. Lines never end in spaces.
"""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

# Wide enough that no line is ever wrapped; tables only take the room they need.
UNLIMITED = 1_000_000

# Spaces at the end of a line, possibly followed by style codes only.
_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$", re.M)


class StringConsole(Console):
    """A Console writing into memory; `text()` returns what was printed."""

    def __init__(self, color: bool, width: int | None, soft_wrap: bool | None = None) -> None:
        """`soft_wrap` None: wrap words at `width` on a terminal, never without a width."""
        self._sink = io.StringIO()
        self.unlimited = width is None
        if soft_wrap is None:
            soft_wrap = width is None
        super().__init__(
            file=self._sink,
            force_terminal=color,
            no_color=not color,
            width=UNLIMITED if width is None else width,
            highlight=False,
            soft_wrap=soft_wrap,
            emoji=False,
            markup=False,
        )

    def print_line(self, line: Text) -> None:
        """Print a line whose leading spaces are its indent; wrapped parts keep the indent."""
        plain = line.plain
        indent = len(plain) - len(plain.lstrip(" "))
        if indent == 0 or self.unlimited:
            self.print(line)
        else:
            self.print(Padding(line[indent:], (0, 0, 0, indent)))

    def text(self) -> str:
        return strip_trailing_spaces(self._sink.getvalue())


def strip_trailing_spaces(text: str) -> str:
    return _TRAILING.sub(r"\1", text)
