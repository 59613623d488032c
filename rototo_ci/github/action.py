"""The steps of the GitHub Action, as small tested commands.

python -m rototo_ci.github.action ensure-base [SHA]   # default: the PR's base sha
python -m rototo_ci.github.action workspaces [PATH…]  # every workspace, or the given ones
python -m rototo_ci.github.action outputs REPORT.json --fail-on lint
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

SHA = re.compile(r"^[0-9a-f]{40}$")


def event_base_sha(event_path: str | None) -> str | None:
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    base = (event.get("pull_request") or {}).get("base") or {}
    sha = base.get("sha")
    return sha if isinstance(sha, str) and SHA.match(sha) else None


def write_output(values: dict[str, Any]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    lines = "".join(f"{key}={value}\n" for key, value in values.items())
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(lines)
    else:
        sys.stdout.write(lines)


def has_commit(repo_dir: Path, sha: str) -> bool:
    import pygit2

    found = pygit2.discover_repository(str(repo_dir))
    if found is None:
        return False
    try:
        pygit2.Repository(found).revparse_single(sha).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        return False
    return True


def ensure_base(sha: str | None, repo_dir: Path, fetch: Any = None) -> str:
    """Make sure the base commit is in a (possibly shallow) clone; returns the sha."""
    sha = sha or event_base_sha(os.environ.get("GITHUB_EVENT_PATH"))
    if not sha:
        raise SystemExit("rototo: error: no base commit: pass `base` or run on a pull_request")
    if not SHA.match(sha):
        raise SystemExit(f"rototo: error: base must be a full 40-character commit sha: {sha!r}")
    if not has_commit(repo_dir, sha):
        run = fetch or (lambda argv: subprocess.run(argv, cwd=repo_dir, check=False).returncode)
        code = run(["git", "fetch", "--no-tags", "--depth=1", "origin", sha])
        if code != 0 or not has_commit(repo_dir, sha):
            raise SystemExit(f"rototo: error: cannot fetch base commit {sha}")
    write_output({"base": sha})
    return sha


def workspaces(repo_dir: Path, chosen: list[str]) -> list[str]:
    if chosen:
        return chosen
    from ..review.revisions import _worktree_workspaces, open_repository

    return [w or "." for w in _worktree_workspaces(open_repository(repo_dir))]


def outputs(report: dict[str, Any], fail_on: str) -> int:
    summary = report.get("summary", {})
    introduced_errors = sum(
        1
        for ws in report.get("workspaces", [])
        for d in ws.get("lint", {}).get("introduced", [])
        if d.get("severity") == "error"
    )
    write_output(
        {
            "changes": summary.get("changes", 0),
            "resolution-changes": summary.get("resolution_changes", 0),
            "lint-introduced": summary.get("lint_introduced", 0),
            "lint-errors-introduced": introduced_errors,
            "lint-resolved": summary.get("lint_resolved", 0),
        }
    )
    if fail_on == "never":
        return 0
    if introduced_errors:
        return 1
    return 1 if fail_on == "any-change" and summary.get("resolution_changes", 0) else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = args[0], args[1:]
    if command == "ensure-base":
        ensure_base(rest[0] if rest and rest[0] else None, Path.cwd())
        return 0
    if command == "workspaces":
        print("\n".join(workspaces(Path.cwd(), [r for r in rest if r])))
        return 0
    if command == "outputs" and rest:
        fail_on = rest[2] if len(rest) > 2 and rest[1] == "--fail-on" else "lint"
        return outputs(json.loads(Path(rest[0]).read_text(encoding="utf-8")), fail_on)
    print(f"rototo: error: unknown action step {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
