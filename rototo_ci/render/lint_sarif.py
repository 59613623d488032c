"""Lint diagnostics as SARIF 2.1.0: one run, rules from the catalog."""

from __future__ import annotations

from typing import Any

from ..engine.diagnostics import Diagnostic
from ..lint.catalog import catalog
from .escape import sarif_uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render_lint_sarif(
    diagnostics: list[Diagnostic],
    version: str,
    path_prefix: str = "",
    extra_rules: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [
        {
            "id": info.rule,
            "name": info.id,
            "shortDescription": {"text": info.title},
            "help": {"text": info.help},
            "defaultConfiguration": {"level": "error" if info.severity == "error" else "warning"},
            "properties": {"entity": info.entity, "stage": info.stage},
        }
        for info in catalog()
    ]
    for extra in extra_rules or []:
        rules.append(
            {
                "id": extra["rule"],
                "shortDescription": {"text": extra.get("title", "")},
                "help": {"text": extra.get("help", "")},
                "defaultConfiguration": {
                    "level": "error" if extra.get("severity") == "error" else "warning"
                },
            }
        )
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        if d.rule not in index:
            index[d.rule] = len(rules)
            rules.append({"id": d.rule, "shortDescription": {"text": d.rule}})
        location: dict[str, Any] = {"artifactLocation": {"uri": sarif_uri(path_prefix + d.path)}}
        if d.range:
            location["region"] = {
                "startLine": d.range.start.line + 1,
                "startColumn": d.range.start.character + 1,
                "endLine": d.range.end.line + 1,
                "endColumn": d.range.end.character + 1,
            }
        results.append(
            {
                "ruleId": d.rule,
                "ruleIndex": index[d.rule],
                "level": "error" if d.is_error else "warning",
                "message": {"text": d.message},
                "locations": [{"physicalLocation": location}],
                "properties": {"stage": d.stage, "entity": d.entity},
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "rototo-ci", "version": version, "rules": rules}},
                "results": results,
            }
        ],
    }
