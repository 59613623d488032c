"""The diff report: plain data that every renderer reads and one function serializes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.diagnostics import Diagnostic

# an outcome is {"value_key", "value"}, {"error"}, or None (variable absent on that side)
Outcome = dict[str, Any] | None


@dataclass
class Change:
    kind: str
    target: str
    path: str
    line: int | None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "path": self.path,
            "line": self.line,
            "detail": self.detail,
        }


@dataclass
class ResolutionChange:
    variable: str
    context: str
    before: Outcome
    after: Outcome
    # head-side file and 1-based line that explain the change (for annotations)
    path: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "context": self.context,
            "before": self.before,
            "after": self.after,
        }


@dataclass
class LintDelta:
    introduced: list[Diagnostic] = field(default_factory=list)
    resolved: list[Diagnostic] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "introduced": [d.to_json() for d in self.introduced],
            "resolved": [d.to_json() for d in self.resolved],
        }


@dataclass
class WorkspaceDiff:
    path: str  # repository-relative directory, "." for the root
    status: str  # added | removed | modified | unchanged
    base_loadable: bool | None
    head_loadable: bool | None
    changes: list[Change] = field(default_factory=list)
    resolutions: list[ResolutionChange] = field(default_factory=list)
    lint: LintDelta = field(default_factory=LintDelta)
    contexts: list[str] = field(default_factory=list)
    variables_resolved: int = 0
    variables_skipped: int = 0
    head_errors: list[Diagnostic] = field(default_factory=list)
    base_errors: list[Diagnostic] = field(default_factory=list)

    def file_path(self, path: str) -> str:
        """A workspace-relative path as a repository-relative one."""
        return path if self.path in ("", ".") else f"{self.path}/{path}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "base_loadable": self.base_loadable,
            "head_loadable": self.head_loadable,
            "changes": [c.to_json() for c in self.changes],
            "resolutions": [r.to_json() for r in self.resolutions],
            "lint": self.lint.to_json(),
        }


@dataclass
class DiffReport:
    base: dict[str, Any]
    head: dict[str, Any]
    workspaces: list[WorkspaceDiff]

    @property
    def summary(self) -> dict[str, int]:
        return {
            "workspaces": len(self.workspaces),
            "changes": sum(len(w.changes) for w in self.workspaces),
            "resolution_changes": sum(len(w.resolutions) for w in self.workspaces),
            "lint_introduced": sum(len(w.lint.introduced) for w in self.workspaces),
            "lint_resolved": sum(len(w.lint.resolved) for w in self.workspaces),
        }

    @property
    def introduced_errors(self) -> int:
        return sum(1 for w in self.workspaces for d in w.lint.introduced if d.is_error)

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "workspaces": [w.to_json() for w in self.workspaces],
            "summary": self.summary,
        }
