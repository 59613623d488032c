"""Resolution traces for a terminal: the rules walked, predicates with actual vs expected."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from ..engine.resolve import QualifierTrace, VariableTrace
from .console import StringConsole
from .escape import one_line

DETAIL_LIMIT = 80


def _j(value: Any, limit: int | None = DETAIL_LIMIT) -> str:
    text = one_line(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _mark(ok: bool) -> tuple[str, str]:
    return ("✔", "green") if ok else ("✘", "red")


def _qualifier_lines(
    trace: QualifierTrace, indent: str, known: dict[str, QualifierTrace], seen: frozenset[str]
) -> list[Text]:
    """A qualifier, its predicates, and (nested) the qualifiers its predicates read."""
    mark = _mark(trace.value)
    lines = [
        Text.assemble(
            indent,
            mark,
            " qualifier ",
            (one_line(trace.id), "bold"),
            " = ",
            (str(trace.value).lower(), mark[1]),
        )
    ]
    seen = seen | {trace.id}
    for p in trace.predicates:
        pmark = _mark(p.result)
        if p.kind == "bucket" and p.bucket:
            b = p.bucket
            detail = (
                f"bucket({one_line(repr(b['salt']))}, {one_line(p.attribute)}) = "
                f"{one_line(str(b.get('value')))} in "
                f"[{b['start']}, {b['end']})"
            )
        else:
            detail = (
                f"{one_line(p.attribute)} {one_line(p.op)} {_j(p.expected)} (actual {_j(p.actual)})"
            )
        lines.append(Text.assemble(indent, "    ", pmark, f" #{p.index} ", detail))
        if p.qualifier and p.qualifier in known and p.qualifier not in seen:
            lines.extend(_qualifier_lines(known[p.qualifier], indent + "        ", known, seen))
    return lines


def render_variable_trace(trace: VariableTrace) -> list[Text]:
    r = trace.resolution
    lines = [
        Text.assemble(
            ("variable ", "bold"),
            (one_line(r.id), "bold cyan"),
            " = ",
            (one_line(str(r.value_key)), "bold"),
            " ",
            (_j(r.value, None), "cyan"),
        )
    ]
    known = {q.id: q for q in trace.qualifier_traces}
    for rule in trace.rules:
        mark = ("✔ matched", "green") if rule.matched else ("✘ not matched", "dim")
        lines.append(
            Text.assemble(
                f"  rule {rule.index}: qualifier ",
                (one_line(rule.qualifier), "bold"),
                f" -> {one_line(str(rule.value))}  ",
                mark,
            )
        )
        if rule.qualifier in known:
            lines.extend(_qualifier_lines(known[rule.qualifier], "      ", known, frozenset()))
    if not any(rule.matched for rule in trace.rules):
        lines.append(Text(f"  default: {one_line(str(trace.default_value))}", style="yellow"))
    return lines


def render_resolve_text(
    variables: list[VariableTrace],
    qualifiers: list[QualifierTrace],
    errors: list[str],
    color: bool = False,
    width: int | None = None,
) -> str:
    """`width` is the terminal's (long lines wrap at words) or None (never wrapped)."""
    console = StringConsole(color, width)
    for trace in variables:
        for line in render_variable_trace(trace):
            console.print_line(line)
    known = {q.id: q for q in qualifiers}
    for qtrace in qualifiers:
        for line in _qualifier_lines(qtrace, "", known, frozenset()):
            console.print_line(line)
    for error in errors:
        console.print(Text(f"error: {one_line(error)}", style="bold red"))
    return console.text()
