"""Where a covered workspace file really lives, for coverage files and the text report.

A workspace that `extends` a parent sees the parent's files under its own paths
(`variables/x.toml`), but coverage tools map a report onto real files: a line of a
parent's file must be reported at the parent's path, not at a path in the child that
does not exist.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..engine.sources import Source
from ..engine.tree import GitTree, LayeredTree, Tree


def _owner(tree: Tree, path: str) -> Tree:
    return tree.owner(path) if isinstance(tree, LayeredTree) else tree


def _git_workdir(root: Path | None) -> Path | None:
    if root is None:
        return None
    import pygit2

    try:
        found = pygit2.discover_repository(str(root))
        workdir = pygit2.Repository(found).workdir if found else None
    except (pygit2.GitError, OSError):
        return None
    return Path(workdir).resolve() if workdir else None


def _relative(target: Path, base: Path) -> str:
    return Path(os.path.relpath(target, base)).as_posix()


class CoverageLocator:
    """Maps workspace document paths to (report path, display path).

    The report path is relative to the git repository holding the workspace (what
    GitHub, GitLab and Codecov read), or to the workspace directory outside git; the
    display path is relative to the current directory (for `path:line` in a terminal).
    """

    def __init__(self, source: Source, cwd: Path | None = None) -> None:
        self.source = source
        self.cwd = (cwd or Path.cwd()).resolve()
        self.root = source.root.resolve() if source.root is not None else None
        self.workdir = _git_workdir(self.root)
        self.base = self.workdir or self.root

    def _absolute(self, path: str) -> Path | None:
        owner = _owner(self.source.tree, path)
        local = owner.local_path()
        if local is not None:
            return Path(local).resolve() / path
        if isinstance(owner, GitTree) and self.workdir is not None:
            return self.workdir / (f"{owner.prefix.strip('/')}/" if owner.prefix else "") / path
        if self.root is not None:
            return self.root / path
        return None

    def report_path(self, path: str) -> str:
        owner = _owner(self.source.tree, path)
        if isinstance(owner, GitTree) and owner.local_path() is None:
            prefix = owner.prefix.strip("/")
            return f"{prefix}/{path}" if prefix else path
        absolute = self._absolute(path)
        if absolute is None or self.base is None:
            return path
        return _relative(absolute, self.base)

    def display_path(self, path: str) -> str:
        absolute = self._absolute(path)
        if absolute is None:
            return self.report_path(path)
        return _relative(absolute, self.cwd)
