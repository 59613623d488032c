"""Diagnostics: the data every lint check returns and every renderer reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..lint.catalog import RULES
from .documents import Document, Range
from .tomlspan import TNode

SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class Related:
    path: str
    range: Range | None
    message: str

    def to_json(self) -> dict[str, Any]:
        location: dict[str, Any] = {"path": self.path}
        if self.range is not None:
            location["range"] = self.range.to_json()
        return {"location": location, "message": self.message}


@dataclass
class Diagnostic:
    rule: str
    severity: str
    stage: str
    entity: dict[str, Any]
    message: str
    help: str
    path: str
    range: Range | None = None
    related: list[Related] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_json(self) -> dict[str, Any]:
        location: dict[str, Any] = {"path": self.path}
        if self.range is not None:
            location["range"] = self.range.to_json()
        return {
            "rule": self.rule,
            "severity": self.severity,
            "stage": self.stage,
            "entity": dict(self.entity),
            "message": self.message,
            "help": self.help,
            "location": location,
            "related": [item.to_json() for item in self.related],
        }

    def sort_key(self) -> tuple[Any, ...]:
        start = (self.range.start.line, self.range.start.character) if self.range else (-1, -1)
        return (self.path, start, self.rule, self.message)


def node_range(doc: Document, node: TNode | None) -> Range | None:
    if node is None:
        return None
    return doc.lines.range(node.start, node.end)


def span_range(doc: Document, start: int, end: int) -> Range:
    return doc.lines.range(start, end)


class Collector:
    """Accumulates built-in diagnostics with catalog severity and help."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(
        self,
        rule_id: str,
        doc: Document | str,
        entity: dict[str, Any],
        message: str,
        where: TNode | Range | None = None,
        related: list[Related] | None = None,
        stage: str | None = None,
    ) -> Diagnostic:
        info = RULES[f"rototo/{rule_id}"]
        path = doc if isinstance(doc, str) else doc.path
        if isinstance(where, TNode):
            assert not isinstance(doc, str)
            rng: Range | None = node_range(doc, where)
        else:
            rng = where
        diagnostic = Diagnostic(
            rule=info.rule,
            severity=info.severity,
            stage=stage or info.stage,
            entity=entity,
            message=message,
            help=info.help,
            path=path,
            range=rng,
            related=related or [],
        )
        self.items.append(diagnostic)
        return diagnostic
