"""Workspace source strings -> trees, with `extends` layering.

Forms: a local path (default: walk upward from the cwd), `file://PATH`,
`git+file://PATH#REF:SUBDIR`, `git+https://…` and `git+ssh://…` (same
fragment grammar, fetched with pygit2), `https://…` archives (`#:SUBDIR`).
Plain `http://` and `git+http://` are refused.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from .errors import SourceError
from .tree import MANIFEST, DirTree, GitTree, LayeredTree, MemoryTree, Tree

if TYPE_CHECKING:
    import pygit2

MAX_LAYERS = 32
# archive sources: download size, total and per-file unpacked size, entry count
ARCHIVE_MAX_BYTES = 32 * 1024 * 1024
ARCHIVE_MAX_UNPACKED = 64 * 1024 * 1024
ARCHIVE_MAX_FILE = 16 * 1024 * 1024
ARCHIVE_MAX_ENTRIES = 10_000
CHUNK = 64 * 1024
# git+https / git+ssh sources: what one clone may download
GIT_CLONE_MAX_BYTES = 256 * 1024 * 1024
GIT_CLONE_MAX_OBJECTS = 1_000_000


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
    refused: list[Refusal] = field(default_factory=list)  # extends entries not followed

    def verdict_key(self) -> str:
        """What besides the tree's files decides the lint verdict (for the lint cache)."""
        return "\n".join(f"refused {r.entry}\0{r.message}" for r in self.refused)


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


def _clone_remote(url: str, send_token: bool = False) -> pygit2.Repository:
    """Clone a git+https / git+ssh source into a temporary bare repository.

    https: when the server asks for credentials and `send_token` (the user named this
    source on the command line), `ROTOTO_WORKSPACE_TOKEN` is offered to that URL's
    origin only. ssh: keys come from the ssh agent (`SSH_AUTH_SOCK`). Each kind of
    credential is offered once; a refusal is one clear error, never a retry loop.
    """
    import atexit
    import os
    import shutil
    import tempfile

    import pygit2

    token = os.environ.get("ROTOTO_WORKSPACE_TOKEN") if send_token else None
    configured = origin_of(url)
    offered: set[str] = set()

    class Bounded(pygit2.RemoteCallbacks):
        """Stops a fetch that grows past the clone caps while it downloads."""

        def transfer_progress(self, stats: Any) -> None:
            if (
                stats.received_bytes > GIT_CLONE_MAX_BYTES
                or stats.total_objects > GIT_CLONE_MAX_OBJECTS
            ):
                raise SourceError(
                    f"git source is larger than {GIT_CLONE_MAX_BYTES} bytes or "
                    f"{GIT_CLONE_MAX_OBJECTS} objects: {url}"
                )

        def credentials(self, asked: str, username: str | None, allowed: Any) -> Any:
            kinds = pygit2.enums.CredentialType
            if allowed & kinds.SSH_KEY and "ssh" not in offered:
                offered.add("ssh")
                return pygit2.KeypairFromAgent(username or "git")
            if (
                allowed & kinds.USERPASS_PLAINTEXT
                and token
                and configured is not None
                and origin_of(asked) == configured
                and "token" not in offered
            ):
                offered.add("token")
                return pygit2.UserPass("x-access-token", token)
            what = (
                "the ssh key was refused"
                if "ssh" in offered
                else ("the token was refused" if "token" in offered else "credentials are required")
            )
            raise SourceError(f"cannot fetch {url}: authentication failed ({what})")

    target = tempfile.mkdtemp(prefix="rototo-git-")
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    try:
        return pygit2.clone_repository(url, target, bare=True, callbacks=Bounded())
    except (pygit2.GitError, OSError) as exc:
        reason = " ".join(str(exc).split())
        rejected = re.search(r"rejected certificate for (\S+)", reason)
        if rejected:  # libgit2 words an untrusted TLS certificate as a user decision
            reason = f"the TLS certificate of {rejected.group(1)} is not trusted"
        raise SourceError(f"cannot fetch {url}: {reason}") from None


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL: what "the same origin" compares."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def _redirect_handler(credential: tuple[str, str] | None, allowed: tuple[str, str, int] | None):  # type: ignore[no-untyped-def]
    """A redirect handler that judges each hop BEFORE it is followed.

    Only https targets are followed. The credential rides on a hop only when the
    hop stays on the configured origin; it is never copied to another host.
    """
    import urllib.request

    class Checked(urllib.request.HTTPRedirectHandler):
        max_redirections = 5

        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            target = urllib.parse.urljoin(req.full_url, newurl)
            where = origin_of(target)
            if where is None or where[0] != "https":
                raise SourceError(
                    f"download redirected to a non-https location; refused: {target[:200]}"
                )
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None:
                new.remove_header("Authorization")
                if credential is not None and where == allowed:
                    new.add_unredirected_header(*credential)
            return new

    return Checked()


