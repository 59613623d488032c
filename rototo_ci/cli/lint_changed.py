"""`rototo lint-changed FILE…`: lint each workspace holding a changed file (pre-commit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Changed files, relative to the current directory.")
    ] = None,
) -> int:
    """Lint every workspace that holds one of the given files (exit 1 on errors)."""
    from ..hook import main

    return main(["lint", "--", *(str(f) for f in files or [])])
