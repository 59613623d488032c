"""`rototo fixtures --out DIR`: write resolution fixture suites, or check they are fresh."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .selectors import (
    AllowExternalOpt,
    JsonOpt,
    QualifierOpt,
    QualifiersOpt,
    QuietOpt,
    RevOpt,
    SourceArg,
    VariableOpt,
    VariablesOpt,
)


def command(
    source: SourceArg = None,
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Suite directory to write.")
    ] = Path("rototo-fixtures"),
    variable: VariableOpt = None,
    variables: VariablesOpt = False,
    qualifier: QualifierOpt = None,
    qualifiers: QualifiersOpt = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1, one reason per stale file, when a generated case is "
            "missing or no longer holds (witness values and layout are free).",
        ),
    ] = False,
    rev: RevOpt = None,
    allow_external_extends: AllowExternalOpt = False,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Generate fixture suites (all variables and qualifiers when nothing is selected).

    Lists every file as wrote or unchanged: a file that is already current is left as it is.
    """
    from ..engine.workspace import Workspace
    from ..render.escape import one_line
    from ..testing.generate import generate_suite, stale_files, write_suite

    workspace = Workspace.load(source, rev=rev, allow_external_extends=allow_external_extends)
    runtime = workspace.runtime()
    nothing_chosen = not (variable or variables or qualifier or qualifiers)
    variable_ids = (
        list(runtime.variables)
        if (variables or nothing_chosen)
        else list(dict.fromkeys(variable or []))
    )
    qualifier_ids = (
        list(runtime.qualifiers)
        if (qualifiers or nothing_chosen)
        else list(dict.fromkeys(qualifier or []))
    )
    for vid in variable_ids:
        workspace.require_variable(vid)
    for qid in qualifier_ids:
        workspace.require_qualifier(qid)
    suite = generate_suite(workspace, out, variable_ids, qualifier_ids, workspace_label=source)
    for note in suite.notes:
        print(f"rototo: note: {one_line(note)}", file=sys.stderr)
    if check:
        stale = stale_files(suite)
        if json_:
            data = {
                "out": str(out),
                "cases": suite.cases,
                "stale": list(stale),
                "reasons": stale,
            }
            from ..render.json_text import indented

            sys.stdout.write(indented(data) + "\n")
        else:
            for rel, reason in stale.items():
                print(f"{one_line(str(out / rel))}: stale: {one_line(reason)}")
        if stale:
            print(
                f"rototo: {len(stale)} fixture file(s) in {one_line(str(out))} are stale; run "
                f"`rototo fixtures {one_line(source) + ' ' if source else ''}--out "
                f"{one_line(str(out))}` and review the diff",
                file=sys.stderr,
            )
            return 1
        if not (json_ or quiet):
            print(f"fixtures in {one_line(str(out))} are up to date ({suite.cases} cases)")
        return 0
    written = write_suite(suite, out)
    unchanged = suite.current
    if json_:
        data = {
            "command": "fixtures",
            "workspace": source,
            "out": str(out),
            "files": list(suite.files),
            "written": written,
            "unchanged": unchanged,
            "not_rewritten": suite.blocked,
            "cases": suite.cases,
            "fixture_files": len(suite.files) - 1,
        }
        from ..render.json_text import indented

        sys.stdout.write(indented(data) + "\n")
    elif not quiet:
        print(f"fixtures: {one_line(str(out))}")
        for rel in suite.files:
            if rel in suite.blocked:
                print(
                    f"  kept {one_line(rel)} (stale, not rewritten: {one_line(suite.blocked[rel])})"
                )
            else:
                print(f"  {'unchanged' if rel in unchanged else 'wrote'} {one_line(rel)}")
        print(
            f"{suite.cases} cases in {len(suite.files) - 1} fixture files; "
            f"{len(written)} written, {len(unchanged)} unchanged (already current)"
        )
    if suite.blocked:
        print(
            f"rototo: {len(suite.blocked)} stale file(s) in {one_line(str(out))} were not "
            "rewritten, to keep what they hold: fix or remove them and run again",
            file=sys.stderr,
        )
        return 1
    return 0
