"""Seeded random workspaces and contexts for differential tests against the reference engine.

`generate(rng)` returns a lint-clean workspace as {path: text}: qualifiers using every
operator (and qualifier references, acyclic), primitive variables of every type, resource
variables with schema-checked objects, and sometimes a context schema. `contexts(rng, ws)`
returns contexts that satisfy it, miss attributes, use the wrong types, nulls, ints versus
floats, big integers and nested values.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

ATTRIBUTES = {
    "user.id": "string",
    "user.tier": "string",
    "user.age": "integer",
    "user.beta": "boolean",
    "account.seats": "integer",
    "account.score": "number",
    "account.plan": "string",
    "request.country": "string",
    "request.tags": "array",
    "region": "string",
}
STRINGS = ["free", "growth", "enterprise", "DE", "FR", "US", "é", "x y", ""]
# integers at the 64-bit edges, and floats that print oddly or sit next to them
BIG_INTEGERS = [2**63 - 1, -(2**63), 2**63 - 2, -(2**63) + 1, 2**53, 9007199254740993]
ODD_FLOATS = [
    2.8e-05,
    1e-07,
    -2.5e-06,
    9.999e-05,
    1e-10,
    1e16,
    1.5e300,
    -0.0,
    9.223372036854776e18,
    -9.223372036854776e18,
    9007199254740992.0,
    1.8446744073709552e19,
]


def spell(rng: random.Random, value: Any) -> str:
    """TOML text for a value, in one of the spellings the reference reads."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and rng.random() < 0.3:
            return _spell_string(rng, value)
        if isinstance(value, list) and value and rng.random() < 0.4:
            items = [spell(rng, v) for v in value]
            return "[\n  " + ",\n  ".join(items) + rng.choice(["", ","]) + "  # list\n]"
        if isinstance(value, dict) and value and rng.random() < 0.4:
            items = [f"{json.dumps(k)} = {spell(rng, v)}" for k, v in value.items()]
            # line breaks, a comment and a trailing comma: read by the reference (TOML 1.1)
            return "{\n  " + ",\n  ".join(items) + ", # inline\n}"
        return toml_value(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return toml_value(value)
        return rng.choice([repr(value), f"{value:.17e}"])
    roll = rng.random()
    if roll < 0.15 and value >= 0:
        return rng.choice([f"0x{value:X}", f"0o{value:o}", f"0b{value:b}", f"+0x{value:x}"])
    if roll < 0.3 and abs(value) >= 1000:
        return f"{value:_}"
    if roll < 0.4 and value > 0:
        return f"+{value}"
    return repr(value)


def _spell_string(rng: random.Random, text: str) -> str:
    if "'" not in text and rng.random() < 0.5:
        return f"'{text}'"
    escaped = "".join(
        f"\\u{ord(ch):04X}" if ord(ch) > 127 or (ch == "x" and rng.random() < 0.5) else ch
        for ch in text.replace("\\", "\\\\").replace('"', '\\"')
    )
    return f'"{escaped}"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def sample_value(rng: random.Random, kind: str) -> Any:
    if kind == "string":
        return rng.choice(STRINGS)
    if kind == "integer":
        return rng.choice([0, 1, 5, 18, 100, -3, 2**53 + 1, 2**62, *BIG_INTEGERS])
    if kind == "number":
        return rng.choice([0.5, 1.0, 2.25, -1.5, 100.0, 1e-3, *ODD_FLOATS])
    if kind == "boolean":
        return rng.choice([True, False])
    if kind == "array":
        return rng.choice([["a"], ["a", "b"], [1, 2], []])
    return "x"


@dataclass
class Workspace:
    files: dict[str, str] = field(default_factory=dict)
    attributes: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    schema: bool = False
    unions: dict[str, Any] = field(default_factory=dict)
    ordered: set[str] = field(default_factory=set)  # read by gt/gte/lt/lte or bucket


def _predicate(rng: random.Random, ws: Workspace, index: int) -> str:
    if ws.qualifiers and rng.random() < 0.2:
        ref = rng.choice(ws.qualifiers)  # only earlier qualifiers: no cycles
        op = rng.choice(["eq", "neq"])
        return (
            f'[[predicate]]\nattribute = "qualifier.{ref}"\nop = "{op}"\n'
            f"value = {toml_value(rng.choice([True, False]))}\n"
        )
    attribute = rng.choice(list(ATTRIBUTES))
    ws.attributes.append(attribute)
    kind = ATTRIBUTES[attribute]
    if kind in ("string", "integer", "boolean", "number") and rng.random() < 0.2:
        ws.ordered.add(attribute)
        lo = rng.randrange(0, 9999)
        hi = rng.randrange(lo + 1, 10001)
        return (
            f'[[predicate]]\nattribute = "{attribute}"\nop = "bucket"\n'
            f'salt = "salt-{index}-{rng.randrange(100)}"\nrange = [{lo}, {hi}]\n'
        )
    if kind in ("integer", "number"):
        op = rng.choice(["eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in"])
    else:
        op = rng.choice(["eq", "neq", "in", "not_in"])
    if op in ("gt", "gte", "lt", "lte"):
        ws.ordered.add(attribute)
    if op in ("in", "not_in"):
        value: Any = [sample_value(rng, kind) for _ in range(rng.randrange(1, 4))]
    elif op in ("gt", "gte", "lt", "lte"):
        value = sample_value(
            rng, rng.choice(["integer", "number"]) if kind == "number" else "integer"
        )
    else:
        value = sample_value(rng, kind)
    return f'[[predicate]]\nattribute = "{attribute}"\nop = "{op}"\nvalue = {spell(rng, value)}\n'


UNIONS = {
    "integer": [["integer", "string"], ["string", "integer"], ["integer", "null"], ["integer"]],
    "number": [["number", "string"], ["number", "null"]],
    "string": [["string", "integer"], ["string", "null"]],
}


def _schema(rng: random.Random, ws: Workspace) -> dict[str, Any]:
    root: dict[str, Any] = {"type": "object", "properties": {}}
    for attribute, kind in ATTRIBUTES.items():
        node = root
        parts = attribute.split(".")
        for part in parts[:-1]:
            node = node["properties"].setdefault(part, {"type": "object", "properties": {}})
        types: Any = kind
        if kind in UNIONS and attribute not in ws.ordered and rng.random() < 0.4:
            types = rng.choice(UNIONS[kind])  # a union type: only JSON integers are integer
            ws.unions[attribute] = types
        node["properties"][parts[-1]] = {"type": types}
    return root


def _meta(rng: random.Random) -> str:
    """An optional `meta` table written as dotted keys, sub-table first, or inline."""
    return rng.choice(
        [
            "",
            'meta.owner = "ops"\nmeta.tags.team = "core"\n',
            '[meta.labels]\nteam = "core"\n[meta]\nowner = "ops"\n',
            '[meta]\nowner = "ops"\n[meta.labels]\nteam = "core"\n',
            'meta = {\n  owner = "ops", # who\n  labels = { team = "core", },\n}\n',
            'meta.owner = "ops"\n[meta.labels]\nteam = "core"\n',
        ]
    )


PRIMITIVES = {
    "bool": lambda r: r.choice([True, False]),
    "int": lambda r: r.choice([r.randrange(-5, 1000), r.choice(BIG_INTEGERS)]),
    "number": lambda r: r.choice([0.5, 2, 3.75, -1, *r.sample(ODD_FLOATS, 2)]),
    "string": lambda r: r.choice(STRINGS),
    "list": lambda r: r.choice([[1, 2], ["a"], [], [{"k": 1}]]),
}


def generate(rng: random.Random) -> Workspace:
    ws = Workspace(files={"rototo-workspace.toml": "schema_version = 1\n"})
    for q in range(rng.randrange(2, 7)):
        qid = f"q{q}"
        body = "schema_version = 1\n"
        for p in range(rng.randrange(1, 4)):
            body += "\n" + _predicate(rng, ws, q * 10 + p)
        ws.files[f"qualifiers/{qid}.toml"] = body
        ws.qualifiers.append(qid)
    used: set[str] = set()
    if rng.random() < 0.5:
        ws.files["schemas/obj.schema.json"] = json.dumps(
            {
                "type": "object",
                "required": ["limit"],
                "properties": {
                    "limit": {"type": rng.choice(["integer", ["integer", "string"]])},
                    "label": {"type": "string"},
                    "meta": {"type": "object"},
                },
            }
        )
        ws.files["resources/obj.toml"] = (
            'schema_version = 1\nschema = "../schemas/obj.schema.json"\n'
        )
        for o in range(3):
            ws.files[f"resources/obj-objects/o{o}.toml"] = (
                f'limit = {spell(rng, o * 10)}\nlabel = "object {o}"\n' if o != 1 else "limit = 7\n"
            ) + _meta(rng)
        rules = rng.sample(ws.qualifiers, k=min(2, len(ws.qualifiers)))
        used.update(rules)
        body = 'schema_version = 1\ntype = "resource:obj"\n\n[resolve]\ndefault = "o0"\n'
        for i, qid in enumerate(rules):
            body += f'\n[[resolve.rule]]\nqualifier = "{qid}"\nvalue = "o{i + 1}"\n'
        ws.files["variables/res.toml"] = body
        ws.variables.append("res")
    for v in range(rng.randrange(2, 6)):
        vtype = rng.choice(list(PRIMITIVES))
        keys = [f"k{i}" for i in range(rng.randrange(2, 5))]
        values = {k: PRIMITIVES[vtype](rng) for k in keys}
        rules = rng.sample(ws.qualifiers, k=rng.randrange(1, min(4, len(ws.qualifiers)) + 1))
        used.update(rules)
        head = f'schema_version = 1\ntype = "{vtype}"\n'
        dotted = rng.random() < 0.3
        if dotted:  # `values.k = …` and `resolve.default = …`, extended by [[resolve.rule]]
            body = head + "".join(f"values.{k} = {spell(rng, v)}\n" for k, v in values.items())
            body += f'resolve.default = "{keys[0]}"\n'
        else:
            body = head + "\n[values]\n"
            body += "".join(f"{k} = {spell(rng, val)}\n" for k, val in values.items())
            body += f'\n[resolve]\ndefault = "{keys[0]}"\n'
        for i, qid in enumerate(rules):
            key = keys[1 + i % (len(keys) - 1)]
            body += f'\n[[resolve.rule]]\nqualifier = "{qid}"\nvalue = "{key}"\n'
        ws.files[f"variables/v{v}.toml"] = body
        ws.variables.append(f"v{v}")
    if rng.random() < 0.6:
        ws.schema = True
        ws.files["schemas/context.schema.json"] = json.dumps(_schema(rng, ws), indent=1)
    return ws


def _set(context: dict[str, Any], path: str, value: Any) -> None:
    node = context
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def contexts(rng: random.Random, ws: Workspace, count: int = 8) -> list[dict[str, Any]]:
    found = []
    for i in range(count):
        context: dict[str, Any] = {}
        for attribute, kind in ATTRIBUTES.items():
            roll = rng.random()
            if roll < 0.08 and i:
                continue  # missing attribute
            if roll < 0.12 and i and not ws.schema:
                value: Any = None
            elif roll < 0.18 and i and not ws.schema:
                value = sample_value(rng, rng.choice(["string", "integer", "boolean", "array"]))
            elif kind == "integer" and roll < 0.3:
                value = rng.choice(
                    [float(sample_value(rng, "integer")), 2**53, 2**64 - 1, 1, 2.0, 1e21]
                )
                if ws.schema and isinstance(value, float) and rng.random() < 0.5:
                    value = int(value)
            elif kind == "number" and roll < 0.45:
                value = rng.choice([*ODD_FLOATS, *BIG_INTEGERS, 2**64 - 1])
            else:
                value = sample_value(rng, kind)
            _set(context, attribute, value)
        found.append(context)
    return found
