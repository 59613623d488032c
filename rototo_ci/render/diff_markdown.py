"""The PR comment: counts first, tables, long parts folded, never over the size limit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..review.report import DiffReport, Outcome, WorkspaceDiff

MARKER = "<!-- rototo-ci -->"
MAX_CHARS = 65_536
FULL_REPORT_HINT = "the job summary and the JSON report (`rototo diff --format json`)"


def _code(text: str, limit: int = 80) -> str:
    text = text.replace("\n", " ").replace("|", "\\|")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{text.replace('`', 'ˋ')}`"


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def outcome_text(outcome: Outcome) -> str:
    if outcome is None:
        return "_absent_"
    if "error" in outcome:
        return "⚠️ " + _code(str(outcome["error"]), 70)
    return f"{_code(str(outcome['value_key']), 30)} {_code(_value(outcome['value']), 40)}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


@dataclass
class Table:
    """A markdown table whose rows may be dropped from the end to fit the size limit."""

    header: list[str]
    rows: list[list[str]]
    priority: int  # lower numbers are dropped first
    dropped: int = 0

    def render(self) -> list[str]:
        lines = [
            "| " + " | ".join(self.header) + " |",
            "|" + "|".join(" --- " for _ in self.header) + "|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.dropped:
            lines.append("")
            lines.append(f"_… {_plural(self.dropped, 'more row')} not shown._")
        return lines


@dataclass
class Section:
    parts: list[str | Table] = field(default_factory=list)


def _grouped_resolutions(ws: WorkspaceDiff) -> list[list[str]]:
    """One row per (variable, before, after), listing the contexts it happens in."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for change in ws.resolutions:
        key = (change.variable, outcome_text(change.before), outcome_text(change.after))
        groups.setdefault(key, []).append(change.context)
    rows = []
    for (variable, before, after), contexts in groups.items():
        shown = ", ".join(_code(c, 60) for c in contexts[:6])
        if len(contexts) > 6:
            shown += f" +{len(contexts) - 6} more"
        rows.append([_code(variable, 50), shown, f"{before} → {after}"])
    return rows


def _lint_rows(ws: WorkspaceDiff, introduced: bool) -> list[list[str]]:
    items = ws.lint.introduced if introduced else ws.lint.resolved
    rows = []
    for d in sorted(items, key=lambda d: (not d.is_error, d.path, d.rule)):
        line = f":{d.range.start.line + 1}" if d.range else ""
        icon = "🔴" if d.is_error else "🟡"
        rows.append(
            [
                f"{icon} {d.severity}",
                _code(d.rule, 60),
                _code(d.path + line, 60),
                d.message.replace("\n", " ").replace("|", "\\|")[:200],
            ]
        )
    return rows


