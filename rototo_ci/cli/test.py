"""`rototo test`: lint gate, fixture cases and declared contexts; JUnit XML for CI."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .selectors import AllowExternalOpt, ColorOpt, JsonOpt, QuietOpt, RevOpt, SourceArg


class CoverageFormat(StrEnum):
    cobertura = "cobertura"
    lcov = "lcov"


class TestFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def command(
    source: SourceArg = None,
    fixtures: Annotated[
        list[Path] | None,
        typer.Option(
            "--fixtures",
            metavar="PATH",
            help="A fixture suite directory or rototo-fixtures.toml (repeatable).",
        ),
    ] = None,
    contexts: Annotated[
        list[Path] | None,
        typer.Option(
            "--contexts", metavar="DIR", help="A directory of context files to check (repeatable)."
        ),
    ] = None,
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            "-c",
            metavar="CONTEXT",
            help="One more context (JSON, @file or a.b=value; merged).",
        ),
    ] = None,
    junit_xml: Annotated[
        Path | None, typer.Option("--junit-xml", metavar="FILE", help="Write JUnit XML here.")
    ] = None,
    coverage: Annotated[
        Path | None,
        typer.Option(
            "--coverage",
            metavar="FILE",
            help="Write coverage of defaults, rules, values and predicates here.",
        ),
    ] = None,
    coverage_format: Annotated[
        CoverageFormat,
        typer.Option("--coverage-format", help="Coverage file format."),
    ] = CoverageFormat.cobertura,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            metavar="PCT",
            min=0,
            max=100,
            help="Exit 1 when total coverage is below PCT (with --coverage).",
        ),
    ] = None,
    rev: RevOpt = None,
    allow_external_extends: AllowExternalOpt = False,
    format_: Annotated[
        TestFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TestFormat.text,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    color: ColorOpt = "auto",
) -> int:
    """Run the lint gate, every fixture case and every declared context (exit 1 on failure).

    Example: rototo test --junit-xml junit.xml --coverage coverage.xml --fail-under 80
    """
    from ..engine.workspace import Workspace
    from ..files import write_atomic
    from ..testing.contexts import DeclaredContext, directory_contexts
    from ..testing.runner import TestOptions, run_tests
    from .common import merge_contexts, output_width, status_reporter, use_color
    from .lint import repo_prefix

    workspace = Workspace.inspect(source, rev=rev, allow_external_extends=allow_external_extends)
    extra: list[DeclaredContext] = []
    for directory in contexts or []:
        extra += directory_contexts(directory)
    if context:
        extra.append(DeclaredContext("--context", merge_contexts(context, workspace)))
    collector = None
    if coverage is not None or fail_under is not None:
        from ..testing.coverage import CoverageCollector

        collector = CoverageCollector(workspace.model, workspace.root)
    progress = status_reporter("testing")
    try:
        report = run_tests(
            workspace,
            TestOptions(
                fixtures=list(fixtures or []),
                contexts=extra,
                progress=progress,
                coverage=collector,
            ),
        )
    finally:
        if progress is not None:
            progress.stop()
    for warning in report.warnings:
        print(f"rototo: warning: {warning}", file=sys.stderr)
    if junit_xml is not None:
        from ..render.test_junit import render_junit

        write_atomic(junit_xml, render_junit(report))
    if json_:
        format_ = TestFormat.json
    if format_ is TestFormat.json:
        from ..render.json_text import indented

        sys.stdout.write(indented(report.to_json()) + "\n")
    elif format_ is TestFormat.github:
        from ..render.escape import write_commands
        from ..render.test_text import render_test_github, render_test_text

        write_commands(sys.stdout, render_test_github(report, repo_prefix(workspace.source.root)))
        sys.stderr.write(render_test_text(report))
    else:
        from ..render.test_text import render_test_text

        text = render_test_text(
            report,
            color=use_color(color, sys.stdout),
            width=output_width(sys.stdout),
            quiet=quiet,
        )
        sys.stdout.write(text)
    below = False
    if collector is not None:
        from .coverage import write_coverage

        below = write_coverage(
            collector.report(), workspace, coverage, coverage_format.value, fail_under
        )
    return 1 if report.failed or below else 0
