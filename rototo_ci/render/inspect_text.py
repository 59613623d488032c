"""`rototo inspect` for a terminal: one indented block per entity, traces when given a context."""

from __future__ import annotations

import json
from typing import Any

from rich.padding import Padding
from rich.text import Text

from .console import StringConsole
from .escape import one_line

LIMIT = 100


def _j(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


def _where(location: dict[str, Any]) -> str:
    start = (location.get("range") or {}).get("start")
    if not start:
        return str(location.get("path", ""))
    return f"{location['path']}:{start['line'] + 1}:{start['character'] + 1}"


def _dependency_lines(deps: dict[str, list[str]]) -> list[str]:
    lines = []
    for label, key in (
        ("qualifier", "qualifiers"),
        ("context", "context_paths"),
        ("schema", "schemas"),
        ("resource", "resources"),
    ):
        lines += [f"{label} {item}" for item in deps.get(key, [])]
    return lines


def _diagnostic_lines(items: list[dict[str, Any]]) -> list[str]:
    return [f"{_where(d['location'])}: {d['severity']} {d['rule']} {d['message']}" for d in items]


class _Out:
    def __init__(self, console: StringConsole) -> None:
        self.console = console

    def line(self, indent: int, *parts: Any) -> None:
        # workspace text is untrusted: line breaks and control characters made visible
        safe = [one_line(p) if isinstance(p, str) else (one_line(p[0]), p[1]) for p in parts]
        text = Text.assemble(*safe)
        self.console.print(Padding(text, (0, 0, 0, indent)) if indent else text)

    def section(self, indent: int, title: str, lines: list[str]) -> None:
        if lines:
            self.line(indent, (f"{title}:", "bold"))
            for item in lines:
                self.line(indent + 2, item)


def render_inspect_text(data: dict[str, Any], color: bool = False, width: int | None = None) -> str:
    console = StringConsole(color, width)
    out = _Out(console)
    out.line(0, ("workspace ", "bold"), str(data["workspace"]))
    runtime = data["runtime"]
    if runtime["status"] == "available":
        out.line(0, ("runtime ", "bold"), ("available", "green"))
    else:
        out.line(0, ("runtime ", "bold"), ("unavailable", "red"), f": {runtime['reason']}")
    out.line(0, ("documents ", "bold"), str(len(data["documents"])))
    out.section(0, "diagnostics", _diagnostic_lines(data["diagnostics"]))

    for schema in data["schemas"]:
        console.print()
        out.line(0, ("schema ", "bold"), (schema["path"], "bold cyan"), f"  {schema['status']}")
        if schema.get("error"):
            out.line(2, f"error: {schema['error']}")
        out.section(
            2,
            "consumed by",
            [f"{c['label']}  {_where(c['location'])}" for c in schema["consumers"]],
        )

    for resource in data["resources"]:
        console.print()
        out.line(0, ("resource ", "bold"), (resource["id"], "bold cyan"), f"  {resource['path']}")
        if resource.get("description"):
            out.line(2, resource["description"])
        if resource.get("schema"):
            out.line(2, f"schema: {resource['schema']}")
        out.section(2, "objects", [f"{o['key']} = {_j(o['value'])}" for o in resource["objects"]])
        out.section(
            2,
            "consumed by",
            [f"{c['label']}  {_where(c['location'])}" for c in resource["consumers"]],
        )
        out.section(2, "diagnostics", _diagnostic_lines(resource["diagnostics"]))

    for q in data["qualifiers"]:
        console.print()
        out.line(0, ("qualifier ", "bold"), (q["id"], "bold cyan"), f"  {q['path']}")
        if q.get("description"):
            out.line(2, q["description"])
        predicates = []
        for p in q["predicates"]:
            if p["op"] == "bucket":
                low, high = p.get("range") or ("?", "?")
                detail = f"bucket({_j(p.get('salt'))}) in [{low}, {high})"
            else:
                detail = f"{p['op']} {_j(p.get('value'))}"
            predicates.append(f"#{p['index']} {p['attribute']} {detail}")
        out.section(2, "predicates", predicates)
        out.section(2, "depends on", _dependency_lines(q["dependencies"]))
        out.section(
            2, "consumed by", [f"{c['label']}  {_where(c['location'])}" for c in q["consumers"]]
        )
        out.section(2, "diagnostics", _diagnostic_lines(q["diagnostics"]))
        if "trace" in q:
            trace = q["trace"]
            out.line(
                2,
                ("trace: ", "bold"),
                (str(trace["value"]).lower(), "green" if trace["value"] else "red"),
            )
            for p in trace["predicates"]:
                mark = ("✔", "green") if p["result"] else ("✘", "red")
                out.line(4, mark, f" #{p['index']} {p['attribute']} (actual {_j(p.get('actual'))})")

    for v in data["variables"]:
        console.print()
        out.line(0, ("variable ", "bold"), (v["id"], "bold cyan"), f"  {v['path']}")
        if v.get("description"):
            out.line(2, v["description"])
        out.line(2, f"type: {v['type_source']}")
        out.section(2, "values", [f"{x['key']} = {_j(x['value'])}" for x in v["values"]])
        resolve = v["resolve"]
        rules = [
            f"rule {r['index']}: if {r['qualifier']} -> {r['value']}" for r in resolve["rules"]
        ]
        rules.append(f"default -> {resolve['default_value']}")
        out.section(2, "resolve", rules)
        out.section(2, "depends on", _dependency_lines(v["dependencies"]))
        out.section(2, "diagnostics", _diagnostic_lines(v["diagnostics"]))
        if "trace" in v:
            trace = v["trace"]
            resolution = trace["resolution"]
            out.line(
                2,
                ("trace: ", "bold"),
                (resolution["value_key"], "bold"),
                f" {_j(resolution['value'])}",
            )
            for r in trace["rules"]:
                mark = ("✔ matched", "green") if r["matched"] else ("✘ skipped", "dim")
                out.line(4, f"rule {r['index']}: if {r['qualifier']} -> {r['value']}  ", mark)

    if data["lint_rules"]:
        console.print()
        out.section(
            0,
            "lint rules",
            [f"{r['rule']}  {r['severity']}  {r['title']}" for r in data["lint_rules"]],
        )
    if data["lint_authorities"]:
        console.print()
        out.section(
            0,
            "lint authorities",
            [f"{a['authority']}  {len(a['rules'])} rules" for a in data["lint_authorities"]],
        )
    for linter in data["linters"]:
        console.print()
        out.line(0, ("linter ", "bold"), (linter["id"], "bold cyan"), f"  {linter['path']}")
        out.section(
            2,
            "registrations",
            [
                f"{r['rule']}  {r['stage']} {r['entity']}"
                + (f".{r['field']}" if r["field"] else "")
                + f" -> {r['handler']}"
                for r in linter.get("registrations", [])
            ],
        )
        out.section(2, "diagnostics", _diagnostic_lines(linter["diagnostics"]))
    return console.text()
