"""A content-hash cache for lint reports: an unchanged tree is not parsed or linted again.

The key is every (path, git blob id) of the projected tree plus the rototo-ci
version, so any edit, added or removed file misses. Entries live under
$ROTOTO_CACHE_DIR (default: $XDG_CACHE_HOME/rototo-ci or ~/.cache/rototo-ci);
ROTOTO_NO_CACHE=1 turns the cache off. A broken entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..engine.diagnostics import Diagnostic, Related
from ..engine.documents import Document, Position, Range
from ..engine.errors import RototoError
from ..engine.tree import Tree

FORMAT = 2


def cache_dir() -> Path | None:
    if os.environ.get("ROTOTO_NO_CACHE"):
        return None
    explicit = os.environ.get("ROTOTO_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "rototo-ci"


def tree_key(tree: Tree, extra: str = "") -> str:
    """The cache key of a projected tree; `extra` holds what else decides the verdict."""
    from .. import __version__

    digest = hashlib.sha256(f"rototo-ci {__version__} lint-cache {FORMAT}\n".encode())
    digest.update(f"{extra}\n".encode("utf-8", "surrogatepass"))
    for path in tree.files():
        try:
            blob = tree.blob_id(path)
        except RototoError as error:
            # a file lint reports as unreadable (a link out of the workspace, a
            # file too large): its name and the reason are its content here
            blob = f"unreadable {error}"
        # file names are bytes on disk: a non-UTF-8 name is kept, not refused
        digest.update(f"{path}\0{blob}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def source_key(source: Any) -> str:
    """The cache key of an opened source: its tree plus the extends entries it refused."""
    return tree_key(source.tree, source.verdict_key())


def _range(data: dict[str, Any] | None) -> Range | None:
    if data is None:
        return None
    return Range(Position(**data["start"]), Position(**data["end"]))


def diagnostic_from_json(data: dict[str, Any]) -> Diagnostic:
    location = data["location"]
    return Diagnostic(
        rule=data["rule"],
        severity=data["severity"],
        stage=data["stage"],
        entity=data["entity"],
        message=data["message"],
        help=data["help"],
        path=location["path"],
        range=_range(location.get("range")),
        related=[
            Related(r["location"]["path"], _range(r["location"].get("range")), r["message"])
            for r in data.get("related", [])
        ],
    )


def load(key: str) -> tuple[list[Document], list[Diagnostic]] | None:
    directory = cache_dir()
    if directory is None:
        return None
    try:
        data = json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))
        documents = [
            Document(id=d["id"], path=d["path"], kind=d["kind"], name=d["name"])
            for d in data["documents"]
        ]
        diagnostics = [diagnostic_from_json(d) for d in data["diagnostics"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return documents, diagnostics


def store(key: str, documents: list[Document], diagnostics: list[Diagnostic]) -> None:
    directory = cache_dir()
    if directory is None:
        return
    payload = {
        "documents": [
            {"id": d.id, "path": d.path, "kind": d.kind, "name": d.name} for d in documents
        ],
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = _new_temp(directory)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out)
        os.replace(temp, directory / f"{key}.json")
    except OSError:
        return  # a cache that cannot be written is only a slower run


_TEMP_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _new_temp(directory: Path) -> tuple[int, Path]:
    """A new file of this process's own in `directory`, as `tempfile.mkstemp` makes one
    (created exclusively, mode 0600, never an existing file or link), named by process
    id: importing tempfile (and random) would cost a pre-commit run about 5 ms."""
    for attempt in range(100):
        temp = directory / f"tmp.{os.getpid()}.{attempt}.tmp"
        try:
            return os.open(temp, _TEMP_FLAGS, 0o600), temp
        except FileExistsError:
            continue  # left by a process that had this id, or written a moment ago
    raise FileExistsError(f"no free temporary name in {directory}")
