"""Terminal rendering of a diff report: broken contexts first, grouped like the PR comment.

One finding is one line of text: on a terminal rich wraps it to the console's width
(continuation lines indented); piped (`width=None`) nothing is wrapped, so a CI log
or `grep` sees one finding per line. Rows beyond a cap are counted, not drawn, so a
huge report renders quickly.
"""

from __future__ import annotations

from rich.padding import Padding
from rich.text import Text

from ..review.report import DiffReport, Outcome, WorkspaceDiff
from .console import StringConsole
from .diff_groups import (
    KIND_ORDER,
    KIND_TITLES,
    clip,
    group_cells,
    group_rollouts,
    outcome_text,
    plural,
    rollout_transitions,
    shown_workspaces,
    where,
)
from .escape import guard_text, one_line

ROWS = 40  # findings drawn per section; the rest are counted
CONTEXTS = 4  # contexts named per group
UNLIMITED = 1_000_000
KIND_STYLES = {
    "broken": "bold red",
    "changed": "yellow",
    "fixed": "green",
    "added": "green",
    "removed": "magenta",
}


def _outcome(outcome: Outcome) -> Text:
    if outcome is None:
        return Text("absent", style="dim italic")
    if "error" in outcome:
        return Text(one_line(outcome_text(outcome, 50)), style="red")
    return Text(one_line(outcome_text(outcome)), style="cyan")


class _Writer:
    def __init__(self, width: int | None, color: bool) -> None:
        self.width = width
        self.console = StringConsole(color, width or UNLIMITED, soft_wrap=width is None)

    def line(self, text: Text, indent: int = 0) -> None:
        if not text.plain:
            self.console.print()
        elif self.width is None:
            self.console.print(Text(" " * indent) + text if indent else text)
        else:
            text.overflow = "fold"
            self.console.print(Padding(text, (0, 0, 0, indent), expand=False))

    def more(self, hidden: int, what: str, indent: int) -> None:
        if hidden > 0:
            self.line(
                Text(f"… {hidden:,} more {what} not shown (--format json has all)", "dim"), indent
            )


def _counts(report: DiffReport) -> Text:
    s = report.summary
    base = report.base.get("commit") or ""
    text = Text.assemble(
        ("rototo diff ", "bold"),
        str(report.base.get("rev", "base")),
        (f" ({base[:10]})" if base else "", "dim"),
        " → ",
        str(report.head.get("rev", "head")),
        ": ",
    )
    parts: list[Text] = []
    if s["broken"]:
        parts.append(Text(plural(s["broken"], "broken context"), "bold red"))
    parts.append(Text(f"{s['changed']:,} changed", "bold yellow" if s["changed"] else "green"))
    parts += [Text(f"{s[k]:,} {k}") for k in ("fixed", "added", "removed") if s.get(k)]
    parts.append(Text(plural(s["changes"], "semantic change")))
    errors = report.introduced_errors
    parts.append(
        Text(
            f"lint +{s['lint_introduced']:,} ({plural(errors, 'error')}) −{s['lint_resolved']:,}",
            "bold red" if errors else "",
        )
    )
    parts.append(Text(plural(s["workspaces"], "workspace")))
    return text + Text(" · ").join(parts)


