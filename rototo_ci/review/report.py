"""The diff report: plain data that every renderer reads and one function serializes.

`DiffReport.to_json()` is the SPEC §5 contract and `DiffReport.from_json()` reads it
back, so `rototo render` and matrix merges use the same renderers on saved reports.
Fields are only ever added to the JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..engine.diagnostics import Diagnostic, Related
from ..engine.documents import Position, Range
from ..engine.resolve import strict_equal

# an outcome is {"value_key", "value"}, {"error"}, or None (target absent on that side);
# a qualifier cell's outcome is {"value": bool} or {"error"}
Outcome = dict[str, Any] | None

CELL_KINDS = ("broken", "changed", "fixed", "added", "removed")


# a saved report may come from anyone (the fork pattern renders what a pull request's job
# uploaded): a field whose type the renderers rely on is checked as it is read


def _optional_line(value: Any) -> int | None:
    if value is None or type(value) is int:
        return value
    raise TypeError(f"a line is not a number: {str(value)[:40]}")


def _optional_path(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    raise TypeError(f"a path is not a string: {str(value)[:40]}")


def _outcome_from_json(value: Any) -> Outcome:
    if value is None or (
        type(value) is dict
        and type(value.get("error", "")) is str
        and type(value.get("value_key", "")) is str
    ):
        return value
    raise TypeError(f"an outcome is not a value or an error: {str(value)[:40]}")


def cell_kind(before: Outcome, after: Outcome) -> str | None:
    """The kind of a cell's change, or None when the outcome did not change.

    An error on both sides is no change, whatever the messages say: an application
    gets a failure either way.
    """
    if before is None and after is None:
        return None
    if before is None:
        return "added"
    if after is None:
        return "removed"
    failed_before, failed_after = "error" in before, "error" in after
    if failed_before and failed_after:
        return None
    if failed_after:
        return "broken"
    if failed_before:
        return "fixed"
    if before.get("value_key") == after.get("value_key") and strict_equal(
        before.get("value"), after.get("value")
    ):
        return None
    return "changed"


@dataclass
class Change:
    kind: str
    target: str
    path: str
    line: int | None
    detail: dict[str, Any] = field(default_factory=dict)
    summary: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "path": self.path,
            "line": self.line,
            "summary": self.summary,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(
            kind=str(data["kind"]),
            target=str(data.get("target", "")),
            path=str(data.get("path", "")),
            line=_optional_line(data.get("line")),
            detail=dict(data.get("detail") or {}),
            summary=str(data.get("summary") or ""),
        )


@dataclass(slots=True)  # a large diff holds hundreds of thousands of cells
class ResolutionChange:
    variable: str  # the variable id, or the qualifier id for a qualifier cell
    context: str
    before: Outcome
    after: Outcome
    # workspace-relative file and 1-based line that explain the change (for annotations):
    # for a broken cell, the change that introduced the failing rule or predicate
    path: str | None = None
    line: int | None = None
    kind: str = ""
    qualifier: bool = False  # a qualifier cell (from a qualifier fixture case)

    def __post_init__(self) -> None:
        if not self.kind:
            self.kind = cell_kind(self.before, self.after) or "changed"

    @property
    def target(self) -> str:
        return self.variable

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = (
            {"qualifier": self.variable} if self.qualifier else {"variable": self.variable}
        )
        data.update(
            {
                "context": self.context,
                "kind": self.kind,
                "before": self.before,
                "after": self.after,
                "path": self.path,
                "line": self.line,
            }
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResolutionChange:
        qualifier = "variable" not in data and "qualifier" in data
        return cls(
            variable=str(data["qualifier"] if qualifier else data["variable"]),
            context=str(data["context"]),
            before=_outcome_from_json(data.get("before")),
            after=_outcome_from_json(data.get("after")),
            path=_optional_path(data.get("path")),
            line=_optional_line(data.get("line")),
            kind=str(data.get("kind") or ""),
            qualifier=qualifier,
        )


class ResolutionLines(list[ResolutionChange]):
    """Resolution changes that write their own one-line JSON for `json_text`: the text
    `one_line(cell.to_json())` gives, without building a dict per cell, and each shared
    outcome object encoded once."""

    def __init__(self, cells: list[ResolutionChange]) -> None:
        super().__init__(cells)
        self._outcomes: dict[int, tuple[Outcome, str]] = {}
        self._strings: dict[str, str] = {}  # ids and context names, each encoded once
        # the line's end (kind, outcomes, path, line), shared by a variable's cells
        self._tails: dict[tuple[Any, ...], tuple[Outcome, Outcome, str]] = {}

    def _outcome(self, outcome: Outcome) -> str:
        found = self._outcomes.get(id(outcome))
        if found is None or found[0] is not outcome:
            from ..render.json_text import one_line

            found = self._outcomes[id(outcome)] = (outcome, one_line(outcome))
        return found[1]

    def _string(self, text: str) -> str:
        found = self._strings.get(text)
        if found is None:
            from json.encoder import encode_basestring  # what the C encoder writes

            found = self._strings[text] = encode_basestring(text)
        return found

    def _tail(self, cell: ResolutionChange) -> str:
        path, line, before, after = cell.path, cell.line, cell.before, cell.after
        key = (cell.kind, id(before), id(after), path, line)
        found = self._tails.get(key)
        if found is None or found[0] is not before or found[1] is not after:
            text = (
                ', "kind": '
                + self._string(cell.kind)
                + ', "before": '
                + self._outcome(before)
                + ', "after": '
                + self._outcome(after)
                + ', "path": '
                + ("null" if path is None else self._string(path))
                + ', "line": '
                + ("null" if line is None else str(line))
                + "}"
            )
            found = self._tails[key] = (before, after, text)
        return found[2]

    def lines(self, start: int, stop: int) -> list[str]:
        """The lines of the cells [start:stop]."""
        strings = self._strings
        found = []
        for cell in self[start:stop]:
            path, line = cell.path, cell.line
            variable, context, kind = cell.variable, cell.context, cell.kind
            if not (
                type(variable) is str
                and type(context) is str
                and type(kind) is str
                and (path is None or type(path) is str)
                and (line is None or type(line) is int)
            ):
                from ..render.json_text import one_line

                found.append(one_line(cell.to_json()))
                continue
            found.append(
                ('{"qualifier": ' if cell.qualifier else '{"variable": ')
                + (strings.get(variable) or self._string(variable))
                + ', "context": '
                + (strings.get(context) or self._string(context))
                + self._tail(cell)
            )
        return found


@dataclass
class Rollout:
    """Per variable and declared context: the share of the bucket space whose value changes."""

    variable: str
    context: str
    attribute: str
    salt: str
    buckets_changed: int
    transitions: list[dict[str, Any]] = field(default_factory=list)  # {before, after, buckets}
    salt_after: str | None = None  # set when the salt (or attribute) changed: expected counts
    path: str | None = None
    line: int | None = None

    @property
    def share(self) -> float:
        return self.buckets_changed / 10_000

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "variable": self.variable,
            "context": self.context,
            "attribute": self.attribute,
            "salt": self.salt,
            "buckets_changed": self.buckets_changed,
            "share": self.share,
            "transitions": self.transitions,
            "path": self.path,
            "line": self.line,
        }
        if self.salt_after is not None:
            data["salt_after"] = self.salt_after
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rollout:
        return cls(
            variable=str(data["variable"]),
            context=str(data["context"]),
            attribute=str(data.get("attribute", "")),
            salt=str(data.get("salt", "")),
            buckets_changed=int(data.get("buckets_changed", 0)),
            transitions=list(data.get("transitions") or []),
            salt_after=data.get("salt_after"),
            path=_optional_path(data.get("path")),
            line=_optional_line(data.get("line")),
        )


def _range_from_json(data: Any) -> Range | None:
    if not isinstance(data, dict):
        return None
    start, end = data.get("start") or {}, data.get("end") or {}
    return Range(
        Position(int(start.get("line", 0)), int(start.get("character", 0))),
        Position(int(end.get("line", 0)), int(end.get("character", 0))),
    )


def diagnostic_from_json(data: dict[str, Any]) -> Diagnostic:
    location = data.get("location") or {}
    related = []
    for item in data.get("related") or []:
        where = item.get("location") or {}
        related.append(
            Related(
                str(where.get("path", "")),
                _range_from_json(where.get("range")),
                str(item.get("message", "")),
            )
        )
    return Diagnostic(
        rule=str(data.get("rule", "")),
        severity=str(data.get("severity", "error")),
        stage=str(data.get("stage", "")),
        entity=dict(data.get("entity") or {}),
        message=str(data.get("message", "")),
        help=str(data.get("help", "")),
        path=str(location.get("path", "")),
        range=_range_from_json(location.get("range")),
        related=related,
    )


@dataclass
class LintDelta:
    introduced: list[Diagnostic] = field(default_factory=list)
    resolved: list[Diagnostic] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "introduced": [d.to_json() for d in self.introduced],
            "resolved": [d.to_json() for d in self.resolved],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LintDelta:
        return cls(
            [diagnostic_from_json(d) for d in data.get("introduced") or []],
            [diagnostic_from_json(d) for d in data.get("resolved") or []],
        )


@dataclass
class WorkspaceDiff:
    path: str  # repository-relative directory, "." for the root
    status: str  # added | removed | modified | unchanged
    base_loadable: bool | None
    head_loadable: bool | None
    changes: list[Change] = field(default_factory=list)
    resolutions: list[ResolutionChange] = field(default_factory=list)
    rollouts: list[Rollout] = field(default_factory=list)
    # SPEC §5 view 5; filled by the coverage work, an empty list until then
    uncovered: list[dict[str, Any]] = field(default_factory=list)
    lint: LintDelta = field(default_factory=LintDelta)
    contexts: list[str] = field(default_factory=list)
    variables_resolved: int = 0
    variables_skipped: int = 0
    head_errors: list[Diagnostic] = field(default_factory=list)
    base_errors: list[Diagnostic] = field(default_factory=list)

    def file_path(self, path: str) -> str:
        """A workspace-relative path as a repository-relative one."""
        return path if self.path in ("", ".") else f"{self.path}/{path}"

    def cells(self, kind: str) -> list[ResolutionChange]:
        return [r for r in self.resolutions if r.kind == kind]

    @property
    def shown(self) -> bool:
        """Whether a renderer has anything to say about this workspace."""
        return self.status != "unchanged" or bool(self.lint.introduced or self.resolutions)

    def to_json(self, *, resolution_lines: bool = False) -> dict[str, Any]:
        """The JSON contract; `resolution_lines`: resolutions as `ResolutionLines`, for
        `json_text` to write (the same text, faster)."""
        return {
            "path": self.path,
            "status": self.status,
            "base_loadable": self.base_loadable,
            "head_loadable": self.head_loadable,
            "changes": [c.to_json() for c in self.changes],
            "resolutions": (
                ResolutionLines(self.resolutions)
                if resolution_lines
                else [r.to_json() for r in self.resolutions]
            ),
            "rollouts": [r.to_json() for r in self.rollouts],
            "uncovered": list(self.uncovered),
            "lint": self.lint.to_json(),
            "contexts": list(self.contexts),
            "variables_resolved": self.variables_resolved,
            "variables_skipped": self.variables_skipped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkspaceDiff:
        return cls(
            path=str(data.get("path", ".")),
            status=str(data.get("status", "modified")),
            base_loadable=data.get("base_loadable"),
            head_loadable=data.get("head_loadable"),
            changes=[Change.from_json(c) for c in data.get("changes") or []],
            resolutions=[ResolutionChange.from_json(r) for r in data.get("resolutions") or []],
            rollouts=[Rollout.from_json(r) for r in data.get("rollouts") or []],
            uncovered=list(data.get("uncovered") or []),
            lint=LintDelta.from_json(data.get("lint") or {}),
            contexts=[str(c) for c in data.get("contexts") or []],
            variables_resolved=int(data.get("variables_resolved") or 0),
            variables_skipped=int(data.get("variables_skipped") or 0),
        )


@dataclass
class DiffReport:
    base: dict[str, Any]
    head: dict[str, Any]
    workspaces: list[WorkspaceDiff]

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(CELL_KINDS, 0)
        for ws in self.workspaces:
            for cell in ws.resolutions:
                counts[cell.kind] = counts.get(cell.kind, 0) + 1
        return {
            "workspaces": len(self.workspaces),
            "changes": sum(len(w.changes) for w in self.workspaces),
            "resolution_changes": sum(len(w.resolutions) for w in self.workspaces),
            "changed": counts["changed"],
            "broken": counts["broken"],
            "fixed": counts["fixed"],
            "added": counts["added"],
            "removed": counts["removed"],
            "rollouts": sum(len(w.rollouts) for w in self.workspaces),
            "uncovered": sum(len(w.uncovered) for w in self.workspaces),
            "lint_introduced": sum(len(w.lint.introduced) for w in self.workspaces),
            "lint_resolved": sum(len(w.lint.resolved) for w in self.workspaces),
        }

    @property
    def introduced_errors(self) -> int:
        return sum(1 for w in self.workspaces for d in w.lint.introduced if d.is_error)

    @property
    def broken(self) -> int:
        return sum(1 for w in self.workspaces for r in w.resolutions if r.kind == "broken")

    def to_json(self, *, resolution_lines: bool = False) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "workspaces": [w.to_json(resolution_lines=resolution_lines) for w in self.workspaces],
            "summary": self.summary,
        }

    def json_pieces(self) -> Iterator[str]:
        """`json_text.dumps(self.to_json())` in pieces: a large report's resolution changes
        are written straight from the cells, never all held as dicts or one string."""
        from ..render.json_text import is_large, pieces

        data = self.to_json(resolution_lines=True)
        if not is_large(data):
            data = self.to_json()  # written by json.dumps, which needs plain data
        return pieces(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DiffReport:
        """Read a report written by `to_json` (raises KeyError/TypeError/ValueError if not)."""
        if not isinstance(data, dict) or not isinstance(data.get("workspaces"), list):
            raise ValueError("not a rototo diff report (no workspaces list)")
        return cls(
            base=dict(data.get("base") or {"rev": "base", "commit": None}),
            head=dict(data.get("head") or {"rev": "head", "commit": None}),
            workspaces=[WorkspaceDiff.from_json(w) for w in data["workspaces"]],
        )


def merge_reports(reports: list[DiffReport]) -> DiffReport:
    """Several reports (e.g. one per matrix job) as one; later workspaces with the same
    path replace earlier ones."""
    if not reports:
        raise ValueError("no reports to merge")
    by_path: dict[str, WorkspaceDiff] = {}
    for report in reports:
        for ws in report.workspaces:
            by_path[ws.path] = ws
    first = reports[0]
    return DiffReport(first.base, first.head, [by_path[p] for p in sorted(by_path)])
