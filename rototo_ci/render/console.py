"""A rich console that renders into a string: every text renderer is a pure function."""

from __future__ import annotations

import io

from rich.console import Console


class StringConsole(Console):
    """A Console writing into memory; `text()` returns what was printed."""

    def __init__(self, color: bool, width: int, soft_wrap: bool = True) -> None:
        self._sink = io.StringIO()
        super().__init__(
            file=self._sink,
            force_terminal=color,
            no_color=not color,
            width=width,
            highlight=False,
            soft_wrap=soft_wrap,
        )

    def text(self) -> str:
        return self._sink.getvalue()
