"""The README's terminal quickstart runs verbatim, command by command, in a fresh repository."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Terminal quickstart", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the quickstart has no sh block"
    commands = []
    for line in block.group(1).splitlines():
        command = line.split("  #", 1)[0].strip()
        if command:
            commands.append(command)
    return commands


def test_readme_quickstart_runs_verbatim(tmp_path: Path) -> None:
    commands = quickstart_commands()
    assert len(commands) >= 6 and all(c.startswith("rototo ") for c in commands)
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "start"], cwd=repo, check=True)
    # the installed console script when there is one, else the same entry point via -m
    script = Path(sys.executable).with_name("rototo")
    prefix = [str(script)] if script.exists() else [sys.executable, "-m", "rototo_ci.cli.app"]
    env = {**os.environ, "ROTOTO_NO_CACHE": "1", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    for command in commands:
        args = prefix + shlex.split(command)[1:]
        proc = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "error" not in proc.stderr, (command, proc.stderr)
        assert proc.stdout.strip(), command
    assert (repo / "config" / "contexts" / "example.json").is_file()
    assert (repo / "junit.xml").is_file()
    assert (repo / "config" / "tests" / "rototo-fixtures.toml").is_file()
