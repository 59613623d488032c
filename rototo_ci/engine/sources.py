"""Workspace source strings -> trees, with `extends` layering.

Forms: a local path (default: walk upward from the cwd), `file://PATH`,
`git+file://PATH#REF:SUBDIR`, `git+https://…` and `git+ssh://…` (same
fragment grammar, fetched with pygit2), `https://…` archives (`#:SUBDIR`).
Plain `http://` and `git+http://` are refused.
"""

from __future__ import annotations

import io
import re
import tarfile
import tempfile
import tomllib
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .errors import SourceError
from .tree import MANIFEST, DirTree, GitTree, LayeredTree, MemoryTree, Tree

if TYPE_CHECKING:
    import pygit2

MAX_LAYERS = 32
ARCHIVE_MAX_BYTES = 50 * 1024 * 1024
ARCHIVE_MAX_UNPACKED = 200 * 1024 * 1024
ARCHIVE_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class GitLocation:
    """Where a git-backed tree lives, so relative `extends` can stay in that repo."""

    repo: pygit2.Repository
    commit: str
    subdir: str  # POSIX path inside the repository, "" for the root


@dataclass
class OpenedTree:
    tree: Tree
    identity: str
    git: GitLocation | None = None
    directory: Path | None = None


@dataclass
class Source:
    """A workspace ready to load: its projected tree and how to describe it."""

    tree: Tree
    display: str
    layers: list[str] = field(default_factory=list)
    root: Path | None = None


def find_workspace_root(start: Path) -> Path:
    """Walk upward from `start` to the nearest directory holding the manifest."""
    current = start.resolve()
    for candidate in (current, *current.parents):
        if (candidate / MANIFEST).is_file():
            return candidate
    raise SourceError(
        f"no {MANIFEST} found in {current} or any parent directory; pass a workspace path"
    )


def split_fragment(fragment: str) -> tuple[str | None, str]:
    """`REF:SUBDIR`, `REF`, `:SUBDIR` -> (ref or None, subdir)."""
    raw_ref, _, subdir = fragment.partition(":")
    ref = raw_ref or None
    if ref is not None and ref.startswith("-"):
        raise SourceError(f"git ref must not start with '-': {ref}")
    return ref, clean_subdir(subdir)


def clean_subdir(subdir: str) -> str:
    """Normalize a relative subdirectory, refusing anything that leaves its root."""
    if not subdir:
        return ""
    if subdir.startswith("/") or "\\" in subdir or "\x00" in subdir:
        raise SourceError(f"subdirectory must be a relative path inside the source: {subdir}")
    parts: list[str] = []
    for part in PurePosixPath(subdir).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise SourceError(f"subdirectory escapes the source: {subdir}")
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def _git_tree_at(repo: pygit2.Repository, ref: str | None, subdir: str, label: str) -> OpenedTree:
    import pygit2

    spec = ref or "HEAD"
    if spec.startswith("-"):
        raise SourceError(f"git ref must not start with '-': {spec}")
    try:
        obj = repo.revparse_single(spec)
        commit = obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise SourceError(f"cannot resolve git revision {spec!r} in {label}") from None
    tree = commit.tree
    if subdir:
        try:
            found = repo[commit.tree[subdir].id]
        except KeyError:
            raise SourceError(f"no directory {subdir!r} at {spec} in {label}") from None
        if not isinstance(found, pygit2.Tree):
            raise SourceError(f"{subdir!r} at {spec} is not a directory in {label}")
        tree = found
    sha = str(commit.id)
    location = GitLocation(repo, sha, subdir)
    display = f"{label}#{spec}" + (f":{subdir}" if subdir else "")
    return OpenedTree(
        GitTree(repo, tree, display, commit=sha, prefix=subdir),
        identity=f"git:{repo.path}:{sha}:{subdir}",
        git=location,
    )


def _open_repository(path: str) -> pygit2.Repository:
    import pygit2

    try:
        return pygit2.Repository(path)
    except (pygit2.GitError, KeyError, OSError):
        raise SourceError(f"not a git repository: {path}") from None


def _clone_remote(url: str) -> pygit2.Repository:
    import atexit
    import shutil

    import pygit2

    target = tempfile.mkdtemp(prefix="rototo-git-")
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    try:
        return pygit2.clone_repository(url, target, bare=True)
    except (pygit2.GitError, OSError) as exc:
        raise SourceError(f"cannot fetch {url}: {exc}") from None


