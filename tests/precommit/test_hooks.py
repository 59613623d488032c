"""The pre-commit hooks on a monorepo layout: in-process, through the entry point, and
through the real `pre-commit try-repo` (slow: it builds the hook's environment)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml

from rototo_ci import hook

from ..cli.conftest import EXAMPLE, ROOT
from ..cli.test_commands import run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

DEEP = "services/payments/config"  # a workspace two directories deep
BROKEN_FILE = f"{DEEP}/variables/max-projects.toml"


def _monorepo(tmp_path: Path, broken: bool) -> Path:
    """A repository with a workspace at the root, one two levels deep and one three deep."""
    repo = tmp_path / "project"
    shutil.copytree(EXAMPLE, repo)  # a workspace at the repository root
    shutil.copytree(EXAMPLE, repo / DEEP)
    shutil.copytree(EXAMPLE, repo / "teams" / "growth" / "flags" / "cfg")
    (repo / "README.md").write_text("monorepo\n")
    (repo / "services" / "payments" / "app.json").write_text("{}\n")  # not in a workspace
    if broken:
        path = repo / BROKEN_FILE
        path.write_text(path.read_text().replace('default = "starter"', 'default = "none"'))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return repo


def _hook(repo: Path, monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    out = io.StringIO()
    with redirect_stdout(out):
        code = hook.main(list(argv))
    return code, out.getvalue()


def _all_files(repo: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=repo, check=True, capture_output=True, text=True
    )
    return listed.stdout.split()


def test_workspaces_of_finds_the_nearest_workspace(tmp_path: Path) -> None:
    repo = _monorepo(tmp_path, broken=False)
    files = [
        BROKEN_FILE,
        f"{DEEP}/contexts/free-us.json",
        f"{DEEP}/rototo-workspace.toml",
        "teams/growth/flags/cfg/qualifiers/eu.toml",  # need not exist (a deleted file)
        "services/payments/app.json",  # belongs to the root workspace's directory
        "variables/max-projects.toml",
        "../outside.toml",
        str(tmp_path / "elsewhere.toml"),
    ]
    assert hook.workspaces_of(files, repo) == [".", DEEP, "teams/growth/flags/cfg"]
    nested_only = tmp_path / "nested"
    shutil.copytree(EXAMPLE, nested_only / "a" / "b")
    assert hook.workspaces_of(["a/b/variables/x.toml", "a/readme.md"], nested_only) == ["a/b"]


def test_lint_hook_clean_and_broken_monorepo(tmp_path: Path, monkeypatch) -> None:
    clean = _monorepo(tmp_path / "clean", broken=False)
    code, out = _hook(clean, monkeypatch, "lint", *_all_files(clean))
    assert code == 0, out
    assert "error" not in out
    broken = _monorepo(tmp_path / "broken", broken=True)
    code, out = _hook(broken, monkeypatch, "lint", BROKEN_FILE, "README.md")
    assert code == 1
    error_lines = [line for line in out.splitlines() if ": error: " in line]
    assert error_lines == [
        f"{BROKEN_FILE}:11:11: error: resolve default references unknown value: none "
        "[rototo/variable-unknown-value]"
    ]
    assert f"{DEEP}: 1 error(s)" in out
    # a change elsewhere does not lint the broken workspace
    code, out = _hook(broken, monkeypatch, "lint", "teams/growth/flags/cfg/variables/x.toml")
    assert code == 0 and DEEP not in out


def test_test_hook_reports_repository_relative_paths(tmp_path: Path, monkeypatch) -> None:
    repo = _monorepo(tmp_path, broken=True)
    code, out = _hook(repo, monkeypatch, "test", f"{DEEP}/contexts/free-us.json")
    assert code == 1
    assert f"{BROKEN_FILE}:11: FAIL lint gate" in out
    code, out = _hook(repo, monkeypatch, "test", "teams/growth/flags/cfg/rototo-workspace.toml")
    assert code == 0, out


def test_fixtures_check_hook_finds_suites_inside_each_workspace(tmp_path: Path, monkeypatch):
    repo = _monorepo(tmp_path, broken=False)
    code, out = _hook(repo, monkeypatch, "fixtures-check", *_all_files(repo))
    assert code == 0, out
    suite_file = repo / DEEP / "tests" / "variables" / "checkout-theme.toml"
    # a comment or a different layout is not staleness; an expectation that no longer holds is
    suite_file.write_text(suite_file.read_text() + "\n# hand edit\n")
    assert _hook(repo, monkeypatch, "fixtures-check", BROKEN_FILE)[0] == 0
    suite_file.write_text(suite_file.read_text().replace('value_key = "', 'value_key = "x', 1))
    code, out = _hook(repo, monkeypatch, "fixtures-check", BROKEN_FILE)
    assert code == 1
    assert f"{DEEP}/tests/variables/checkout-theme.toml:1:1: stale fixture file" in out
    # the other workspaces' suites are untouched and fresh
    code, out = _hook(repo, monkeypatch, "fixtures-check", "variables/max-projects.toml")
    assert code == 0, out


def test_hook_error_is_one_line_per_workspace(tmp_path: Path, monkeypatch) -> None:
    repo = _monorepo(tmp_path, broken=True)
    code, out = _hook(repo, monkeypatch, "fixtures-check", BROKEN_FILE)
    assert code == 1
    assert out.startswith(f"{DEEP}: error: ") and "Traceback" not in out


def test_hostile_file_names_cannot_issue_workflow_commands(tmp_path: Path, monkeypatch):
    repo = tmp_path / "r"
    shutil.copytree(EXAMPLE, repo / "::error::x")
    path = repo / "::error::x" / "variables" / "max-projects.toml"
    path.write_text(path.read_text().replace('default = "starter"', 'default = "none"'))
    code, out = _hook(repo, monkeypatch, "lint", "::error::x/variables/max-projects.toml")
    assert code == 1
    assert all(not line.startswith("::") for line in out.splitlines())


def test_lint_changed_command_delegates_to_the_hook(tmp_path: Path, monkeypatch) -> None:
    repo = _monorepo(tmp_path, broken=True)
    monkeypatch.chdir(repo)
    result = run_cli("lint-changed", BROKEN_FILE, f"{DEEP}/contexts/free-us.json")
    assert result.code == 1 and result.out.count(f"{BROKEN_FILE}:11:11: error") == 1
    assert run_cli("lint-changed", "README.md").code == 0


def test_hook_entry_point_is_light(tmp_path: Path) -> None:
    """No typer, rich or jsonschema for a commit that touches no workspace."""
    probe = (
        "import sys; from rototo_ci import hook; code = hook.main(['lint', 'README.md']); "
        "print(code, sorted(m for m in ('typer', 'rich', 'jsonschema', 'pygit2', 'lupa') "
        "if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "0 []"


def test_hook_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["rototo-lint", "rototo-test", "rototo-fixtures-check"]
    scripts = (ROOT / "pyproject.toml").read_text()
    assert 'rototo-hook = "rototo_ci.hook:entry"' in scripts
    for h in hooks:
        assert h["language"] == "python"
        assert h["entry"].split()[0] == "rototo-hook"
        assert h["entry"].split()[1] in hook.CHECKS
        assert "args" not in h  # works out of the box
        assert h.get("pass_filenames", True) is True
        assert h["require_serial"] is True  # one process sees all files: each workspace once


def _try_repo(repo: Path, hook_id: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "pre-commit"
    if not exe.exists():
        pytest.skip("pre-commit is not installed (dev extra)")
    return subprocess.run(
        [str(exe), "try-repo", str(ROOT), hook_id, "--all-files", "--color", "never"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            "PRE_COMMIT_HOME": str(tmp_path / "cache"),
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
    )


@pytest.mark.slow
def test_pre_commit_try_repo_on_a_monorepo(tmp_path: Path) -> None:
    clean = _monorepo(tmp_path / "clean", broken=False)
    proc = _try_repo(clean, "rototo-lint", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = _monorepo(tmp_path / "broken", broken=True)
    proc = _try_repo(broken, "rototo-lint", tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{BROKEN_FILE}:11:11: error:" in proc.stdout
    proc = _try_repo(broken, "rototo-test", tmp_path)
    assert proc.returncode == 1 and f"{BROKEN_FILE}:11: FAIL lint gate" in proc.stdout
