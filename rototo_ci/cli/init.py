"""`rototo init DIR`: create a workspace or add entity templates to one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Workspace directory.")],
    variable: Annotated[
        list[str] | None,
        typer.Option("--variable", metavar="ID", help="Add variables/ID.toml (repeatable)."),
    ] = None,
    qualifier: Annotated[
        list[str] | None,
        typer.Option("--qualifier", metavar="ID", help="Add qualifiers/ID.toml (repeatable)."),
    ] = None,
    resource: Annotated[
        list[str] | None,
        typer.Option(
            "--resource", metavar="ID", help="Add a resource, its schema, an object and a variable."
        ),
    ] = None,
    context: Annotated[
        bool,
        typer.Option(
            "--context", help="Write schemas/context.schema.json inferred from the qualifiers."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be written.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not list the files written.")
    ] = False,
) -> int:
    """Create a workspace or add templates (never overwrites without --force)."""
    from ..scaffold import apply, plan

    writes = plan(directory, variable or [], qualifier or [], resource or [], context)
    if dry_run:
        for write in writes:
            note = " (exists; --force overwrites)" if write.exists else ""
            print(f"would write {write.path}{note}")
        return 0
    apply(writes, force)
    for write in [] if quiet else writes:
        print(f"wrote {write.path}")
    return 0