def _fetch_archive(url: str) -> bytes:
    import os
    import urllib.request

    request = urllib.request.Request(url)
    token = os.environ.get("ROTOTO_WORKSPACE_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            if not response.geturl().startswith("https://"):
                raise SourceError("archive download redirected away from https")
            data: bytes = response.read(ARCHIVE_MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot download {url}: {exc}") from None
    if len(data) > ARCHIVE_MAX_BYTES:
        raise SourceError(f"archive is larger than {ARCHIVE_MAX_BYTES} bytes: {url}")
    return data


def unpack_archive(data: bytes, subdir: str, label: str) -> MemoryTree:
    """Unpack a tar(.gz) or zip archive into memory, within entry and size limits."""
    files: dict[str, bytes] = {}
    total = 0

    def add(name: str, content: bytes) -> None:
        nonlocal total
        total += len(content)
        if total > ARCHIVE_MAX_UNPACKED or len(files) >= ARCHIVE_MAX_ENTRIES:
            raise SourceError(f"archive exceeds its unpacking limits: {label}")
        try:
            clean = clean_subdir(name)
        except SourceError:
            raise SourceError(f"archive entry escapes the archive: {name}") from None
        if clean:
            files[clean] = content

    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as zipped:
                for info in zipped.infolist():
                    if not info.is_dir():
                        add(info.filename, zipped.read(info))
        else:
            with tarfile.open(fileobj=io.BytesIO(data)) as tarred:
                for member in tarred:
                    if member.isfile():
                        handle = tarred.extractfile(member)
                        if handle is not None:
                            add(member.name, handle.read())
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError):
        raise SourceError(f"not a readable tar or zip archive: {label}") from None
    roots = {p.rsplit("/", 1)[0] if "/" in p else "" for p in files if p.endswith(MANIFEST)}
    if not subdir:
        if MANIFEST not in files and len(roots) == 1:
            subdir = roots.pop()
        elif MANIFEST not in files and len(roots) > 1:
            raise SourceError(f"archive holds several workspaces; pick one with #:SUBDIR: {label}")
    if subdir:
        prefix = subdir + "/"
        files = {p[len(prefix) :]: c for p, c in files.items() if p.startswith(prefix)}
    return MemoryTree(files, label)


def open_single(source: str, cwd: Path) -> OpenedTree:
    """Open one source string (no layering)."""
    if not source or source != source.strip():
        raise SourceError(f"workspace source must be a nonblank string without padding: {source!r}")
    lowered = source.lower()
    if lowered.startswith(("http://", "git+http://")):
        raise SourceError(f"insecure source refused (use https): {source}")
    if lowered.startswith("git+file://"):
        rest = source[len("git+file://") :]
        location, _, fragment = rest.partition("#")
        ref, subdir = split_fragment(fragment)
        path = Path(urllib.parse.unquote(location))
        if not path.is_absolute():
            path = cwd / path
        repo = _open_repository(str(path))
        return _git_tree_at(repo, ref, subdir, source.partition("#")[0])
    if lowered.startswith(("git+https://", "git+ssh://")):
        url, _, fragment = source[len("git+") :].partition("#")
        ref, subdir = split_fragment(fragment)
        repo = _clone_remote(url)
        return _git_tree_at(repo, ref, subdir, source.partition("#")[0])
    if lowered.startswith("https://"):
        url, _, fragment = source.partition("#")
        if fragment and not fragment.startswith(":"):
            raise SourceError(f"archive sources take only a #:SUBDIR fragment: {source}")
        subdir = clean_subdir(fragment[1:]) if fragment else ""
        tree = unpack_archive(_fetch_archive(url), subdir, url)
        return OpenedTree(tree, identity=f"archive:{source}")
    if lowered.startswith("file://"):
        rest = source[len("file://") :]
        if "#" in rest:
            raise SourceError(f"file:// sources do not take a fragment: {source}")
        path = Path(urllib.parse.unquote(rest))
        return _open_directory(path if path.is_absolute() else cwd / path)
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", source)
    if scheme and not Path(source).exists():
        raise SourceError(f"unsupported workspace source scheme: {scheme.group(1)}://")
    path = Path(source)
    return _open_directory(path if path.is_absolute() else cwd / path)


def _open_directory(path: Path) -> OpenedTree:
    if not path.exists():
        raise SourceError(f"workspace path does not exist: {path}")
    if not path.is_dir():
        raise SourceError(f"workspace path is not a directory: {path}")
    resolved = path.resolve()
    if not (resolved / MANIFEST).is_file():
        raise SourceError(f"not a rototo workspace (no {MANIFEST}): {path}")
    return OpenedTree(DirTree(resolved), identity=f"dir:{resolved}", directory=resolved)


def _manifest_extends(opened: OpenedTree) -> list[str]:
    """The parents a manifest declares; a malformed manifest declares none.

    Lint reports malformed manifests (parse and shape diagnostics), which also
    keeps such a workspace from loading.
    """
    if MANIFEST not in opened.tree.files():  # listing first: a walk past its caps says so
        raise SourceError(f"workspace has no {MANIFEST}: {opened.tree.label}")
    data = opened.tree.read(MANIFEST)
    try:
        manifest = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    extends = manifest.get("extends")
    if not isinstance(extends, list):
        return []
    return [
        entry
        for entry in extends
        if isinstance(entry, str) and entry.strip() and entry == entry.strip()
    ]


def _is_relative_local(source: str) -> bool:
    return "://" not in source and not source.startswith("/")


def _open_parent(source: str, child: OpenedTree, cwd: Path) -> OpenedTree:
    if child.git is not None and _is_relative_local(source):
        # a relative parent of a git-backed workspace is read from the same commit
        base = PurePosixPath(child.git.subdir) if child.git.subdir else PurePosixPath()
        joined = (base / source).as_posix()
        try:
            subdir = clean_subdir(joined)
        except SourceError:
            raise SourceError(f"extends path escapes the repository: {source}") from None
        return _git_tree_at(child.git.repo, child.git.commit, subdir, child.tree.label)
    if child.directory is not None and _is_relative_local(source):
        return open_single(str(child.directory / source), cwd)
    if _is_relative_local(source):
        raise SourceError(f"relative extends {source!r} cannot be resolved from {child.tree.label}")
    return open_single(source, cwd)


def open_layers(top: OpenedTree, cwd: Path) -> list[OpenedTree]:
    """Expand `extends` depth-first into projection order: parents first."""
    order: list[OpenedTree] = []
    seen: set[str] = set()

    def visit(node: OpenedTree, stack: tuple[str, ...]) -> None:
        if node.identity in stack:
            raise SourceError(f"workspace extends forms a cycle at {node.tree.label}")
        if node.identity in seen:
            return
        for parent_source in _manifest_extends(node):
            parent = _open_parent(parent_source, node, cwd)
            visit(parent, (*stack, node.identity))
        seen.add(node.identity)
        order.append(node)
        if len(order) > MAX_LAYERS:
            raise SourceError(f"workspace extends more than {MAX_LAYERS} layers")

    visit(top, ())
    return order


def open_source(source: str | None, cwd: Path | None = None, rev: str | None = None) -> Source:
    """Open a workspace source (optionally at a git revision) with its layers projected."""
    cwd = cwd or Path.cwd()
    if source is None:
        top = _open_directory(find_workspace_root(cwd))
        display = str(top.directory)
    else:
        top = open_single(source, cwd)
        display = str(top.directory) if top.directory is not None else source
    if rev is not None:
        if top.directory is None:
            raise SourceError("--rev reads a local workspace; give a local path as the source")
        top = open_at_revision(top.directory, rev)
    layers = open_layers(top, cwd)
    tree: Tree = (
        layers[0].tree
        if len(layers) == 1
        else LayeredTree([layer.tree for layer in layers], display)
    )
    return Source(
        tree=tree,
        display=display,
        layers=[layer.tree.label for layer in layers],
        root=top.directory,
    )


def open_at_revision(directory: Path, rev: str) -> OpenedTree:
    """The workspace at `directory`, read from git objects at `rev` (no checkout)."""
    import pygit2

    if rev.startswith("-"):
        raise SourceError(f"git revision must not start with '-': {rev}")
    found = pygit2.discover_repository(str(directory))
    if found is None:
        raise SourceError(f"--rev needs a git repository, and {directory} is not inside one")
    repo = pygit2.Repository(found)
    if repo.workdir is None:
        raise SourceError(f"repository at {found} has no working tree")
    workdir = Path(repo.workdir).resolve()
    subdir = directory.resolve().relative_to(workdir).as_posix()
    return _git_tree_at(repo, rev, "" if subdir == "." else subdir, str(workdir))