def _workspace(out: _Writer, ws: WorkspaceDiff, repo_paths: bool) -> None:
    status_style = {"added": "green", "removed": "red", "modified": "yellow"}.get(ws.status, "dim")
    header = Text.assemble(
        ("workspace ", "bold"), (one_line(ws.path), "bold cyan"), "  ", (ws.status, status_style)
    )
    header.append(
        f"  {plural(len(ws.changes), 'semantic change')}, {plural(len(ws.contexts), 'context')}, "
        f"lint +{len(ws.lint.introduced)} −{len(ws.lint.resolved)}",
        style="dim",
    )
    if ws.base_loadable is False:
        header.append("  base not loadable", style="red")
    if ws.head_loadable is False:
        header.append(
            "  head not loadable (lint errors; resolutions not computed)", style="bold red"
        )
    out.line(header)
    groups = group_cells(ws.resolutions)
    for kind in KIND_ORDER:
        of_kind = [g for g in groups if g.kind == kind]
        if not of_kind:
            continue
        cells = sum(len(g.contexts) for g in of_kind)
        title = KIND_TITLES[kind]
        if kind == "broken":
            title += " (resolved on the base, fail on the head)"
        out.line(Text.assemble((title, KIND_STYLES[kind] + " underline"), f" {cells:,}"), 2)
        for group in of_kind[:ROWS]:
            names = ", ".join(one_line(c) for c in group.contexts[:CONTEXTS])
            if len(group.contexts) > CONTEXTS:
                names += f" +{len(group.contexts) - CONTEXTS:,} more"
            location = where(ws, group.path, group.line, repo_paths)
            line = Text.assemble(
                (one_line(group.label), "bold"),
                ": ",
                _outcome(group.before),
                " → ",
                _outcome(group.after),
                f" in {plural(len(group.contexts), 'context')} ({names})",
            )
            if location:
                line.append(f"  {one_line(location)}", style="dim")
            out.line(line, 4)
        out.more(len(of_kind) - ROWS, "groups", 4)
    if ws.rollouts:
        out.line(
            Text(
                "Rollout impact (share of the 10,000 buckets whose value changes)", "bold underline"
            ),
            2,
        )
        rollout_groups = group_rollouts(ws.rollouts)
        for g in rollout_groups[:ROWS]:
            expected = " expected (reshuffled)" if g.reshuffled else ""
            names = ", ".join(one_line(c) for c in g.contexts[:CONTEXTS])
            if len(g.contexts) > CONTEXTS:
                names += f" +{len(g.contexts) - CONTEXTS:,} more"
            line = Text.assemble(
                (one_line(g.variable), "bold"),
                f" on {one_line(g.attribute)}: ",
                (f"{g.buckets_changed / 100:.2f} %", "yellow"),
                f" ({g.buckets_changed:,} buckets){expected}: ",
                one_line(rollout_transitions(g.transitions)),
                f" in {plural(len(g.contexts), 'context')} ({names})",
            )
            location = where(ws, g.path, g.line, repo_paths)
            if location:
                line.append(f"  {one_line(location)}", style="dim")
            out.line(line, 4)
        out.more(len(rollout_groups) - ROWS, "rollouts", 4)
    if ws.uncovered:
        import json

        from ..review.witness_names import suggested_file

        out.line(Text(f"Uncovered changes {len(ws.uncovered):,}", "yellow underline"), 2)
        for item in ws.uncovered[:ROWS]:
            line = Text.assemble(
                (one_line(where(ws, item.get("path"), item.get("line"), repo_paths)), "dim"),
                "  ",
                (one_line(f"variable://{item.get('variable')}"), "magenta"),
                "  ",
            )
            name = suggested_file(item)
            if name is None:
                line.append("no context found where it changes the outcome", "dim")
            else:
                line.append_text(_outcome(item.get("before")))
                line.append(" → ")
                line.append_text(_outcome(item.get("after")))
                shown = ws.file_path(name) if repo_paths else name
                context = json.dumps(item.get("context"), ensure_ascii=False, sort_keys=True)
                line.append(f"  witness {one_line(shown)}: {one_line(clip(context, 160))}", "dim")
            out.line(line, 4)
        out.more(len(ws.uncovered) - ROWS, "uncovered changes", 4)
    if ws.changes:
        out.line(Text.assemble(("Semantic changes", "underline"), f" {len(ws.changes):,}"), 2)
        for change in ws.changes[:ROWS]:
            line = Text.assemble(
                (one_line(where(ws, change.path, change.line, repo_paths)), "dim"),
                "  ",
                (one_line(change.target), "magenta"),
                "  ",
                one_line(clip(change.summary or change.kind, 200)),
            )
            out.line(line, 4)
        out.more(len(ws.changes) - ROWS, "changes", 4)
    for label, items, style in (
        ("Lint findings introduced", ws.lint.introduced, "red"),
        ("Lint findings resolved", ws.lint.resolved, "green"),
    ):
        if not items:
            continue
        out.line(Text.assemble((label, style + " underline"), f" {len(items):,}"), 2)
        ordered_lint = sorted(items, key=lambda d: (not d.is_error, d.path, d.rule))
        for d in ordered_lint[:ROWS]:
            rng = f":{d.range.start.line + 1}:{d.range.start.character + 1}" if d.range else ""
            path = ws.file_path(d.path) if repo_paths else d.path
            out.line(
                Text.assemble(
                    (one_line(f"{path}{rng}"), "dim"),
                    "  ",
                    ("error" if d.is_error else "warning", "red" if d.is_error else "yellow"),
                    "  ",
                    one_line(d.rule),
                    "  ",
                    one_line(d.message),
                ),
                4,
            )
        out.more(len(items) - ROWS, "findings", 4)


def render_text(report: DiffReport, color: bool = False, width: int | None = None) -> str:
    """The report for a terminal of `width` columns, or unwrapped (`None`, when piped)."""
    out = _Writer(width, color)
    out.line(_counts(report))
    shown = shown_workspaces(report.workspaces)
    repo_paths = len(shown) > 1
    unchanged = len(report.workspaces) - len(shown)
    for ws in shown:
        out.line(Text(""))
        _workspace(out, ws, repo_paths)
    if unchanged:
        out.line(Text(""))
        out.line(Text(f"{plural(unchanged, 'workspace')} unchanged", "dim"))
    text = out.console.text()
    return guard_text("\n".join(line.rstrip() for line in text.split("\n")))
