"""What every diff renderer shows, in one order: cells grouped per target and transition.

Texts returned here are plain and untrusted (ids, values, messages from the workspace):
each renderer escapes them for its own sink.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..review.report import Outcome, ResolutionChange, Rollout, WorkspaceDiff

KIND_ORDER = ("broken", "changed", "fixed", "added", "removed")
KIND_TITLES = {
    "broken": "Broken contexts",
    "changed": "Value changes",
    "fixed": "Fixed contexts",
    "added": "Added targets",
    "removed": "Removed targets",
}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def value_json(value: Any, limit: int = 40) -> str:
    return clip(json.dumps(value, ensure_ascii=False, sort_keys=True), limit)


def outcome_text(outcome: Outcome, limit: int = 40) -> str:
    """`paid (25)`, `true`, `error: …` or `absent`: one line of plain text."""
    if outcome is None:
        return "absent"
    if "error" in outcome:
        return "error: " + clip(str(outcome["error"]).replace("\n", " "), 2 * limit)
    if "value_key" not in outcome:  # a qualifier's value
        return "true" if outcome.get("value") else "false"
    key = str(outcome["value_key"])
    value = value_json(outcome.get("value"), limit)
    if value == key or value == json.dumps(key):
        return clip(key, limit)
    return f"{clip(key, limit)} ({value})"


def _side_key(outcome: Outcome) -> str | None:
    if outcome is None:
        return None
    if "error" in outcome:
        return "\x00" + str(outcome["error"])
    if "value_key" not in outcome:
        return "\x01" + str(outcome.get("value"))
    return str(outcome["value_key"])


@dataclass
class CellGroup:
    """Cells of one target with the same transition; the contexts it happens in."""

    kind: str
    target: str
    qualifier: bool
    before: Outcome
    after: Outcome
    path: str | None
    line: int | None
    contexts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"qualifier {self.target}" if self.qualifier else self.target


def group_cells(cells: list[ResolutionChange]) -> list[CellGroup]:
    """Groups in renderer order: broken first, then per kind; larger groups first."""
    groups: dict[tuple[Any, ...], CellGroup] = {}
    for cell in cells:
        key = (
            cell.kind,
            cell.qualifier,
            cell.variable,
            _side_key(cell.before),
            _side_key(cell.after),
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = CellGroup(
                cell.kind,
                cell.variable,
                cell.qualifier,
                cell.before,
                cell.after,
                cell.path,
                cell.line,
            )
        group.contexts.append(cell.context)
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(
        groups.values(),
        key=lambda g: (rank.get(g.kind, 9), g.target, g.qualifier, -len(g.contexts)),
    )


def where(ws: WorkspaceDiff, path: str | None, line: int | None, repo_paths: bool) -> str:
    """`path:line`, repository-relative when several workspaces are shown."""
    if not path:
        return ""
    shown = ws.file_path(path) if repo_paths else path
    return f"{shown}:{line}" if line else shown


def shown_workspaces(workspaces: list[WorkspaceDiff]) -> list[WorkspaceDiff]:
    return [ws for ws in workspaces if ws.shown]


def rollout_transitions(transitions: list[dict[str, Any]], limit: int = 3) -> str:
    parts = [
        f"{outcome_text(t.get('before'), 24)} → {outcome_text(t.get('after'), 24)}: "
        f"{int(t.get('buckets', 0)):,}"
        for t in transitions[:limit]
    ]
    if len(transitions) > limit:
        parts.append(f"+{len(transitions) - limit} more")
    return "; ".join(parts)


def transition_parts(
    transitions: list[dict[str, Any]], limit: int = 3
) -> tuple[list[tuple[str, str, int]], int]:
    """(before text, after text, buckets) for the first transitions, and how many are left."""
    shown = [
        (
            outcome_text(t.get("before"), 24),
            outcome_text(t.get("after"), 24),
            int(t.get("buckets", 0)),
        )
        for t in transitions[:limit]
    ]
    return shown, max(0, len(transitions) - limit)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


@dataclass
class RolloutGroup:
    """Rollouts of one variable with the same effect; the contexts it happens in."""

    variable: str
    attribute: str
    buckets_changed: int
    reshuffled: bool
    transitions: list[dict[str, Any]]
    path: str | None
    line: int | None
    contexts: list[str] = field(default_factory=list)


def group_rollouts(rollouts: list[Rollout]) -> list[RolloutGroup]:
    groups: dict[tuple[Any, ...], RolloutGroup] = {}
    for r in rollouts:
        key = (
            r.variable,
            r.attribute,
            r.salt,
            r.salt_after,
            r.buckets_changed,
            json.dumps(r.transitions, sort_keys=True, ensure_ascii=False),
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = RolloutGroup(
                r.variable,
                r.attribute,
                r.buckets_changed,
                r.salt_after is not None,
                r.transitions,
                r.path,
                r.line,
            )
        group.contexts.append(r.context)
    return sorted(groups.values(), key=lambda g: (-g.buckets_changed, g.variable))
