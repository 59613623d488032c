"""Findings of rototo-ci's own input guards (SPEC §8), under the `rototo-ci/` authority.

The reference engine has no such rules: it follows any `extends` and matches
schema patterns with a backtracking-free engine of its own. These findings are
where rototo-ci refuses hostile input that the reference would act on.
"""

from __future__ import annotations

from typing import Any

from .diagnostics import Diagnostic
from .documents import Range

AUTHORITY = "rototo-ci"
EXTENDS_REFUSED = f"{AUTHORITY}/extends-refused"
SCHEMA_PATTERN_UNSUPPORTED = f"{AUTHORITY}/schema-pattern-unsupported"

RULES: dict[str, dict[str, str]] = {
    EXTENDS_REFUSED: {
        "severity": "error",
        "entity": "workspace",
        "stage": "discover",
        "title": "extends leaves the repository or names a remote source",
        "help": (
            "Keep parents inside the repository that holds the workspace, or pass "
            "--allow-external-extends when you trust the source."
        ),
    },
    SCHEMA_PATTERN_UNSUPPORTED: {
        "severity": "error",
        "entity": "schema",
        "stage": "project",
        "title": "schema pattern cannot be matched in linear time",
        "help": (
            "Rewrite the pattern without backreferences or lookaround (RE2 syntax), or shorten it."
        ),
    },
}


def _diagnostic(
    rule: str, path: str, entity: dict[str, Any], message: str, where: Range | None
) -> Diagnostic:
    info = RULES[rule]
    return Diagnostic(
        rule=rule,
        severity=info["severity"],
        stage=info["stage"],
        entity=entity,
        message=message,
        help=info["help"],
        path=path,
        range=where,
        related=[],
    )


def pattern_diagnostic(path: str, problem: str) -> Diagnostic:
    return _diagnostic(
        SCHEMA_PATTERN_UNSUPPORTED, path, {"kind": "schema", "path": path}, problem, None
    )


def extends_diagnostic(path: str, message: str, where: Range | None) -> Diagnostic:
    return _diagnostic(EXTENDS_REFUSED, path, {"kind": "manifest"}, message, where)


def extends_findings(documents: list[Any], refused: list[Any]) -> list[Diagnostic]:
    """One error per refused `extends` entry, located on that entry of the manifest."""
    from .diagnostics import node_range
    from .tree import MANIFEST

    manifest: Any = next((d for d in documents if d.kind == "manifest"), None)
    items: list[Any] = []
    if manifest is not None and manifest.toml is not None:
        node = manifest.toml.get("extends")
        items = list(getattr(node, "items", None) or [])
    findings = []
    for refusal in refused:
        where = None
        for item in items:
            if item.plain() == refusal.entry:
                where = node_range(manifest, item)
                break
        findings.append(extends_diagnostic(MANIFEST, refusal.message, where))
    return findings