def _workspace_section(ws: WorkspaceDiff) -> Section:
    section = Section()
    loadable = []
    if ws.base_loadable is False:
        loadable.append("base is **not loadable** (lint errors)")
    if ws.head_loadable is False:
        loadable.append("head is **not loadable** (lint errors): resolutions not computed")
    counts = (
        f"{_plural(len(ws.changes), 'change')} · "
        f"{_plural(len(ws.resolutions), 'resolution change')} · "
        f"lint +{len(ws.lint.introduced)} / −{len(ws.lint.resolved)}"
    )
    section.parts.append(f"### `{ws.path}` — {ws.status}")
    section.parts.append("")
    section.parts.append(counts + (" · " + "; ".join(loadable) if loadable else ""))
    section.parts.append("")
    if ws.lint.introduced:
        section.parts.append("**Lint findings introduced**")
        section.parts.append("")
        section.parts.append(
            Table(["severity", "rule", "where", "message"], _lint_rows(ws, True), priority=3)
        )
        section.parts.append("")
    if ws.resolutions:
        contexts = len({r.context for r in ws.resolutions})
        variables = len({r.variable for r in ws.resolutions})
        verb = "selects" if variables == 1 else "select"
        section.parts.append(
            f"**Behaviour changes**: {_plural(variables, 'variable')} {verb} "
            f"a different value in {_plural(contexts, 'declared context')}"
        )
        section.parts.append("")
        section.parts.append(
            Table(["variable", "contexts", "before → after"], _grouped_resolutions(ws), priority=2)
        )
        section.parts.append("")
    if ws.changes:
        rows = [
            [
                _code(c.kind, 40),
                _code(c.target, 60),
                _code(f"{c.path}:{c.line}" if c.line else c.path, 60),
                _code(_value(c.detail), 80),
            ]
            for c in ws.changes
        ]
        section.parts.append(f"<details><summary>Semantic changes ({len(ws.changes)})</summary>")
        section.parts.append("")
        section.parts.append(Table(["kind", "target", "where", "detail"], rows, priority=1))
        section.parts.append("")
        section.parts.append("</details>")
        section.parts.append("")
    if ws.lint.resolved:
        section.parts.append(
            f"<details><summary>Lint findings resolved ({len(ws.lint.resolved)})</summary>"
        )
        section.parts.append("")
        section.parts.append(
            Table(["severity", "rule", "where", "message"], _lint_rows(ws, False), priority=0)
        )
        section.parts.append("")
        section.parts.append("</details>")
        section.parts.append("")
    return section


def _headline(report: DiffReport) -> list[str]:
    s = report.summary
    errors = report.introduced_errors
    base = report.base.get("rev") or "base"
    head = report.head.get("rev") or "head"
    verdict = (
        "🔴 lint errors introduced"
        if errors
        else "🟠 behaviour changes"
        if s["resolution_changes"]
        else "🟢 no behaviour change"
    )
    return [
        MARKER,
        f"## rototo diff `{base}` → `{head}` — {verdict}",
        "",
        f"**{_plural(s['resolution_changes'], 'resolution change')}** · "
        f"{_plural(s['changes'], 'semantic change')} · "
        f"lint {_plural(s['lint_introduced'], 'finding')} introduced "
        f"({_plural(errors, 'error')}), {s['lint_resolved']} resolved · "
        f"{_plural(s['workspaces'], 'workspace')}",
        "",
    ]


def _assemble(head: list[str], sections: list[Section], note: str | None) -> str:
    lines = list(head)
    for section in sections:
        for part in section.parts:
            lines.extend(part.render() if isinstance(part, Table) else [part])
    if note:
        lines.extend(["", note])
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(report: DiffReport, max_chars: int = MAX_CHARS) -> str:
    """The sticky PR comment body for a diff report, at most `max_chars` characters."""
    head = _headline(report)
    shown = [ws for ws in report.workspaces if ws.status != "unchanged" or ws.lint.introduced]
    unchanged = len(report.workspaces) - len(shown)
    if unchanged:
        head.append(f"_{_plural(unchanged, 'workspace')} unchanged._")
        head.append("")
    if not shown:
        head.append("No workspace changed.")
    sections = [_workspace_section(ws) for ws in shown]
    text = _assemble(head, sections, None)
    if len(text) <= max_chars:
        return text
    tables = sorted(
        (part for s in sections for part in s.parts if isinstance(part, Table)),
        key=lambda t: t.priority,
    )
    note = (
        f"⚠️ This comment was shortened to fit GitHub's limit; the full report is in "
        f"{FULL_REPORT_HINT}."
    )
    for table in tables:
        while table.rows:
            text = _assemble(head, sections, note)
            overflow = len(text) - max_chars
            if overflow <= 0:
                return text
            row_len = max(1, sum(len(" | ".join(r)) + 4 for r in table.rows) // len(table.rows))
            drop = max(1, min(len(table.rows), overflow // row_len + 1))
            del table.rows[len(table.rows) - drop :]
            table.dropped += drop
    text = _assemble(head, sections, note)
    if len(text) > max_chars:  # headings alone are too long: cut hard, keep the note
        text = text[: max_chars - len(note) - 2] + "\n" + note + "\n"
    return text
