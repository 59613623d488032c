"""Terminal rendering of a diff report with rich: summary, changes, resolution table."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..review.report import DiffReport, Outcome, WorkspaceDiff
from .console import StringConsole


def _outcome(outcome: Outcome) -> Text:
    if outcome is None:
        return Text("absent", style="dim italic")
    if "error" in outcome:
        return Text(f"error: {outcome['error']}", style="red")
    value = json.dumps(outcome["value"], ensure_ascii=False, sort_keys=True)
    if len(value) > 40:
        value = value[:39] + "…"
    return Text.assemble((str(outcome["value_key"]), "bold"), " ", (value, "cyan"))


def _detail(detail: dict[str, Any]) -> str:
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 70 else text[:69] + "…"


def _workspace(ws: WorkspaceDiff) -> RenderableType:
    parts: list[RenderableType] = []
    status_style = {"added": "green", "removed": "red", "modified": "yellow"}.get(ws.status, "dim")
    header = Text.assemble(
        ("workspace ", "bold"), (ws.path, "bold cyan"), "  ", (ws.status, status_style)
    )
    if ws.base_loadable is False:
        header.append("  base not loadable", style="red")
    if ws.head_loadable is False:
        header.append("  head not loadable (resolutions not computed)", style="bold red")
    parts.append(header)
    parts.append(
        Text(
            f"{len(ws.changes)} changes, {len(ws.resolutions)} resolution changes over "
            f"{len(ws.contexts)} contexts, lint +{len(ws.lint.introduced)} "
            f"-{len(ws.lint.resolved)}",
            style="dim",
        )
    )
    if ws.changes:
        table = Table(title="Semantic changes", title_justify="left", show_lines=False)
        table.add_column("kind", style="magenta")
        table.add_column("target")
        table.add_column("where", style="dim")
        table.add_column("detail", overflow="fold")
        for change in ws.changes:
            where = f"{change.path}:{change.line}" if change.line else change.path
            table.add_row(change.kind, change.target, where, _detail(change.detail))
        parts.append(table)
    if ws.resolutions:
        table = Table(title="Resolution changes", title_justify="left")
        table.add_column("variable", style="bold")
        table.add_column("context")
        table.add_column("before")
        table.add_column("")
        table.add_column("after")
        for change in ws.resolutions:
            table.add_row(
                change.variable,
                change.context,
                _outcome(change.before),
                Text("→", style="yellow"),
                _outcome(change.after),
            )
        parts.append(table)
    for label, items, style in (
        ("introduced", ws.lint.introduced, "red"),
        ("resolved", ws.lint.resolved, "green"),
    ):
        if not items:
            continue
        table = Table(title=f"Lint findings {label}", title_justify="left", title_style=style)
        table.add_column("severity")
        table.add_column("rule")
        table.add_column("where", style="dim")
        table.add_column("message", overflow="fold")
        for d in sorted(items, key=lambda d: (not d.is_error, d.path, d.rule)):
            line = f":{d.range.start.line + 1}" if d.range else ""
            sev = Text(d.severity, style="red" if d.is_error else "yellow")
            table.add_row(sev, d.rule, f"{d.path}{line}", d.message)
        parts.append(table)
    return Group(*parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def render_text(report: DiffReport, color: bool = False, width: int = 120) -> str:
    s = report.summary
    base = report.base.get("commit") or ""
    summary = Text.assemble(
        ("rototo diff ", "bold"),
        f"{report.base['rev']}",
        (f" ({base[:10]})" if base else "", "dim"),
        " → ",
        f"{report.head['rev']}",
        ": ",
        (
            _count(s["resolution_changes"], "resolution change"),
            "bold yellow" if s["resolution_changes"] else "green",
        ),
        f", {_count(s['changes'], 'semantic change')}, ",
        (
            f"{_count(s['lint_introduced'], 'lint finding')} introduced",
            "bold red" if report.introduced_errors else "",
        ),
        f", {s['lint_resolved']} resolved, {_count(s['workspaces'], 'workspace')}",
    )
    renderables: list[RenderableType] = [summary]
    for ws in report.workspaces:
        if ws.status == "unchanged" and not ws.lint.introduced:
            continue
        renderables.append(Text(""))
        renderables.append(_workspace(ws))
    console = StringConsole(color, width, soft_wrap=False)
    console.print(Group(*renderables))
    return console.text()
