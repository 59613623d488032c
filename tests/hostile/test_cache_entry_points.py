"""The lint cache is shared by `rototo lint` and the pre-commit hook (same directory,
same keys): an entry written by one entry point must never change the other's verdict
(SPEC §8, "the cache changes no verdict")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..helpers import init_repo, write_files

HOOK = "import sys; from rototo_ci.hook import entry; sys.argv[0] = 'rototo-hook'; entry()"


def _run(cwd: Path, cache: Path | None, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROTOTO_")}
    if cache is None:
        env["ROTOTO_NO_CACHE"] = "1"
    else:
        env["ROTOTO_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _hook(repo: Path, cache: Path | None) -> subprocess.CompletedProcess[str]:
    return _run(repo, cache, "-c", HOOK, "lint", "ws/rototo-workspace.toml")


def _lint_following(repo: Path, cache: Path | None) -> subprocess.CompletedProcess[str]:
    args = ("-m", "rototo_ci.cli.app", "lint", "ws", "--allow-external-extends")
    return _run(repo, cache, *args)


def _layout(tmp_path: Path) -> Path:
    """A workspace in a repository that extends a directory outside it. The parent adds
    no file, so the tree the hook lints (parent refused) and the tree `rototo lint
    --allow-external-extends` lints (parent followed) hold the same files."""
    write_files(tmp_path / "outside", {"rototo-workspace.toml": "schema_version = 1\n"})
    repo = tmp_path / "repo"
    init_repo(repo)
    manifest = 'schema_version = 1\nextends = ["../../outside"]\n'
    write_files(repo, {"ws/rototo-workspace.toml": manifest})
    return repo


def test_a_followed_extends_in_the_cache_does_not_pass_the_hook(tmp_path: Path) -> None:
    repo = _layout(tmp_path)
    uncached = _hook(repo, None)
    assert uncached.returncode == 1 and "extends-refused" in uncached.stdout, uncached
    cache = tmp_path / "cache"
    following = _lint_following(repo, cache)
    assert following.returncode == 0, following
    assert any(cache.glob("*.json")), "the cache was not written"
    cached = _hook(repo, cache)
    assert "Traceback" not in cached.stderr, cached.stderr
    assert (cached.returncode, cached.stdout) == (uncached.returncode, uncached.stdout)


def test_a_refused_extends_in_the_cache_does_not_fail_the_flagged_lint(tmp_path: Path) -> None:
    repo = _layout(tmp_path)
    uncached = _lint_following(repo, None)
    assert uncached.returncode == 0, uncached
    cache = tmp_path / "cache"
    assert _hook(repo, cache).returncode == 1
    cached = _lint_following(repo, cache)
    assert (cached.returncode, cached.stdout) == (uncached.returncode, uncached.stdout)
