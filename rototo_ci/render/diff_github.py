"""GitHub workflow annotations for a diff: on head-file lines, most important first.

GitHub shows at most 10 annotations of each kind per step, so each kind is
capped at 10 and one final notice counts what was left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..engine.diagnostics import Diagnostic
from ..review.report import DiffReport, Outcome, WorkspaceDiff
from .workflow import escape_data, escape_property

PER_KIND = 10


def plain_outcome(outcome: Outcome) -> str:
    if outcome is None:
        return "absent"
    if "error" in outcome:
        return f"error ({outcome['error']})"
    value = json.dumps(outcome["value"], ensure_ascii=False, sort_keys=True)
    return f"{outcome['value_key']} = {value if len(value) <= 60 else value[:59] + '…'}"


@dataclass
class Annotation:
    kind: str  # error | warning | notice
    message: str
    title: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None
    weight: int = 0  # higher first within a kind

    def render(self) -> str:
        props = []
        if self.file:
            props.append(f"file={escape_property(self.file)}")
        for name, value in (
            ("line", self.line),
            ("col", self.col),
            ("endLine", self.end_line),
            ("endColumn", self.end_col),
        ):
            if value is not None:
                props.append(f"{name}={value}")
        props.append(f"title={escape_property(self.title)}")
        return f"::{self.kind} {','.join(props)}::{escape_data(self.message)}"


def _lint_annotation(ws: WorkspaceDiff, d: Diagnostic, prefix: str) -> Annotation:
    path = prefix + ws.file_path(d.path)
    rng = d.range
    return Annotation(
        kind="error" if d.is_error else "warning",
        message=d.message,
        title=d.rule,
        file=path,
        line=rng.start.line + 1 if rng else 1,
        col=rng.start.character + 1 if rng else None,
        end_line=rng.end.line + 1 if rng else None,
        end_col=rng.end.character + 1 if rng else None,
    )


def _behaviour_annotations(ws: WorkspaceDiff, prefix: str) -> list[Annotation]:
    by_variable: dict[str, list[str]] = {}
    where: dict[str, tuple[str | None, int | None]] = {}
    for change in ws.resolutions:
        by_variable.setdefault(change.variable, []).append(
            f"{change.context}: {plain_outcome(change.before)} → {plain_outcome(change.after)}"
        )
        where.setdefault(change.variable, (change.path, change.line))
    annotations = []
    for variable, cells in by_variable.items():
        path, line = where[variable]
        shown = "\n".join(cells[:5]) + (f"\n… and {len(cells) - 5} more" if len(cells) > 5 else "")
        annotations.append(
            Annotation(
                kind="notice",
                title=f"rototo: {variable} changes in {len(cells)} context(s)",
                message=shown,
                file=prefix + ws.file_path(path) if path else None,
                line=line,
                weight=len(cells),
            )
        )
    return annotations


def render_github(report: DiffReport, path_prefix: str = "") -> str:
    """Workflow commands; `path_prefix` maps workspace dirs to repository paths."""
    buckets: dict[str, list[Annotation]] = {"error": [], "warning": [], "notice": []}
    for ws in report.workspaces:
        for d in ws.lint.introduced:
            annotation = _lint_annotation(ws, d, path_prefix)
            buckets[annotation.kind].append(annotation)
        buckets["notice"].extend(_behaviour_annotations(ws, path_prefix))
        if ws.head_loadable is False:
            buckets["error"].append(
                Annotation(
                    kind="error",
                    title="rototo: workspace not loadable",
                    message=f"{ws.path}: the head side has lint errors; applications would refuse "
                    "it and its resolutions were not computed",
                    file=path_prefix + ws.file_path("rototo-workspace.toml"),
                    line=1,
                    weight=100,
                )
            )
    lines: list[str] = []
    left_out = 0
    for kind in ("error", "warning", "notice"):
        ordered = sorted(buckets[kind], key=lambda a: (-a.weight, a.file or "", a.line or 0))
        limit = PER_KIND - 1 if kind == "notice" else PER_KIND
        lines.extend(a.render() for a in ordered[:limit])
        left_out += max(0, len(ordered) - limit)
    if left_out:
        lines.append(
            Annotation(
                kind="notice",
                title="rototo: more findings",
                message=f"{left_out} more annotation(s) not shown; see the job summary for the "
                "full report",
            ).render()
        )
    return "\n".join(lines) + ("\n" if lines else "")
