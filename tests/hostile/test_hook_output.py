"""The pre-commit hook names workspaces by their directory, which a pull request names:
every line it prints is one finding or one summary, whatever the directory is called."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..cli.conftest import EXAMPLE
from .inputs_support import CACHE_MODES

HOOK = "import sys; from rototo_ci.hook import entry; sys.argv[0] = 'rototo-hook'; entry()"
NAME = "x\n::error file=README.md::forged\rline"


@pytest.mark.parametrize("mode", CACHE_MODES)
@pytest.mark.parametrize("check", ["lint", "test"])
def test_a_workspace_named_with_line_breaks_prints_whole_lines(
    tmp_path: Path, mode: str, check: str
) -> None:
    repo = tmp_path / "repo"
    ws = repo / NAME
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("tests"))
    with (ws / "variables" / "checkout-theme.toml").open("a", encoding="utf-8") as out:
        out.write("broken = [\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROTOTO_")}
    env.update({"ROTOTO_NO_CACHE": "1"} if mode == "no-cache" else {})
    env["ROTOTO_CACHE_DIR"] = str(tmp_path / "cache")
    for _ in range(2 if mode == "cache" else 1):  # with the cache: a cold and a warm run
        proc = subprocess.run(
            [sys.executable, "-c", HOOK, check, f"{NAME}/variables/checkout-theme.toml"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc
        lines = proc.stdout.replace("\r", "\n").splitlines()
        # a finding or a summary (named by the escaped directory), or a detail under one
        assert lines and all(line.startswith(("x\\n", "    ")) for line in lines), lines
        assert lines[-1].startswith("x\\n"), lines
