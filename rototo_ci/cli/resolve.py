"""`rototo resolve`: the value an application would receive for a context, with its trace."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .selectors import (
    AllowExternalOpt,
    ColorOpt,
    JsonOpt,
    QualifierOpt,
    QualifiersOpt,
    RevOpt,
    SourceArg,
    TextJsonFormatOpt,
    TextOrJson,
    VariableOpt,
    VariablesOpt,
)


def command(
    source: SourceArg = None,
    variable: VariableOpt = None,
    variables: VariablesOpt = False,
    qualifier: QualifierOpt = None,
    qualifiers: QualifiersOpt = False,
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            "-c",
            metavar="CONTEXT",
            help="JSON object, @file.json or a.b=value; repeated values merge "
            "left to right (default {}).",
        ),
    ] = None,
    rev: RevOpt = None,
    allow_external_extends: AllowExternalOpt = False,
    json_: JsonOpt = False,
    format_: TextJsonFormatOpt = TextOrJson.text,
    no_validate_context: Annotated[
        bool,
        typer.Option(
            "--no-validate-context", help="Skip checking the context against the context schema."
        ),
    ] = False,
    color: ColorOpt = "auto",
) -> int:
    """Resolve variables or qualifiers for a context (exit 1 when a resolution fails)."""
    from ..engine.errors import ResolutionError
    from ..engine.resolve import QualifierTrace, VariableTrace
    from ..engine.workspace import Workspace
    from ..render.escape import one_line
    from .common import fail, merge_contexts, output_width, use_color

    if not (variable or variables or qualifier or qualifiers):
        fail("choose what to resolve: --variable ID, --variables, --qualifier ID or --qualifiers")
    workspace = Workspace.load(source, rev=rev, allow_external_extends=allow_external_extends)
    ctx = merge_contexts(context, workspace)
    runtime = workspace.runtime()
    variable_ids = list(runtime.variables) if variables else list(dict.fromkeys(variable or []))
    qualifier_ids = list(runtime.qualifiers) if qualifiers else list(dict.fromkeys(qualifier or []))
    for vid in variable_ids:
        workspace.require_variable(vid)
    for qid in qualifier_ids:
        workspace.require_qualifier(qid)
    evaluation = workspace.evaluation(ctx, validate_context=not no_validate_context, trace=True)
    variable_traces: list[VariableTrace] = []
    qualifier_traces: list[QualifierTrace] = []
    errors: list[str] = []
    for vid in variable_ids:
        try:
            variable_traces.append(workspace.trace_variable(vid, ctx, evaluation=evaluation))
        except ResolutionError as error:
            errors.append(f"variable://{vid}: {error}")
    for qid in qualifier_ids:
        try:
            qualifier_traces.append(workspace.trace_qualifier(qid, ctx, evaluation=evaluation))
        except ResolutionError as error:
            errors.append(f"qualifier://{qid}: {error}")
    if json_ or format_ is TextOrJson.json:
        data: dict[str, Any] = {
            "workspace": workspace.root,
            "variables": [t.to_json() for t in variable_traces],
            "qualifiers": [t.to_json() for t in qualifier_traces],
        }
        if errors:
            for error in errors:
                print(f"rototo: error: {one_line(str(error))}", file=sys.stderr)
            return 1
        from ..render.json_text import indented

        sys.stdout.write(indented(data) + "\n")
        return 0
    from ..render.resolve_text import render_resolve_text

    sys.stdout.write(
        render_resolve_text(
            variable_traces,
            qualifier_traces,
            [],
            color=use_color(color, sys.stdout),
            width=output_width(sys.stdout),
        )
    )
    for error in errors:
        print(f"rototo: error: {one_line(str(error))}", file=sys.stderr)
    return 1 if errors else 0
