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


@pytest.mark.parametrize("mode", CACHE_MODES)
def test_a_changed_file_named_like_an_option_is_still_a_file(tmp_path: Path, mode: str) -> None:
    """The shipped hooks end their options with `--`: a pull request that adds a file named
    `--help` next to a broken workspace file cannot turn the lint into a help page (exit 0)."""
    import yaml

    entry = {
        h["id"]: h["entry"]
        for h in yaml.safe_load(
            (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
        )
    }["rototo-lint"].split()
    assert entry[0] == "rototo-hook"
    repo = tmp_path / "repo"
    ws = repo / "ws"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("tests"))
    with (ws / "variables" / "checkout-theme.toml").open("a", encoding="utf-8") as out:
        out.write("broken = [\n")
    (repo / "--help").write_text("", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROTOTO_")}
    env.update({"ROTOTO_NO_CACHE": "1"} if mode == "no-cache" else {})
    env["ROTOTO_CACHE_DIR"] = str(tmp_path / "cache")
    # pre-commit appends the changed files to the entry
    argv = [*entry[1:], "--help", "ws/variables/checkout-theme.toml"]
    proc = subprocess.run(
        [sys.executable, "-c", HOOK, *argv],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc
    assert "usage:" not in proc.stdout + proc.stderr
    assert "ws/variables/checkout-theme.toml" in proc.stdout
