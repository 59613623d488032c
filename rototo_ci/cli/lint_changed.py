"""`rototo lint-changed FILE…`: lint each workspace containing a changed file (pre-commit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def workspaces_of(files: list[Path]) -> list[Path]:
    """The nearest enclosing workspace root of each file, each once, in order."""
    roots: list[Path] = []
    for file in files:
        for candidate in (
            [file.parent, *file.parent.parents] if not file.is_dir() else [file, *file.parents]
        ):
            if (candidate / "rototo-workspace.toml").is_file():
                if candidate.resolve() not in [r.resolve() for r in roots]:
                    roots.append(candidate)
                break
    return roots


def command(
    files: Annotated[list[Path] | None, typer.Argument(help="Changed files.")] = None,
) -> int:
    """Lint every workspace that contains one of the given files (exit 1 on errors)."""
    from .app import main

    status = 0
    for root in workspaces_of(files or []):
        status = max(status, main(["lint", str(root), "--quiet"]))
    return status
