"""`rototo diff [RANGE]`: behavioural review of a git range."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .selectors import AllowExternalOpt


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    gitlab = "gitlab"


class FailOn(StrEnum):
    error = "error"
    lint = "lint"  # the old name of `error`
    behaviour = "behaviour"
    any_change = "any-change"
    never = "never"


def gate_exit_code(report: Any, fail_on: FailOn) -> int:
    """1 when the gate trips.

    `error` (default; `lint` is its old name): the head introduces lint errors or breaks
    a context that resolved on the base. `behaviour`: also any resolution change.
    `any-change`: also any semantic change at all. `never`: 0.
    """
    if fail_on is FailOn.never:
        return 0
    summary = report.summary
    if report.introduced_errors or summary["broken"]:
        return 1
    if fail_on in (FailOn.behaviour, FailOn.any_change) and summary["resolution_changes"]:
        return 1
    if fail_on is FailOn.any_change and summary["changes"]:
        return 1
    return 0


def terminal_width(stream: Any) -> int | None:
    """The terminal's width when writing to one; None (no wrapping) when piped."""
    if not getattr(stream, "isatty", lambda: False)():
        return None
    from rich.console import Console

    return Console(file=stream).width


def render_report(report: Any, fmt: str, *, color: bool = False, width: int | None = None) -> str:
    """One rendering of a report: text, json, markdown or github (annotations)."""
    if fmt == "json":
        from ..render.json_text import dumps

        return dumps(report.to_json())
    if fmt == "markdown":
        from ..render.diff_markdown import render_markdown

        return render_markdown(report)
    if fmt == "github":
        from ..render.diff_github import render_github

        return render_github(report)
    if fmt == "gitlab":
        from ..render.gitlab import render_diff_gitlab

        return render_diff_gitlab(report.to_json())
    from ..render.diff_text import render_text

    return render_text(report, color=color, width=width)


def render_pieces(report: Any, fmt: str, **options: Any) -> Iterable[str]:
    """`render_report` in pieces: a large JSON or GitLab report is never one string."""
    if fmt == "json":
        return report.json_pieces()  # type: ignore[no-any-return]
    if fmt == "gitlab":
        from ..render.gitlab import iter_diff_gitlab

        return iter_diff_gitlab(report.to_json())
    return [render_report(report, fmt, **options)]


def parse_outputs(values: list[str] | None) -> list[tuple[str, Path]]:
    """`--output FORMAT=PATH` values, checked before any work is done."""
    from ..engine.errors import RototoError

    outputs = []
    for value in values or []:
        fmt, sep, path = value.partition("=")
        if not sep or not path or fmt not in OUTPUT_FORMATS:
            raise RototoError(
                f"--output takes FORMAT=PATH with FORMAT one of {', '.join(OUTPUT_FORMATS)}: "
                f"{value!r}"
            )
        outputs.append((fmt, Path(path)))
    return outputs


def write_outputs(report: Any, outputs: list[tuple[str, Path]]) -> None:
    from ..engine.errors import RototoError
    from ..render.escape import report_file_text

    for fmt, path in outputs:
        try:
            with path.open("w", encoding="utf-8") as handle:
                for piece in render_pieces(report, fmt):
                    handle.write(report_file_text(piece))
        except OSError as exc:
            raise RototoError(f"cannot write {path}: {exc.strerror}") from None


OUTPUT_FORMATS = ("text", "json", "markdown", "github", "gitlab")


@contextmanager
def _collection_paused() -> Iterator[None]:
    """The collector paused for a diff (`collection_paused`), every object frozen at exit.

    A diff builds both sides' workspaces and the report and keeps them to the end
    (3,000 x 100 everything-changed: ~0.2 s CPU of collections during the run, 0.6-0.9 s
    in the full collection the interpreter runs at exit). run_diff still collects
    between workspaces, so a monorepo holds one workspace's garbage at a time. At exit
    every object is frozen: its memory is left to the operating system.
    """
    import atexit
    import gc

    from ..process import collection_paused

    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    with collection_paused():
        yield


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
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FORMAT=PATH",
            help="Also write this rendering of the same report, e.g. json=report.json or "
            "markdown=comment.md (repeatable).",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when the head introduces lint errors or breaks a context (error, the "
            "default; lint is its old name), also on any resolution change (behaviour), also "
            "on any semantic change (any-change), or never.",
        ),
    ] = FailOn.error,
    color: Annotated[str, typer.Option("--color", help="auto, always or never.")] = "auto",
    allow_external_extends: AllowExternalOpt = False,
) -> None:
    """Review a git range: broken contexts, value changes, rollouts, semantic changes, lint."""
    from ..engine.context import merge_context_inputs
    from ..engine.errors import ContextError
    from ..review.diff import DiffOptions, run_diff
    from ..testing.contexts import context_set, directory_contexts
    from .common import status_reporter, use_color, warn_without_contexts, write_step_summary

    outputs = parse_outputs(output)
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
    with _collection_paused():
        try:
            report = run_diff(
                DiffOptions(
                    range=range_,
                    workspaces=workspace or [],
                    extra_contexts=extra,
                    cwd=cwd,
                    progress=progress,
                    allow_external_extends=allow_external_extends,
                ),
                context_set,
            )
        finally:
            if progress is not None:
                progress.stop()
        warn_without_contexts(report)
        fmt = DiffFormat.json if json_ else format_
        write_outputs(report, outputs)
        if fmt in (DiffFormat.json, DiffFormat.gitlab):  # streamed: never one string in memory
            for piece in render_pieces(report, fmt.value):
                sys.stdout.write(piece)
            raise typer.Exit(gate_exit_code(report, fail_on))
        rendered = render_report(
            report,
            fmt.value,
            color=use_color(color, sys.stdout),
            width=terminal_width(sys.stdout),
        )
        if fmt is DiffFormat.github:
            from ..render.escape import write_commands

            write_commands(sys.stdout, rendered)  # the only door for workflow commands
            write_step_summary(render_report(report, "markdown"))
        else:
            sys.stdout.write(rendered)
        raise typer.Exit(gate_exit_code(report, fail_on))
