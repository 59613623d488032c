"""`rototo workspaces [RANGE] [--changed] [--json]`: workspace directories, e.g. for a CI matrix."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer


def command(
    range_: Annotated[
        str | None,
        typer.Argument(
            metavar="[RANGE]",
            help="A..B, A...B or A (vs the working tree), as for `rototo diff`; "
            "default: the working tree (with --changed: HEAD vs the working tree).",
        ),
    ] = None,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Only workspaces the range touches (their files, or a parent they extend).",
        ),
    ] = False,
    json_: Annotated[
        bool, typer.Option("--json", help="One JSON list, e.g. for a GitHub Actions matrix.")
    ] = False,
) -> int:
    """List workspace directories relative to the repository root ("." for the root).

    Examples: `rototo workspaces`, `rototo workspaces origin/main...HEAD --changed --json`.
    """
    from ..render.escape import guard_line, one_line
    from ..workspaces import list_workspaces

    found = list_workspaces(Path.cwd(), range_, changed)
    if json_:
        sys.stdout.write(json.dumps(found) + "\n")
    else:
        for workspace in found:
            sys.stdout.write(guard_line(one_line(workspace)) + "\n")
    return 0
