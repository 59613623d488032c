"""Lint diagnostics as GitHub workflow commands, errors first, capped per severity."""

from __future__ import annotations

from ..engine.diagnostics import Diagnostic
from .escape import command_data as escape_data
from .escape import command_property as escape_property

PER_KIND = 10


def annotation(d: Diagnostic, path_prefix: str = "") -> str:
    props = [f"file={escape_property(path_prefix + d.path)}"]
    if d.range:
        props += [
            f"line={d.range.start.line + 1}",
            f"col={d.range.start.character + 1}",
            f"endLine={d.range.end.line + 1}",
            f"endColumn={d.range.end.character + 1}",
        ]
    else:
        props.append("line=1")
    props.append(f"title={escape_property(d.rule)}")
    kind = "error" if d.is_error else "warning"
    return f"::{kind} {','.join(props)}::{escape_data(d.message)}"


def render_lint_github(diagnostics: list[Diagnostic], path_prefix: str = "") -> str:
    lines: list[str] = []
    left_out = 0
    for severity in ("error", "warning"):
        items = [d for d in diagnostics if d.severity == severity]
        lines += [annotation(d, path_prefix) for d in items[:PER_KIND]]
        left_out += max(0, len(items) - PER_KIND)
    if left_out:
        lines.append(
            f"::notice title=rototo lint::{left_out} more finding(s) not annotated; "
            "see the log for the full report"
        )
    return "\n".join(lines) + ("\n" if lines else "")
