"""Loading one side of a review, parsing each git blob once across both sides."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..engine.documents import Document, discover, read_and_parse
from ..engine.errors import RototoError
from ..engine.sources import OpenedTree, project
from ..engine.tree import Tree
from ..engine.workspace import Workspace


class ParseCache:
    """Parsed documents keyed by (blob id, kind): an unchanged file is parsed once."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Document] = {}
        self.hits = 0
        self.misses = 0

    def documents(self, tree: Tree) -> tuple[list[Document], dict[str, str]]:
        documents: list[Document] = []
        blobs: dict[str, str] = {}
        for index, (path, kind, name, resource) in enumerate(discover(tree)):
            blob = tree.blob_id(path)
            blobs[path] = blob
            doc = Document(id=index, path=path, kind=kind, name=name, resource=resource)
            cached = self._entries.get((blob, kind))
            if cached is None:
                self.misses += 1
                read_and_parse(doc, tree)
                self._entries[(blob, kind)] = doc
            else:
                self.hits += 1
                doc.text, doc.toml, doc.json = cached.text, cached.toml, cached.json
                doc.failure, doc._lines = cached.failure, cached._lines
            documents.append(doc)
        return documents, blobs


@dataclass
class LoadedSide:
    """A workspace on one side: absent, unreadable, or loaded (loadable or not)."""

    present: bool
    workspace: Workspace | None = None
    error: str | None = None
    blobs: dict[str, str] = field(default_factory=dict)
    tree: Tree | None = None

    @property
    def loadable(self) -> bool:
        return self.workspace is not None and not any(
            d.is_error for d in self.workspace.diagnostics
        )


def load_side(
    opened: OpenedTree | None, cache: ParseCache, cwd: Path, allow_external: bool = False
) -> LoadedSide:
    if opened is None:
        return LoadedSide(present=False)
    try:
        # parents outside the repository are refused unless the user allowed them
        source = project(opened, cwd, opened.tree.label, allow_external=allow_external)
        tree = source.tree
        documents, blobs = cache.documents(tree)
        workspace = Workspace.from_tree(tree, source, documents=documents)
    except RototoError as error:
        return LoadedSide(present=True, error=str(error))
    return LoadedSide(present=True, workspace=workspace, blobs=blobs, tree=tree)
