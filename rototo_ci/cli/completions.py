"""`rototo completions SHELL`: a shell completion script for bash, zsh or fish."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

COMPLETE_VAR = "_ROTOTO_COMPLETE"


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


INSTALL = {
    Shell.bash: "~/.local/share/bash-completion/completions/rototo",
    Shell.zsh: "a directory on $fpath, as _rototo",
    Shell.fish: "~/.config/fish/completions/rototo.fish",
}


def command(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> int:
    """Print a completion script for bash, zsh or fish (commands, options, choices)."""
    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name="rototo", complete_var=COMPLETE_VAR, shell=shell.value)
    sys.stdout.write(f"# rototo completion for {shell.value}; save it as {INSTALL[shell]}\n")
    sys.stdout.write(script + "\n")
    return 0