def _fetch_archive(url: str, send_token: bool) -> bytes:
    """Download an archive: https only, redirects checked first, size bounded while reading.

    The workspace token is sent only when `send_token` (the URL is the source the user
    gave on the command line), and only to that URL's origin.
    """
    import os
    import urllib.request

    where = origin_of(url)
    if where is None or where[0] != "https":
        raise SourceError(f"insecure source refused (use https): {url}")
    token = os.environ.get("ROTOTO_WORKSPACE_TOKEN") if send_token else None
    credential = ("Authorization", f"Bearer {token}") if token else None
    request = urllib.request.Request(url)
    if credential is not None:
        request.add_unredirected_header(*credential)  # never copied to a redirect by urllib
    opener = urllib.request.build_opener(_redirect_handler(credential, where))
    chunks: list[bytes] = []
    total = 0
    try:
        with opener.open(request, timeout=30) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > ARCHIVE_MAX_BYTES:
                raise SourceError(f"archive is larger than {ARCHIVE_MAX_BYTES} bytes: {url}")
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > ARCHIVE_MAX_BYTES:
                    raise SourceError(f"archive is larger than {ARCHIVE_MAX_BYTES} bytes: {url}")
                chunks.append(chunk)
    except OSError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise SourceError(f"cannot download {url}: {reason}") from None
    return b"".join(chunks)


