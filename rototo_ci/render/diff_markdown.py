"""The PR comment: counts first, tables, long parts folded, never over the size limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..review.report import DiffReport, Outcome, WorkspaceDiff
from ..review.witness_names import suggested_file
from .diff_groups import (
    KIND_TITLES,
    clip,
    group_cells,
    group_rollouts,
    outcome_text,
    shown_workspaces,
    transition_parts,
    where,
)
from .escape import md_cell, md_code

MARKER = "<!-- rototo-ci -->"
MAX_CHARS = 65_536
ROW_CAP = 600
FULL_REPORT_HINT = "the job summary and the JSON report (`rototo diff --format json`)"


def _code(text: str, limit: int = 80) -> str:
    return md_code(clip(str(text), limit))


def outcome_md(outcome: Outcome) -> str:
    if outcome is not None and "error" in outcome:
        return "⚠️ " + _code(outcome_text(outcome, 60), 100)
    return _code(outcome_text(outcome), 70)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


@dataclass
class Table:
    """A markdown table whose rows may be dropped from the end to fit the size limit."""

    header: list[str]
    rows: list[list[str]]
    priority: int  # lower numbers are dropped first
    dropped: int = 0

    def __post_init__(self) -> None:
        # no comment holds more rows than this within the size limit: count the rest at once
        if len(self.rows) > ROW_CAP:
            self.dropped += len(self.rows) - ROW_CAP
            del self.rows[ROW_CAP:]

    def render(self) -> list[str]:
        lines = [
            "| " + " | ".join(self.header) + " |",
            "|" + "|".join(" --- " for _ in self.header) + "|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.dropped:
            lines.append("")
            lines.append(
                f"_… {_plural(self.dropped, 'more row')} not shown: the JSON report "
                "(`--output json=PATH`) has them all._"
            )
        return lines


@dataclass
class Section:
    parts: list[str | Table] = field(default_factory=list)


CONTEXTS_SHOWN = 6
KIND_ICONS = {"broken": "🔴", "changed": "🟠", "fixed": "🟢", "added": "➕", "removed": "➖"}


def _contexts(names: list[str]) -> str:
    shown = ", ".join(_code(c, 60) for c in names[:CONTEXTS_SHOWN])
    if len(names) > CONTEXTS_SHOWN:
        shown += f" +{len(names) - CONTEXTS_SHOWN:,} more"
    return shown


def _cell_rows(ws: WorkspaceDiff, kinds: tuple[str, ...], repo_paths: bool) -> list[list[str]]:
    """One row per (target, before, after), listing the contexts it happens in."""
    rows = []
    for group in group_cells([r for r in ws.resolutions if r.kind in kinds]):
        location = where(ws, group.path, group.line, repo_paths)
        rows.append(
            [
                f"{KIND_ICONS.get(group.kind, '')} {group.kind}",
                _code(group.label, 50),
                _contexts(group.contexts),
                f"{outcome_md(group.before)} → {outcome_md(group.after)}",
                _code(location, 60) if location else "",
            ]
        )
    return rows


def _lint_rows(ws: WorkspaceDiff, introduced: bool, repo_paths: bool) -> list[list[str]]:
    items = ws.lint.introduced if introduced else ws.lint.resolved
    rows = []
    for d in sorted(items, key=lambda d: (not d.is_error, d.path, d.rule)):
        line = d.range.start.line + 1 if d.range else None
        icon = "🔴" if d.is_error else "🟡"
        rows.append(
            [
                f"{icon} {'error' if d.is_error else 'warning'}",
                _code(d.rule, 60),
                _code(where(ws, d.path, line, repo_paths), 60),
                md_cell(clip(d.message, 200)),
            ]
        )
    return rows


def _transitions(transitions: list[dict[str, Any]]) -> str:
    shown, left = transition_parts(transitions)
    text = "; ".join(f"{_code(b, 40)} → {_code(a, 40)}: {n:,}" for b, a, n in shown)
    return text + (f"; +{left} more" if left else "")


def _rollout_rows(ws: WorkspaceDiff) -> list[list[str]]:
    rows = []
    for g in group_rollouts(ws.rollouts):
        share = f"{g.buckets_changed / 100:.2f} %"
        if g.reshuffled:
            share += " (expected, reshuffled)"
        rows.append(
            [
                _code(g.variable, 50),
                _contexts(g.contexts),
                _code(g.attribute, 40),
                f"{share} ({g.buckets_changed:,} buckets)",
                _transitions(g.transitions),
            ]
        )
    return rows


def _uncovered_rows(ws: WorkspaceDiff, repo_paths: bool) -> list[list[str]]:
    import json

    rows = []
    for item in ws.uncovered:
        if item.get("context") is None:
            witness = "none found by the bounded search"
        else:
            transition = f"{outcome_md(item.get('before'))} → {outcome_md(item.get('after'))}"
            context = json.dumps(item["context"], ensure_ascii=False, sort_keys=True)
            name = suggested_file(item) or ""
            name = ws.file_path(name) if repo_paths else name
            witness = (
                f"<details><summary>{transition}</summary>"
                f"{_code(name, 90)}: {_code(context, 400)}</details>"
            )
        rows.append(
            [
                _code(str(item.get("variable")), 60),
                _code(str(item.get("target")), 60),
                _code(where(ws, item.get("path"), item.get("line"), repo_paths), 60),
                witness,
            ]
        )
    return rows


def _workspace_section(ws: WorkspaceDiff, repo_paths: bool) -> Section:
    section = Section()
    add = section.parts.append
    loadable = []
    if ws.base_loadable is False:
        loadable.append("base is **not loadable** (lint errors)")
    if ws.head_loadable is False:
        loadable.append("head is **not loadable** (lint errors): resolutions not computed")
    kinds = {k: len(ws.cells(k)) for k in KIND_TITLES}
    counts = [f"🔴 **{_plural(kinds['broken'], 'broken context')}**"] if kinds["broken"] else []
    counts += [f"{kinds[k]:,} {k}" for k in ("changed", "fixed", "added", "removed") if kinds[k]]
    counts.append(_plural(len(ws.changes), "semantic change"))
    counts.append(f"lint +{len(ws.lint.introduced)} / −{len(ws.lint.resolved)}")
    add(f"### {_code(ws.path, 80)} — {ws.status}")
    add("")
    add(" · ".join(counts) + (" · " + "; ".join(loadable) if loadable else ""))
    add("")
    header = ["", "target", "contexts", "before → after", "where"]
    if kinds["broken"]:
        add(
            "**🔴 Broken contexts**: resolved on the base, fail on the head "
            "(an application would get an error)"
        )
        add("")
        add(Table(header, _cell_rows(ws, ("broken",), repo_paths), priority=5))
        add("")
    if ws.lint.introduced:
        add("**Lint findings introduced**")
        add("")
        add(
            Table(
                ["severity", "rule", "where", "message"],
                _lint_rows(ws, True, repo_paths),
                priority=4,
            )
        )
        add("")
    others = ("changed", "fixed", "added", "removed")
    if any(kinds[k] for k in others):
        cells = [r for r in ws.resolutions if r.kind in others]
        contexts = len({r.context for r in cells})
        targets = len({r.variable for r in cells})
        verb = "selects" if targets == 1 else "select"
        add(
            f"**Behaviour changes**: {_plural(targets, 'target')} {verb} a different value in "
            f"{_plural(contexts, 'declared context')}"
        )
        add("")
        add(Table(header, _cell_rows(ws, others, repo_paths), priority=3))
        add("")
    if ws.rollouts:
        add("**Rollout impact**: share of the 10,000 buckets whose selected value changes")
        add("")
        add(
            Table(
                ["variable", "contexts", "attribute", "buckets changed", "transitions"],
                _rollout_rows(ws),
                priority=2,
            )
        )
        add("")
    if ws.uncovered:
        add(
            "**Changes no declared context exercises**: a synthesized witness context "
            "shows what each one changes (add it under `contexts/` to cover it)"
        )
        add("")
        add(Table(["variable", "change", "where", "witness"], _uncovered_rows(ws, repo_paths), 2))
        add("")
    if ws.changes:
        rows = [
            [
                md_cell(clip(c.summary or c.kind, 160)),
                _code(c.target, 60),
                _code(where(ws, c.path, c.line, repo_paths), 60),
            ]
            for c in ws.changes
        ]
        add(f"<details><summary>Semantic changes ({len(ws.changes):,})</summary>")
        add("")
        add(Table(["change", "target", "where"], rows, priority=1))
        add("")
        add("</details>")
        add("")
    if ws.lint.resolved:
        add(f"<details><summary>Lint findings resolved ({len(ws.lint.resolved):,})</summary>")
        add("")
        add(
            Table(
                ["severity", "rule", "where", "message"],
                _lint_rows(ws, False, repo_paths),
                priority=0,
            )
        )
        add("")
        add("</details>")
        add("")
    return section


def _headline(report: DiffReport) -> list[str]:
    s = report.summary
    errors = report.introduced_errors
    base = report.base.get("rev") or "base"
    head = report.head.get("rev") or "head"
    if s["broken"]:
        verdict = f"🔴 {_plural(s['broken'], 'broken context')}"
        if errors:
            verdict += f", {_plural(errors, 'lint error')} introduced"
    elif errors:
        verdict = "🔴 lint errors introduced"
    elif s["resolution_changes"]:
        verdict = "🟠 behaviour changes"
    else:
        verdict = "🟢 no behaviour change"
    counts = []
    if s["broken"]:
        counts.append(f"🔴 **{_plural(s['broken'], 'broken context')}**")
    counts.append(f"**{s['changed']:,} changed**")
    counts += [f"{s[k]:,} {k}" for k in ("fixed", "added", "removed") if s.get(k)]
    counts.append(_plural(s["changes"], "semantic change"))
    counts.append(
        f"lint {_plural(s['lint_introduced'], 'finding')} introduced "
        f"({_plural(errors, 'error')}), {s['lint_resolved']:,} resolved"
    )
    counts.append(_plural(s["workspaces"], "workspace"))
    return [
        MARKER,
        f"## rototo diff {_code(base, 60)} → {_code(head, 60)} — {verdict}",
        "",
        " · ".join(counts),
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
    shown = shown_workspaces(report.workspaces)
    repo_paths = len(shown) > 1
    unchanged = len(report.workspaces) - len(shown)
    if unchanged:
        head.append(f"_{_plural(unchanged, 'workspace')} unchanged._")
        head.append("")
    if not shown:
        head.append("No workspace changed.")
    sections = [_workspace_section(ws, repo_paths) for ws in shown]
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
