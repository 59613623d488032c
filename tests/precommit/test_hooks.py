"""The pre-commit hooks, run by the real pre-commit against this repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..cli.conftest import EXAMPLE, ROOT
from ..cli.test_commands import run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _repo(tmp_path: Path, broken: bool) -> Path:
    repo = tmp_path / "project"
    shutil.copytree(EXAMPLE, repo / "config")
    if broken:
        path = repo / "config" / "variables" / "max-projects.toml"
        path.write_text(path.read_text().replace('default = "starter"', 'default = "none"'))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return repo


def test_lint_changed_maps_files_to_workspaces(tmp_path: Path) -> None:
    repo = _repo(tmp_path, broken=True)
    changed = repo / "config" / "variables" / "max-projects.toml"
    result = run_cli(
        "lint-changed", str(changed), str(repo / "config" / "contexts" / "free-us.json")
    )
    assert result.code == 1 and result.out.count("variables/max-projects.toml") == 1
    assert run_cli("lint-changed", str(tmp_path / "unrelated.txt")).code == 0


@pytest.mark.slow
@pytest.mark.parametrize("broken", [False, True])
def test_pre_commit_try_repo(tmp_path: Path, broken: bool) -> None:
    if (
        shutil.which("pre-commit") is None
        and not (Path(sys.executable).parent / "pre-commit").exists()
    ):
        pytest.skip("pre-commit is not installed")
    exe = str(Path(sys.executable).parent / "pre-commit")
    repo = _repo(tmp_path, broken)
    proc = subprocess.run(
        [exe, "try-repo", str(ROOT), "rototo-lint", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            "PRE_COMMIT_HOME": str(tmp_path / "cache"),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
    )
    assert (proc.returncode != 0) == broken, proc.stdout + proc.stderr
    if broken:
        assert "rototo/variable-unknown-value" in proc.stdout


def test_hook_manifest_is_valid() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"rototo-lint", "rototo-test", "rototo-fixtures-check"}
    assert all(h["language"] == "python" and h["entry"].startswith("rototo ") for h in hooks)
