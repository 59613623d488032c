"""The workspaces of a repository, and those a git range touches (for CI matrices).

A workspace is touched when one of its files differs between the two sides (a file
belongs to the deepest workspace directory holding it), or a file of a workspace it
`extends` inside the same repository (on either side) does: its behaviour may change
without one of its own files changing.
"""

from __future__ import annotations

import posixpath
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from .engine.tree import MANIFEST

if TYPE_CHECKING:
    import pygit2

    from .review.revisions import Side


def _manifest_text(side: Side, workspace: str) -> str | None:
    rel = f"{workspace}/{MANIFEST}" if workspace else MANIFEST
    try:
        if side.tree is None:
            path = Path(side.repo.workdir or ".") / rel
            return path.read_text(encoding="utf-8")
        blob = side.repo[side.tree[rel].id]
        return blob.data.decode("utf-8")  # type: ignore[attr-defined, no-any-return]
    except (KeyError, OSError, UnicodeDecodeError, AttributeError):
        return None


def local_parents(side: Side, workspace: str, limit: int = 32) -> list[str]:
    """Repository-relative directories a workspace extends (transitively) on one side."""
    found: list[str] = []
    todo = [workspace]
    while todo and len(found) < limit:
        current = todo.pop()
        text = _manifest_text(side, current)
        if text is None:
            continue
        try:
            extends = tomllib.loads(text).get("extends")
        except (ValueError, RecursionError):  # bad TOML or a huge integer
            continue
        for entry in extends if isinstance(extends, list) else []:
            if not isinstance(entry, str) or "://" in entry or entry.startswith("/"):
                continue  # remote sources are not in this repository
            parent = posixpath.normpath(posixpath.join(current or ".", entry))
            if parent == ".." or parent.startswith("../"):
                continue  # outside the repository
            parent = "" if parent == "." else parent
            if parent not in found and parent != workspace:
                found.append(parent)
                todo.append(parent)
    return found


def changed_paths(base: Side, head: Side) -> set[str]:
    """Repository-relative paths that differ between two sides (untracked files included)."""
    import pygit2

    repo: pygit2.Repository = base.repo
    if base.tree is None:
        raise ValueError("the base side must be a commit")
    if head.tree is None:
        flags = pygit2.enums.DiffOption.INCLUDE_UNTRACKED | (
            pygit2.enums.DiffOption.RECURSE_UNTRACKED_DIRS
        )
        diff = base.tree.diff_to_workdir(flags=flags)
    else:
        diff = repo.diff(base.tree, head.tree)
    paths: set[str] = set()
    for delta in diff.deltas:
        paths.add(delta.old_file.path)
        paths.add(delta.new_file.path)
    return paths


def owner(path: str, workspaces: list[str]) -> str | None:
    """The deepest workspace directory holding a path (nested workspaces own their files)."""
    best: str | None = None
    for directory in workspaces:
        inside = not directory or path == directory or path.startswith(directory + "/")
        if inside and (best is None or len(directory) > len(best)):
            best = directory
    return best


def list_workspaces(cwd: Path, range_: str | None, changed: bool) -> list[str]:
    """Workspace directories relative to the repository root ("." for the root)."""
    from .review.revisions import _worktree_workspaces, open_repository, parse_range

    repo = open_repository(cwd)
    if range_ is None and not changed:
        dirs = _worktree_workspaces(repo)
    else:
        base, head = parse_range(repo, range_)
        dirs = sorted(set(base.workspace_dirs()) | set(head.workspace_dirs()))
        if changed:
            owners = {owner(p, dirs) for p in changed_paths(base, head)}
            touched = []
            for workspace in dirs:
                watched = {workspace, *local_parents(base, workspace)}
                watched |= set(local_parents(head, workspace))
                if watched & owners:
                    touched.append(workspace)
            dirs = touched
    return [d or "." for d in dirs]
