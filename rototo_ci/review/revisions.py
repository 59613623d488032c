"""Git ranges with git's meaning, read straight from the object store with pygit2.

`A..B` compares A with B; `A...B` compares merge-base(A, B) with B; `A`
compares A with the working tree; nothing compares HEAD with the working tree.
Refs are resolved by pygit2 and never reach a shell.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.errors import SourceError
from ..engine.sources import OpenedTree
from ..engine.tree import MANIFEST, DirTree, GitTree, Tree, walk_git_tree

if TYPE_CHECKING:
    import pygit2

WORKTREE = "WORKTREE"


@dataclass
class Side:
    """One side of a comparison: a commit's tree, or the working tree."""

    rev: str
    commit: str | None
    repo: pygit2.Repository
    tree: pygit2.Tree | None  # None for the working tree

    @property
    def is_worktree(self) -> bool:
        return self.tree is None

    def to_json(self) -> dict[str, str | None]:
        return {"rev": self.rev, "commit": self.commit}

    def workspace_dirs(self) -> list[str]:
        """Every directory (repo-relative, "" for the root) holding a workspace manifest."""
        if self.tree is None:
            return _worktree_workspaces(self.repo)
        found = [
            path.rpartition("/")[0]
            for path, _ in walk_git_tree(self.repo, self.tree, self.rev)
            if path.rpartition("/")[2] == MANIFEST
        ]
        return sorted(found)

    def opened(self, subdir: str) -> OpenedTree | None:
        """The workspace at `subdir` on this side, or None when it is absent."""
        if self.tree is None:
            root = Path(self.repo.workdir or ".") / subdir
            if not (root / MANIFEST).is_file():
                return None
            resolved = root.resolve()
            return OpenedTree(
                DirTree(resolved, label=subdir or "."),
                identity=f"dir:{resolved}",
                directory=resolved,
            )
        import pygit2

        from ..engine.sources import GitLocation

        tree: pygit2.Object = self.tree
        if subdir:
            try:
                tree = self.repo[self.tree[subdir].id]
            except KeyError:
                return None
            if not isinstance(tree, pygit2.Tree):
                return None
        try:
            tree[MANIFEST]  # type: ignore[index]
        except KeyError:
            return None
        assert self.commit is not None
        label = f"{self.rev}:{subdir or '.'}"
        git_tree: Tree = GitTree(
            self.repo,
            tree,
            label,
            commit=self.commit,  # type: ignore[arg-type]
            prefix=subdir,
        )
        return OpenedTree(
            git_tree,
            identity=f"git:{self.repo.path}:{self.commit}:{subdir}",
            git=GitLocation(self.repo, self.commit, subdir),
        )


def _ignored(repo: pygit2.Repository, path: str) -> bool:
    """Whether git ignores `path`; a name that is not UTF-8 (lone surrogates, which
    libgit2 cannot be given) counts as not ignored: it is listed, never a crash."""
    try:
        return bool(repo.path_is_ignored(path))
    except UnicodeEncodeError:
        return False


def _worktree_workspaces(repo: pygit2.Repository) -> list[str]:
    workdir = Path(repo.workdir or ".")
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(workdir):
        rel = Path(dirpath).relative_to(workdir).as_posix()
        rel = "" if rel == "." else rel
        kept = []
        for name in dirnames:
            child = f"{rel}/{name}" if rel else name
            if name == ".git" or _ignored(repo, child + "/"):
                continue
            kept.append(name)
        dirnames[:] = sorted(kept)
        if MANIFEST in filenames and not _ignored(repo, f"{rel}/{MANIFEST}" if rel else MANIFEST):
            found.append(rel)
    return sorted(found)


def open_repository(start: Path) -> pygit2.Repository:
    import pygit2

    found = pygit2.discover_repository(str(start))
    if found is None:
        raise SourceError(f"not inside a git repository: {start}")
    return pygit2.Repository(found)


def _resolve(repo: pygit2.Repository, spec: str) -> pygit2.Commit:
    import pygit2

    if not spec or spec.startswith("-"):
        raise SourceError(f"invalid revision: {spec!r}")
    try:
        obj = repo.revparse_single(spec)
    except (KeyError, ValueError, pygit2.InvalidSpecError, pygit2.GitError):
        hint = ""
        if repo.is_shallow:
            hint = " (this is a shallow clone: fetch the missing history, e.g. with a deeper fetch)"
        raise SourceError(f"unknown revision {spec!r}{hint}") from None
    try:
        commit = obj.peel(pygit2.Commit)
    except (pygit2.GitError, ValueError, TypeError):
        raise SourceError(f"revision {spec!r} does not name a commit") from None
    return commit


def _side(repo: pygit2.Repository, spec: str, commit: pygit2.Commit) -> Side:
    return Side(rev=spec, commit=str(commit.id), repo=repo, tree=commit.tree)


def parse_range(repo: pygit2.Repository, text: str | None) -> tuple[Side, Side]:
    """(base, head) for a range expression."""
    worktree = Side(rev=WORKTREE, commit=None, repo=repo, tree=None)
    if text is None or text == "":
        if repo.head_is_unborn:
            raise SourceError("the repository has no commits yet; name a range")
        return _side(repo, "HEAD", _resolve(repo, "HEAD")), worktree
    if "..." in text:
        left, right = text.split("...", 1)
        left, right = left or "HEAD", right or "HEAD"
        a, b = _resolve(repo, left), _resolve(repo, right)
        try:
            base_id = repo.merge_base(a.id, b.id)
        except Exception:  # pygit2 raises GitError subclasses for missing history
            base_id = None
        if base_id is None:
            hint = " (shallow clone: fetch more history)" if repo.is_shallow else ""
            raise SourceError(f"no merge base between {left!r} and {right!r}{hint}")
        base_commit = _resolve(repo, str(base_id))
        # the base keeps the name the user gave; its commit is the merge base
        return Side(rev=left, commit=str(base_id), repo=repo, tree=base_commit.tree), _side(
            repo, right, b
        )
    if ".." in text:
        left, right = text.split("..", 1)
        left, right = left or "HEAD", right or "HEAD"
        return _side(repo, left, _resolve(repo, left)), _side(repo, right, _resolve(repo, right))
    return _side(repo, text, _resolve(repo, text)), worktree
