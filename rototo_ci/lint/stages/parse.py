"""Parse stage: one diagnostic per document that is not valid TOML/JSON."""

from __future__ import annotations

from ...engine.diagnostics import Collector
from ...engine.documents import Document

_RULES = {
    "manifest": "workspace-manifest-parse-failed",
    "qualifier": "qualifier-parse-failed",
    "variable": "variable-parse-failed",
    "resource": "resource-parse-failed",
    "resource_object": "resource-object-parse-failed",
    "schema": "schema-parse-failed",
}


def entity_for(doc: Document) -> dict[str, object]:
    if doc.kind == "manifest":
        return {"kind": "manifest"}
    if doc.kind in ("qualifier", "variable", "resource"):
        return {"kind": doc.kind, "id": doc.name}
    if doc.kind == "resource_object":
        return {"kind": "resource_object", "resource": doc.resource, "key": doc.name}
    return {"kind": doc.kind, "path": doc.path}


def check(documents: list[Document], out: Collector) -> None:
    for doc in documents:
        failure = doc.failure
        if failure is None or doc.kind not in _RULES:
            continue
        located = failure.located and not failure.unreadable
        rng = doc.lines.range(failure.start, failure.end) if located else None
        out.add(
            _RULES[doc.kind],
            doc,
            entity_for(doc),
            f"failed to parse {doc.path}: {failure.message}",
            rng,
        )
