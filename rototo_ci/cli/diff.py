"""`rototo diff [RANGE]`: behavioural review of a git range."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    gitlab = "gitlab"


class FailOn(StrEnum):
    lint = "lint"
    any_change = "any-change"
    never = "never"


def gate_exit_code(report: Any, fail_on: FailOn) -> int:
    """1 when the gate trips: introduced lint errors (lint), or also any behaviour change."""
    if fail_on is FailOn.never:
        return 0
    if report.introduced_errors:
        return 1
    if fail_on is FailOn.any_change and report.summary["resolution_changes"]:
        return 1
    return 0


def command(
    range_: Annotated[
        str | None,
        typer.Argument(
            metavar="[RANGE]",
            help="A..B (A vs B), A...B (merge-base vs B, what a PR shows), A (A vs the working "
            "tree); default: HEAD vs the working tree.",
        ),
    ] = None,
    workspace: Annotated[
        list[str] | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Only this workspace directory (repeatable); default: every directory holding "
            "rototo-workspace.toml on either side.",
        ),
    ] = None,
    contexts: Annotated[
        list[Path] | None,
        typer.Option(
            "--contexts", help="Extra directory of context files (*.json, *.yaml) (repeatable)."
        ),
    ] = None,
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            "-c",
            help="One extra context: JSON object, @file.json or a.b=value; "
            "repeated values merge into one context.",
        ),
    ] = None,
    format_: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DiffFormat.text,
    json_: Annotated[bool, typer.Option("--json", help="Short for --format json.")] = False,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when the head introduces lint errors (lint), also when any "
            "resolution changes (any-change), or never.",
        ),
    ] = FailOn.lint,
    color: Annotated[str, typer.Option("--color", help="auto, always or never.")] = "auto",
) -> None:
    """Review a git range: semantic changes, resolution changes per declared context, lint delta."""
    import json

    from ..engine.context import merge_context_inputs
    from ..engine.errors import ContextError
    from ..review.diff import DiffOptions, run_diff
    from ..testing.contexts import context_set, directory_contexts
    from .common import status_reporter, use_color, write_step_summary

    cwd = Path.cwd()
    extra: dict[str, Any] = {}
    for directory in contexts or []:
        for declared in directory_contexts(directory):
            if declared.context is None:
                raise ContextError(declared.error or f"cannot read {declared.name}")
            extra[declared.name] = declared.context
    if context:
        extra["--context"] = merge_context_inputs(context, cwd)
    progress = status_reporter("reviewing")
    try:
        report = run_diff(
            DiffOptions(
                range=range_,
                workspaces=workspace or [],
                extra_contexts=extra,
                cwd=cwd,
                progress=progress,
            ),
            context_set,
        )
    finally:
        if progress is not None:
            progress.stop()
    fmt = DiffFormat.json if json_ else format_
    if fmt is DiffFormat.json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif fmt is DiffFormat.markdown:
        from ..render.diff_markdown import render_markdown

        sys.stdout.write(render_markdown(report))
    elif fmt is DiffFormat.gitlab:
        from ..render.gitlab import render_diff_gitlab

        sys.stdout.write(render_diff_gitlab(report.to_json()))
    elif fmt is DiffFormat.github:
        from ..render.diff_github import render_github
        from ..render.diff_markdown import render_markdown
        from ..render.escape import write_commands

        write_commands(sys.stdout, render_github(report))
        write_step_summary(render_markdown(report))
    else:
        from ..render.diff_text import render_text

        sys.stdout.write(render_text(report, color=use_color(color, sys.stdout)))
    raise typer.Exit(gate_exit_code(report, fail_on))
