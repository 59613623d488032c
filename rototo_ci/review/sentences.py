"""One human sentence per semantic change: what a reviewer reads instead of `detail` JSON.

Sentences hold untrusted text (ids, values, attribute names); renderers escape them
for their sink like any other workspace text.
"""

from __future__ import annotations

import json
from typing import Any

from .report import Change

OPS = {
    "eq": "=",
    "neq": "≠",
    "in": "in",
    "not_in": "not in",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
}
LIMIT = 60


def _clip(text: str, limit: int = LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def value_text(value: Any, limit: int = LIMIT) -> str:
    """A configuration value as a reviewer reads it: strings bare, lists in brackets."""
    if isinstance(value, str):
        return _clip(value, limit)
    if isinstance(value, list) and all(
        isinstance(v, (str, int, float, bool)) and not isinstance(v, dict) for v in value
    ):
        return _clip("[" + ", ".join(value_text(v, limit) for v in value) + "]", limit)
    return _clip(json.dumps(value, ensure_ascii=False, sort_keys=True), limit)


def percent(buckets: int) -> str:
    return f"{buckets / 100:.2f}"


def range_text(rng: Any) -> str:
    """A bucket range [start, end) as a share of the space: `0–10.00 %`."""
    if not isinstance(rng, (list, tuple)) or len(rng) != 2:
        return "none"
    start, end = rng
    first = "0" if start == 0 else percent(start)
    return f"{first}–{percent(end)} %"


def predicate_text(p: dict[str, Any] | None) -> str:
    if not p:
        return "?"
    if p.get("op") == "bucket":
        return f"bucket({p.get('attribute')}, salt {value_text(p.get('salt'))}) in " + range_text(
            p.get("range")
        )
    op = OPS.get(str(p.get("op")), str(p.get("op")))
    return f"{p.get('attribute')} {op} {value_text(p.get('value'))}"


def rollout_sentence(rollout: dict[str, Any]) -> str:
    """`rollout on account.id: 0–10.00 % → 0–25.00 % (+1,500 buckets enter)`."""
    attribute = rollout.get("attribute")
    kind = rollout.get("kind")
    before = range_text(rollout.get("range_before"))
    after = range_text(rollout.get("range_after"))
    entered, left = int(rollout.get("entered", 0)), int(rollout.get("left", 0))
    moves = []
    if entered:
        moves.append(f"+{entered:,} buckets enter")
    if left:
        moves.append(f"−{left:,} leave" if entered else f"−{left:,} buckets leave")
    counts = f" ({', '.join(moves)})" if moves else ""
    if kind == "reshuffled":
        what = []
        if rollout.get("attribute_before") not in (None, attribute):
            what.append(f"attribute {rollout.get('attribute_before')} → {attribute}")
        if rollout.get("salt_before") != rollout.get("salt_after"):
            what.append(
                f"salt {value_text(rollout.get('salt_before'))} → "
                f"{value_text(rollout.get('salt_after'))}"
            )
        expected = f" (expected: {', '.join(moves)})" if moves else ""
        return (
            f"rollout on {attribute} reshuffled ({'; '.join(what) or 'new draw'}): "
            f"{before} → {after}{expected}"
        )
    if rollout.get("range_before") is None:
        return f"rollout on {attribute} added: {after}{counts}"
    if rollout.get("range_after") is None:
        return f"rollout on {attribute} removed: was {before}{counts}"
    return f"rollout on {attribute}: {before} → {after}{counts}"


def _keyed(d: dict[str, Any], side: str) -> str:
    """A value key with its value when the change knows it: `small (3)`."""
    key = value_text(d.get(side))
    if f"{side}_value" not in d:
        return key
    value = value_text(d[f"{side}_value"], 30)
    return key if value == key else f"{key} ({value})"


def _rule_text(rule: dict[str, Any] | None) -> str:
    if not rule:
        return "?"
    return f"{rule.get('qualifier')} → {rule.get('value')}"


def _number(detail: dict[str, Any], key: str = "index") -> str:
    index = detail.get(key)
    return str(index + 1) if isinstance(index, int) else "?"


def _object_fields(before: Any, after: Any) -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(
            k
            for k in before.keys() | after.keys()
            if k not in before or k not in after or before[k] != after[k]
        )
        if len(keys) == 1 and keys[0] in before and keys[0] in after:
            return (
                f"{keys[0]}: {value_text(before[keys[0]], 30)} → {value_text(after[keys[0]], 30)}"
            )
        if keys:
            shown = ", ".join(keys[:4]) + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")
            return f"{shown} changed"
    return f"{value_text(before, 30)} → {value_text(after, 30)}"


def summarize(change: Change) -> str:
    """The sentence for one change (never raw JSON of the whole detail)."""
    d = change.detail
    kind = change.kind
    if kind == "variable_added":
        return f"variable added (type {d.get('type')})"
    if kind == "variable_removed":
        return "variable removed"
    if kind == "variable_type_changed":
        return f"type: {d.get('before')} → {d.get('after')}"
    if kind == "variable_default_changed":
        return f"default: {_keyed(d, 'before')} → {_keyed(d, 'after')}"
    if kind == "variable_value_added":
        return f"value {d.get('key')} added: {value_text(d.get('after'))}"
    if kind == "variable_value_removed":
        return f"value {d.get('key')} removed (was {value_text(d.get('before'))})"
    if kind == "variable_value_changed":
        return f"value {d.get('key')}: {value_text(d.get('before'))} → {value_text(d.get('after'))}"
    if kind == "variable_rule_added":
        return f"rule {_number(d)} added: {_rule_text(d.get('after'))}"
    if kind == "variable_rule_removed":
        return f"rule {_number(d)} removed: {_rule_text(d.get('before'))}"
    if kind == "variable_rule_changed":
        before, after = d.get("before") or {}, d.get("after") or {}
        if before.get("qualifier") == after.get("qualifier"):
            return (
                f"rule {_number(d)} ({after.get('qualifier')}): "
                f"{before.get('value')} → {after.get('value')}"
            )
        if before.get("value") == after.get("value"):
            return (
                f"rule {_number(d)}: {before.get('qualifier')} → {after.get('qualifier')} "
                f"(value {after.get('value')})"
            )
        return f"rule {_number(d)}: {_rule_text(before)} becomes {_rule_text(after)}"
    if kind in ("qualifier_added", "qualifier_removed"):
        predicates = d.get("predicates") or []
        text = " and ".join(predicate_text(p) for p in predicates[:3])
        if len(predicates) > 3:
            text += f" and {len(predicates) - 3} more"
        verb = "added" if kind == "qualifier_added" else "removed"
        return f"qualifier {verb}: {text}" if text else f"qualifier {verb}"
    if kind.startswith("qualifier_predicate_"):
        return _predicate_sentence(kind, d)
    if kind == "resource_added":
        return "resource added"
    if kind == "resource_removed":
        return "resource removed"
    if kind == "resource_schema_changed":
        return f"schema: {d.get('before')} → {d.get('after')}"
    if kind == "resource_object_added":
        return f"object {d.get('key')} added"
    if kind == "resource_object_removed":
        return f"object {d.get('key')} removed"
    if kind == "resource_object_changed":
        return f"object {d.get('key')}: {_object_fields(d.get('before'), d.get('after'))}"
    if kind == "schema_changed":
        what = "context schema" if d.get("context_schema") else "schema"
        return f"{what} {d.get('change', 'modified')}"
    if kind == "context_added":
        return "context added"
    if kind == "context_removed":
        return "context removed"
    if kind == "context_changed":
        return f"context changed: {_object_fields(d.get('before'), d.get('after'))}"
    if kind == "lint_rule_file_changed":
        return f"custom lint file {d.get('change', 'modified')}"
    return kind.replace("_", " ")


def _predicate_sentence(kind: str, d: dict[str, Any]) -> str:
    number = _number(d)
    rollout = d.get("rollout")
    if isinstance(rollout, dict):
        return f"predicate {number}: " + rollout_sentence(rollout)
    if kind == "qualifier_predicate_added":
        return f"predicate {number} added: {predicate_text(d.get('after'))}"
    if kind == "qualifier_predicate_removed":
        return f"predicate {number} removed: {predicate_text(d.get('before'))}"
    before, after = d.get("before") or {}, d.get("after") or {}
    if before.get("attribute") == after.get("attribute") and before.get("op") == after.get("op"):
        return f"predicate {number}: {predicate_text(before)} → {value_text(after.get('value'))}"
    return f"predicate {number}: {predicate_text(before)} → {predicate_text(after)}"
