"""Read-only file trees: a directory, a git tree at a commit, a layered projection.

Every tree lists regular files by workspace-relative POSIX path and reads them
as bytes. Nothing outside the tree's root can be listed or read: symlinks that
leave the root and git links (symlinks, submodules) are not part of a tree.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import SourceError

if TYPE_CHECKING:
    import pygit2

MAX_FILE_BYTES = 64 * 1024 * 1024
_GIT_OBJECT_BLOB = 3  # the object type of a file's contents in git
# files read for their blob id are kept for the parse only when small: a hostile tree of
# many large files must not be held in memory all at once
HOLD_BYTES = 256 * 1024
# A git tree may reuse one subtree under many names ("tree bomb"): a walk that
# follows every name visits exponentially many entries. Walks stop at these caps.
MAX_GIT_TREE_ENTRIES = 500_000
MAX_GIT_TREE_DEPTH = 256


class TreeWalkBudget:
    """Counts the git tree entries and depth one walk visits; raises past the caps."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.visited = 0

    def visit(self, count: int, depth: int) -> None:
        self.visited += count
        if self.visited > MAX_GIT_TREE_ENTRIES:
            raise SourceError(
                f"git tree {self.label} has more than {MAX_GIT_TREE_ENTRIES} entries "
                "to visit; refusing to walk it"
            )
        if depth > MAX_GIT_TREE_DEPTH:
            raise SourceError(
                f"git tree {self.label} nests directories deeper than {MAX_GIT_TREE_DEPTH} "
                "levels; refusing to walk it"
            )


def walk_git_tree(repo: Any, tree: Any, label: str) -> Iterator[tuple[str, Any]]:
    """(path, entry) of every file (blob) below a git tree, within the walk's caps.

    A crafted tree is hostile (SPEC §8): names that are empty, "." or "..", or hold a
    "/" are passed over (they would name a path outside the tree), and a directory
    entry that names anything but a tree refuses the whole tree. Symlinks and
    submodules are never part of a workspace.
    """
    import pygit2

    budget = TreeWalkBudget(label)
    stack: list[tuple[str, pygit2.Tree]] = [("", tree)]
    while stack:
        base, current = stack.pop()
        budget.visit(len(current), base.count("/"))
        for entry in current:
            name = entry.name or ""
            if name in ("", ".", "..") or "/" in name:
                continue
            path = f"{base}{name}"
            if entry.filemode == pygit2.enums.FileMode.TREE:
                subtree = repo.get(entry.id)
                if not isinstance(subtree, pygit2.Tree):
                    raise SourceError(
                        f"git tree {label} names a directory that is not a tree: {path}"
                    )
                stack.append((path + "/", subtree))
            elif entry.filemode in (
                pygit2.enums.FileMode.BLOB,
                pygit2.enums.FileMode.BLOB_EXECUTABLE,
            ):
                yield path, entry


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes, so files on disk and in commits compare directly."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


class Tree(Protocol):
    """A read-only view of one workspace's files."""

    label: str

    def files(self) -> list[str]: ...

    def read(self, path: str) -> bytes: ...

    def blob_id(self, path: str) -> str: ...

    def local_path(self) -> Path | None: ...


def _is_safe_relpath(path: str) -> bool:
    parts = path.split("/")
    return (
        bool(path)
        and not path.startswith("/")
        and all(part not in ("", ".", "..") for part in parts)
    )


