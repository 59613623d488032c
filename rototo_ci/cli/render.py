"""`rototo render REPORT.json…`: render saved diff reports (merged) without recomputing."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class RenderFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    github = "github"
    json = "json"


def load_report(path: Path):  # type: ignore[no-untyped-def]
    """A saved `rototo diff --format json` report; one clear error when it is not one."""
    import json

    from ..engine.errors import RototoError
    from ..review.report import DiffReport

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RototoError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise RototoError(f"{path} is not a JSON report: {exc}") from None
    try:
        return DiffReport.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RototoError(f"{path} is not a rototo diff report: {exc}") from None


def command(
    reports: Annotated[
        list[Path],
        typer.Argument(
            metavar="REPORT.json...", help="Reports written by rototo diff --format json."
        ),
    ],
    format_: Annotated[
        RenderFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RenderFormat.text,
    color: Annotated[str, typer.Option("--color", help="auto, always or never.")] = "auto",
) -> None:
    """Render saved diff reports; several (e.g. from matrix jobs) merge into one."""
    from ..review.report import merge_reports
    from .common import use_color
    from .diff import render_report, terminal_width

    report = merge_reports([load_report(path) for path in reports])
    rendered = render_report(
        report,
        format_.value,
        color=use_color(color, sys.stdout),
        width=terminal_width(sys.stdout),
    )
    if format_ is RenderFormat.github:
        from ..render.escape import write_commands

        write_commands(sys.stdout, rendered)  # the only door for workflow commands
    else:
        sys.stdout.write(rendered)
