"""Workspace texts for diff tests."""

from __future__ import annotations

import json

MANIFEST = "schema_version = 1\n"

CONTEXT_SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "account": {
                "type": "object",
                "properties": {"plan": {"type": "string"}, "seats": {"type": "integer"}},
            },
            "user": {"type": "object", "properties": {"id": {"type": "string"}}},
        },
    }
)


def qualifier_plan(plans: list[str]) -> str:
    return (
        'schema_version = 1\n\n[[predicate]]\nattribute = "account.plan"\nop = "in"\n'
        f"value = {json.dumps(plans)}\n"
    )


def qualifier_seats(minimum: int) -> str:
    return (
        'schema_version = 1\n\n[[predicate]]\nattribute = "account.seats"\nop = "gte"\n'
        f"value = {minimum}\n"
    )


def int_variable(values: dict[str, int], default: str, rules: list[tuple[str, str]]) -> str:
    text = 'schema_version = 1\ntype = "int"\n\n[values]\n'
    text += "".join(f"{k} = {v}\n" for k, v in values.items())
    text += f'\n[resolve]\ndefault = "{default}"\n'
    for qualifier, value in rules:
        text += f'\n[[resolve.rule]]\nqualifier = "{qualifier}"\nvalue = "{value}"\n'
    return text


def base_workspace() -> dict[str, str]:
    return {
        "rototo-workspace.toml": MANIFEST,
        "schemas/context.schema.json": CONTEXT_SCHEMA,
        "qualifiers/paid.toml": qualifier_plan(["growth", "enterprise"]),
        "qualifiers/big.toml": qualifier_seats(100),
        "variables/limit.toml": int_variable(
            {"small": 3, "large": 25}, "small", [("paid", "large")]
        ),
        "variables/seats-cap.toml": int_variable(
            {"low": 10, "high": 1000}, "low", [("big", "high")]
        ),
        "contexts/free.json": json.dumps({"account": {"plan": "free", "seats": 1}}),
        "contexts/growth.json": json.dumps({"account": {"plan": "growth", "seats": 150}}),
        "contexts/edu.json": json.dumps({"account": {"plan": "edu", "seats": 500}}),
    }