def _read_bounded(handle: IO[bytes], limit: int, name: str, label: str) -> bytes:
    """Read one archive member in chunks, refusing it once it passes `limit` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise SourceError(f"archive entry {name!r} unpacks past its size limit: {label}")
        chunks.append(chunk)


def unpack_archive(data: bytes, subdir: str, label: str) -> MemoryTree:
    """Unpack a tar(.gz) or zip archive into memory within entry, file and total limits.

    Sizes are judged from the entry headers before any content is read, and the
    content is then read in bounded chunks (a header may lie).
    """
    import io
    import tarfile
    import zipfile
    import zlib

    files: dict[str, bytes] = {}
    budget = {"entries": 0, "declared": 0, "read": 0}

    def admit(name: str, size: int) -> str | None:
        """Check an entry from its header; its clean path, or None to skip it."""
        budget["entries"] += 1
        if budget["entries"] > ARCHIVE_MAX_ENTRIES:
            raise SourceError(f"archive has more than {ARCHIVE_MAX_ENTRIES} entries: {label}")
        if size > ARCHIVE_MAX_FILE or size < 0:
            raise SourceError(
                f"archive entry {name!r} is larger than {ARCHIVE_MAX_FILE} bytes: {label}"
            )
        budget["declared"] += size
        if budget["declared"] > ARCHIVE_MAX_UNPACKED:
            raise SourceError(f"archive unpacks to more than {ARCHIVE_MAX_UNPACKED} bytes: {label}")
        try:
            clean = clean_subdir(name)
        except SourceError:
            raise SourceError(f"archive entry escapes the archive: {name!r}") from None
        return clean or None

    def store(clean: str, content: bytes) -> None:
        budget["read"] += len(content)
        if budget["read"] > ARCHIVE_MAX_UNPACKED:
            raise SourceError(f"archive unpacks to more than {ARCHIVE_MAX_UNPACKED} bytes: {label}")
        files[clean] = content

    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as zipped:
                infos = zipped.infolist()
                if len(infos) > ARCHIVE_MAX_ENTRIES:
                    raise SourceError(
                        f"archive has more than {ARCHIVE_MAX_ENTRIES} entries: {label}"
                    )
                admitted = []
                for info in infos:  # every header first: nothing is read before all pass
                    clean = admit(info.filename, info.file_size)
                    mode = (info.external_attr >> 16) & 0o170000
                    if clean and not info.is_dir() and mode in (0, 0o100000):
                        admitted.append((clean, info))
                for clean, info in admitted:
                    with zipped.open(info) as handle:
                        store(clean, _read_bounded(handle, info.file_size, info.filename, label))
        else:
            with tarfile.open(fileobj=io.BytesIO(data)) as tarred:
                while True:
                    member = tarred.next()  # one header at a time, never the whole index
                    if member is None:
                        break
                    clean = admit(member.name, member.size if member.isfile() else 0)
                    if clean and member.isfile():
                        content = tarred.extractfile(member)
                        if content is not None:
                            store(clean, _read_bounded(content, member.size, member.name, label))
                    tarred.members.clear()  # type: ignore[attr-defined]  # else kept forever
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise SourceError(f"not a readable tar or zip archive: {label}") from None
    except (RuntimeError, NotImplementedError, ValueError) as exc:  # encrypted, odd methods
        raise SourceError(f"cannot unpack archive {label}: {exc}") from None
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


def open_single(source: str, cwd: Path, *, trusted: bool = False) -> OpenedTree:
    """Open one source string (no layering).

    `trusted`: the user named this source on the command line, so the workspace
    token may be sent to its origin. Sources taken from workspace content never are.
    """
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
        repo = _clone_remote(url, send_token=trusted)
        return _git_tree_at(repo, ref, subdir, source.partition("#")[0])
    if lowered.startswith("https://"):
        url, _, fragment = source.partition("#")
        if fragment and not fragment.startswith(":"):
            raise SourceError(f"archive sources take only a #:SUBDIR fragment: {source}")
        subdir = clean_subdir(fragment[1:]) if fragment else ""
        tree = unpack_archive(_fetch_archive(url, send_token=trusted), subdir, url)
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
    if b"extends" not in data and b"\\" not in data:
        return []  # no key can spell `extends`: spare the TOML import
    import tomllib

    try:
        manifest = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: a huge integer too
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


def is_remote(source: str) -> bool:
    """Whether a source string names something off this machine."""
    lowered = source.lower()
    return "://" in lowered and not lowered.startswith(("file://", "git+file://"))


@dataclass(frozen=True)
class Refusal:
    """An `extends` entry not followed; reported as a lint error on the top manifest."""

    entry: str  # the top manifest's extends entry through which it was reached
    message: str

    def to_json(self) -> dict[str, str]:
        return {"entry": self.entry, "message": self.message}


class Confinement:
    """Where `extends` may lead without --allow-external-extends (SPEC §8 "No escape").

    `repository` is the work tree of the git repository holding a local top
    workspace (None when it is in no repository: its local parents are followed
    as the reference follows them). A top workspace read from git objects or
    downloaded is confined to what it was read from.

    The repository is looked up when a local parent first asks for it: a workspace
    without `extends` (every pre-commit run on one) never imports pygit2.
    """

    def __init__(self, directory: Path | None, allow_external: bool) -> None:
        self.allow_external = allow_external
        self._directory = directory
        self._facts: tuple[bool, Path | None] | None = None

    def _lookup(self) -> tuple[bool, Path | None]:
        if self._facts is None:
            self._facts = (False, None)
            if self._directory is not None:
                import pygit2

                try:
                    found = pygit2.discover_repository(str(self._directory))
                    workdir = pygit2.Repository(found).workdir if found else None
                except (pygit2.GitError, OSError):
                    workdir = None
                self._facts = (False, Path(workdir).resolve()) if workdir else (True, None)
        return self._facts

    @property
    def local_free(self) -> bool:
        """Local parents are followed without a check (no repository)."""
        return self._lookup()[0]

    @property
    def repository(self) -> Path | None:
        return self._lookup()[1]


def _confinement(top: OpenedTree, allow_external: bool) -> Confinement:
    return Confinement(top.directory, allow_external)


def _local_path(source: str, base: Path) -> Path | None:
    """The file system path a local source string names (None for a remote one)."""
    lowered = source.lower()
    if lowered.startswith("git+file://"):
        raw = urllib.parse.unquote(source[len("git+file://") :].partition("#")[0])
    elif lowered.startswith("file://"):
        raw = urllib.parse.unquote(source[len("file://") :])
    elif "://" in source:
        return None
    else:
        raw = source
    path = Path(raw)
    return path if path.is_absolute() else base / path


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _open_parent(source: str, child: OpenedTree, cwd: Path, rules: Confinement) -> OpenedTree | str:
    """The parent a manifest names, or why it is refused (a message)."""
    flag = "; pass --allow-external-extends to follow it"
    if is_remote(source):
        if not rules.allow_external:
            return f"workspace extends a remote source {source!r}{flag}"
        return open_single(source, cwd)
    if child.git is not None:
        if _is_relative_local(source):
            # a relative parent of a git-backed workspace is read from the same commit
            base = PurePosixPath(child.git.subdir) if child.git.subdir else PurePosixPath()
            try:
                subdir = clean_subdir((base / source).as_posix())
            except SourceError:
                subdir = None
            if subdir is not None:
                return _git_tree_at(child.git.repo, child.git.commit, subdir, child.tree.label)
            if not rules.allow_external:
                return f"workspace extends {source!r}, which leaves the repository{flag}"
            workdir = child.git.repo.workdir
            if not workdir:
                raise SourceError(
                    f"relative extends {source!r} leaves the bare repository {child.tree.label}"
                )
            return open_single(str(Path(workdir) / (child.git.subdir or ".") / source), cwd)
        if not rules.allow_external:
            return f"workspace extends {source!r}, outside the git revision it is read from{flag}"
        return open_single(source, cwd)
    if child.directory is None:  # a downloaded archive: local paths are not its to name
        if not rules.allow_external:
            return f"workspace extends the local path {source!r} from a downloaded source{flag}"
        if _is_relative_local(source):
            raise SourceError(
                f"relative extends {source!r} cannot be resolved from {child.tree.label}"
            )
        return open_single(source, cwd)
    target = _local_path(source, child.directory)
    assert target is not None
    if not rules.local_free and not rules.allow_external:
        if rules.repository is None or not _inside(target, rules.repository):
            return f"workspace extends {source!r}, which leaves the repository{flag}"
    if _is_relative_local(source):
        return open_single(str(target), cwd)
    return open_single(source, cwd)


def open_layers(
    top: OpenedTree,
    cwd: Path,
    *,
    allow_external: bool = False,
    refused: list[Refusal] | None = None,
) -> list[OpenedTree]:
    """Expand `extends` depth-first into projection order: parents first.

    Parents outside the repository that holds the workspace, and remote ones, are
    not followed unless `allow_external`; each is recorded in `refused` (an error
    when no list is given).
    """
    rules = _confinement(top, allow_external)
    order: list[OpenedTree] = []
    seen: set[str] = set()

    def visit(node: OpenedTree, stack: tuple[str, ...], via: str | None) -> None:
        if node.identity in stack:
            raise SourceError(f"workspace extends forms a cycle at {node.tree.label}")
        if node.identity in seen:
            return
        for parent_source in _manifest_extends(node):
            parent = _open_parent(parent_source, node, cwd, rules)
            if isinstance(parent, str):
                if refused is None:
                    raise SourceError(parent)
                refused.append(Refusal(via or parent_source, parent))
                continue
            visit(parent, (*stack, node.identity), via or parent_source)
        seen.add(node.identity)
        order.append(node)
        if len(order) > MAX_LAYERS:
            raise SourceError(f"workspace extends more than {MAX_LAYERS} layers")

    visit(top, (), None)
    return order


def project(top: OpenedTree, cwd: Path, display: str, *, allow_external: bool = False) -> Source:
    """A top workspace with its parents projected into one tree."""
    refused: list[Refusal] = []
    layers = open_layers(top, cwd, allow_external=allow_external, refused=refused)
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
        refused=refused,
    )


def open_source(
    source: str | None,
    cwd: Path | None = None,
    rev: str | None = None,
    *,
    allow_external_extends: bool = False,
) -> Source:
    """Open a workspace source (optionally at a git revision) with its layers projected."""
    cwd = cwd or Path.cwd()
    if source is None:
        top = _open_directory(find_workspace_root(cwd))
        display = str(top.directory)
    else:
        top = open_single(source, cwd, trusted=True)
        display = str(top.directory) if top.directory is not None else source
    if rev is not None:
        if top.directory is None:
            raise SourceError("--rev reads a local workspace; give a local path as the source")
        top = open_at_revision(top.directory, rev)
    return project(top, cwd, display, allow_external=allow_external_extends)


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
