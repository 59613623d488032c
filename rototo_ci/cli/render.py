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

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
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
    coverage: Annotated[
        list[Path] | None,
        typer.Option(
            "--coverage",
            metavar="FILE",
            help="A coverage file of rototo test (Cobertura or LCOV; repeatable): "
            "adds the total under the headline.",
        ),
    ] = None,
) -> None:
    """Render saved diff reports; several (e.g. from matrix jobs) merge into one.

    Example: rototo render --format markdown --coverage coverage-1.xml -- */diff.json
    """
    from ..engine.errors import RototoError
    from ..review.report import merge_reports
    from .common import use_color
    from .diff import render_report, terminal_width

    if coverage and format_ is RenderFormat.github:
        raise RototoError("--coverage adds a line to text, markdown and json: not to github")
    totals = None
    if coverage:
        from ..testing.coverage_totals import read_coverage_files

        totals = read_coverage_files(list(coverage)).totals
    report = merge_reports([load_report(path) for path in reports])
    if totals is not None and format_ is RenderFormat.json:
        from ..render.json_text import dumps

        rendered = dumps({**report.to_json(), "coverage": totals.to_json()})
    elif totals is not None and format_ is RenderFormat.markdown:
        from ..render.coverage_summary import coverage_line, with_coverage
        from ..render.diff_markdown import MAX_CHARS, render_markdown

        line = coverage_line(totals, markdown=True)
        # the comment stays within GitHub's limit with the line added
        rendered = with_coverage(render_markdown(report, MAX_CHARS - len(line) - 2), line)
    else:
        rendered = render_report(
            report,
            format_.value,
            color=use_color(color, sys.stdout),
            width=terminal_width(sys.stdout),
        )
    if totals is not None and format_ is RenderFormat.text:
        from ..render.coverage_summary import coverage_line

        rendered += coverage_line(totals) + "\n"
    if format_ is RenderFormat.github:
        from ..render.escape import write_commands

        write_commands(sys.stdout, rendered)  # the only door for workflow commands
    else:
        sys.stdout.write(rendered)