class DirTree:
    """A directory on disk; symlinks are followed only while they stay inside it."""

    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = root.resolve()
        self.label = label if label is not None else str(self.root)
        self._files: list[str] | None = None
        self._listed: set[str] = set()
        self._escaping: set[str] = set()
        self._ids: dict[str, str] = {}
        self._held: dict[str, bytes] = {}

    def local_path(self) -> Path | None:
        return self.root

    def _inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def files(self) -> list[str]:
        if self._files is None:
            found: list[str] = []
            # os.scandir: the entry type comes with the listing, no stat per plain file
            pending = [(str(self.root), "")]
            while pending:
                directory, rel_dir = pending.pop()
                try:
                    entries = list(os.scandir(directory))
                except OSError:
                    continue
                for entry in entries:
                    rel = entry.name if not rel_dir else f"{rel_dir}/{entry.name}"
                    try:
                        if entry.is_symlink():
                            if entry.is_dir():
                                continue  # a linked directory is neither listed nor entered
                            if not self._inside(Path(entry.path)):
                                # listed so that lint can report it; never read
                                self._escaping.add(rel)
                                found.append(rel)
                                continue
                            if entry.is_file():  # a link inside the workspace, to a file
                                found.append(rel)
                        elif entry.is_dir(follow_symlinks=False):
                            if entry.name != ".git":
                                pending.append((entry.path, rel))
                        elif entry.is_file(follow_symlinks=False):
                            found.append(rel)
                    except OSError:
                        continue
            self._files = sorted(found)
            self._listed = set(found) - self._escaping
        return self._files

    def _path(self, path: str) -> Path:
        if path in self._escaping:
            raise SourceError(f"refusing to read {path}: path escapes workspace")
        if path in self._listed:  # checked when listed: a regular file or an inside link
            return self.root / path
        if not _is_safe_relpath(path):
            raise SourceError(f"refusing to read path outside the workspace: {path}")
        full = self.root / path
        if not self._inside(full):
            raise SourceError(f"refusing to read path outside the workspace: {path}")
        return full

    def read(self, path: str) -> bytes:
        held = self._held.pop(path, None)  # read once already, for its blob id
        if held is not None:
            return held
        full = self._path(path)
        try:
            with open(full, "rb") as handle:  # a plain read; the size from the open file
                size = os.fstat(handle.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    raise SourceError(f"file is too large to read ({size} bytes): {path}")
                return handle.read()
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc

    def blob_id(self, path: str) -> str:
        cached = self._ids.get(path)
        if cached is None:
            data = self.read(path)
            cached = git_blob_id(data)
            self._ids[path] = cached
            if len(data) <= HOLD_BYTES:  # the parse that usually follows need not read it again
                self._held[path] = data
        return cached


class GitTree:
    """A directory inside one git tree object, read straight from the object store."""

    def __init__(
        self,
        repo: pygit2.Repository,
        tree: pygit2.Tree,
        label: str,
        commit: str | None = None,
        prefix: str = "",
    ) -> None:
        self.repo = repo
        self.tree = tree
        self.label = label
        self.commit = commit
        self.prefix = prefix
        self._entries: dict[str, str] | None = None

    def local_path(self) -> Path | None:
        return None

    def _walk(self) -> dict[str, str]:
        if self._entries is None:
            self._entries = {
                path: str(entry.id)
                for path, entry in walk_git_tree(self.repo, self.tree, self.label)
            }
        return self._entries

    def files(self) -> list[str]:
        return sorted(self._walk())

    def blob_id(self, path: str) -> str:
        try:
            return self._walk()[path]
        except KeyError:
            raise SourceError(f"no such file in {self.label}: {path}") from None

    def read(self, path: str) -> bytes:
        # the raw object, without building a Blob: its type checked, since a crafted tree
        # can name any object under a file's mode
        oid = self.blob_id(path)
        try:
            kind, data = self.repo.read(oid)
        except KeyError:  # an object the repository lacks (pygit2's NotFoundError)
            raise SourceError(f"no such object in {self.label}: {path}") from None
        if kind != _GIT_OBJECT_BLOB:
            raise SourceError(f"not a file in {self.label}: {path}")
        if len(data) > MAX_FILE_BYTES:
            raise SourceError(f"file is too large to read ({len(data)} bytes): {path}")
        return data


class MemoryTree:
    """Files held in memory (archives, tests)."""

    def __init__(self, files: dict[str, bytes], label: str = "<memory>") -> None:
        self._data = dict(files)
        self.label = label

    def local_path(self) -> Path | None:
        return None

    def files(self) -> list[str]:
        return sorted(self._data)

    def read(self, path: str) -> bytes:
        try:
            return self._data[path]
        except KeyError:
            raise SourceError(f"no such file in {self.label}: {path}") from None

    def blob_id(self, path: str) -> str:
        return git_blob_id(self.read(path))


MANIFEST = "rototo-workspace.toml"


class LayeredTree:
    """Parent layers first, the child last; a later layer replaces a path wholesale.

    Parent manifests are not projected: the child's manifest is the root manifest.
    """

    def __init__(self, layers: Iterable[Tree], label: str) -> None:
        self.layers = list(layers)
        self.label = label
        owner: dict[str, Tree] = {}
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            for path in layer.files():
                if path == MANIFEST and index != last:
                    continue
                owner[path] = layer
        self._owner = owner

    def local_path(self) -> Path | None:
        return self.layers[-1].local_path() if len(self.layers) == 1 else None

    def files(self) -> list[str]:
        return sorted(self._owner)

    def owner(self, path: str) -> Tree:
        """The layer whose file `path` is (where it really lives)."""
        return self._layer(path)

    def _layer(self, path: str) -> Tree:
        try:
            return self._owner[path]
        except KeyError:
            raise SourceError(f"no such file in {self.label}: {path}") from None

    def read(self, path: str) -> bytes:
        return self._layer(path).read(path)

    def blob_id(self, path: str) -> str:
        return self._layer(path).blob_id(path)
