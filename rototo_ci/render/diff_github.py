"""GitHub workflow annotations for a diff: on head-file lines, most important first.

GitHub shows at most 10 annotations of each kind per step, so each kind is
capped at 10 and one final notice counts what was left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.diagnostics import Diagnostic
from ..review.report import DiffReport, WorkspaceDiff
from .diff_groups import group_cells, group_rollouts, outcome_text, rollout_transitions
from .escape import command_data as escape_data
from .escape import command_property as escape_property

PER_KIND = 10


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


def _sentences(ws: WorkspaceDiff) -> dict[str, list[str]]:
    by_target: dict[str, list[str]] = {}
    for change in ws.changes:
        if change.summary:
            by_target.setdefault(change.target, []).append(change.summary)
    return by_target


def _cell_annotations(ws: WorkspaceDiff, prefix: str) -> list[Annotation]:
    """An error per broken group, a notice per other group: on the line that explains it."""
    annotations = []
    sentences = _sentences(ws)
    at_line: dict[tuple[str | None, int | None], list[str]] = {}
    for change in ws.changes:
        if change.summary:
            at_line.setdefault((change.path, change.line), []).append(change.summary)

    def explain(target: str, path: str | None, line: int | None) -> list[str]:
        # the target's own changes, else the change on the line the annotation sits on
        return (sentences.get(target) or at_line.get((path, line)) or [])[:3]

    for group in group_cells(ws.resolutions):
        count = len(group.contexts)
        shown = ", ".join(group.contexts[:5]) + (f" +{count - 5} more" if count > 5 else "")
        transition = f"{outcome_text(group.before)} → {outcome_text(group.after, 60)}"
        scheme = "qualifier" if group.qualifier else "variable"
        lines = explain(f"{scheme}://{group.target}", group.path, group.line)
        lines.append(f"{transition} in {shown}")
        broken = group.kind == "broken"
        verb = "breaks" if broken else group.kind if group.kind != "changed" else "changes"
        annotations.append(
            Annotation(
                kind="error" if broken else "notice",
                title=f"rototo: {group.label} {verb} in {count} context{'s' if count != 1 else ''}",
                message="\n".join(lines),
                file=prefix + ws.file_path(group.path) if group.path else None,
                line=group.line if group.path else None,
                weight=1000 + count if broken else count,
            )
        )
    for rollout in group_rollouts(ws.rollouts):
        share = f"{rollout.buckets_changed / 100:.2f} %"
        count = len(rollout.contexts)
        shown = ", ".join(rollout.contexts[:5]) + (f" +{count - 5} more" if count > 5 else "")
        expected = " (expected, reshuffled)" if rollout.reshuffled else ""
        annotations.append(
            Annotation(
                kind="notice",
                title=f"rototo: {rollout.variable} rollout moves {share} of units{expected}",
                message="\n".join(
                    [
                        *at_line.get((rollout.path, rollout.line), [])[:2],
                        f"{rollout_transitions(rollout.transitions)} in {shown}",
                    ]
                ),
                file=prefix + ws.file_path(rollout.path) if rollout.path else None,
                line=rollout.line if rollout.path else None,
                weight=rollout.buckets_changed // 100,
            )
        )
    return annotations


def _uncovered_annotations(ws: WorkspaceDiff, prefix: str) -> list[Annotation]:
    """Warnings on the changed line: no declared context exercises the change."""
    import json

    from ..review.witness_names import suggested_file

    found = []
    for item in ws.uncovered:
        message = f"no declared context shows this change to variable://{item.get('variable')}"
        if item.get("context") is not None:
            context = json.dumps(item["context"], ensure_ascii=False, sort_keys=True)
            before, after = item.get("before") or {}, item.get("after") or {}
            message += (
                f"; the context {context} resolves {before.get('value_key', 'an error')} "
                f"on the base and {after.get('value_key', 'an error')} on the head"
                f" (commit it as {prefix + ws.file_path(suggested_file(item) or '')} to cover it)"
            )
        else:
            message += "; the bounded search found no context where it matters"
        path = item.get("path")
        found.append(
            Annotation(
                kind="warning",
                title="rototo: change no declared context exercises",
                message=message,
                file=prefix + ws.file_path(path) if path else None,
                line=item.get("line"),
            )
        )
    return found


def render_github(report: DiffReport, path_prefix: str = "") -> str:
    """Workflow commands; `path_prefix` maps workspace dirs to repository paths."""
    buckets: dict[str, list[Annotation]] = {"error": [], "warning": [], "notice": []}
    for ws in report.workspaces:
        for d in ws.lint.introduced:
            annotation = _lint_annotation(ws, d, path_prefix)
            buckets[annotation.kind].append(annotation)
        for annotation in _cell_annotations(ws, path_prefix):
            buckets[annotation.kind].append(annotation)
        buckets["warning"].extend(_uncovered_annotations(ws, path_prefix))
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
