"""`rototo fixtures --out DIR`: write resolution fixture suites, or check they are fresh."""

from __future__ import annotations

import json
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
        typer.Option("--check", help="Write nothing; exit 1 with a diff when the suite is stale."),
    ] = False,
    rev: RevOpt = None,
    allow_external_extends: AllowExternalOpt = False,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Generate fixture suites (all variables and qualifiers when nothing is selected)."""
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
    suite = generate_suite(workspace, out, variable_ids, qualifier_ids)
    for note in suite.notes:
        print(f"rototo: note: {one_line(note)}", file=sys.stderr)
    if check:
        diffs = stale_files(suite, out)
        if json_:
            data = {"out": str(out), "cases": suite.cases, "stale": sorted(diffs)}
            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        elif diffs:
            for diff in diffs.values():
                sys.stdout.write(diff)
        if diffs:
            print(
                f"rototo: {len(diffs)} fixture file(s) in {out} are stale; run "
                f"`rototo fixtures --out {out}` and review the diff",
                file=sys.stderr,
            )
            return 1
        if not (json_ or quiet):
            print(f"fixtures in {out} are up to date ({suite.cases} cases)")
        return 0
    written = write_suite(suite, out)
    if json_:
        data = {
            "out": str(out),
            "cases": suite.cases,
            "fixture_files": len(suite.files) - 1,
            "written": written,
            "files": sorted(suite.files),
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif not quiet:
        print(f"fixtures: {one_line(str(out))}")
        for rel in written:
            print(f"  wrote {one_line(rel)}")
        print(
            f"{suite.cases} cases in {len(suite.files) - 1} fixture files; "
            f"{len(written)} file(s) written to {out}"
        )
    return 0
