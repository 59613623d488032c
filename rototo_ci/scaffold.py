"""`rototo init`: workspace and entity templates, and a context schema inferred from qualifiers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from .engine.errors import RototoError
from .lint.stages.context_schema import json_type

ID_PATTERN = "lowercase letters, digits, '-' and '_'"


@dataclass
class PlannedWrite:
    path: Path
    text: str
    exists: bool


def _check_id(kind: str, ident: str) -> None:
    if not ident or not all(c.islower() or c.isdigit() or c in "-_" for c in ident):
        raise RototoError(f"{kind} id {ident!r} must use {ID_PATTERN}")


def manifest_template() -> str:
    doc = tomlkit.document()
    doc.add("schema_version", 1)
    return tomlkit.dumps(doc)


def qualifier_template(ident: str) -> str:
    doc = tomlkit.document()
    doc.add("schema_version", 1)
    doc.add("description", f"TODO: describe when {ident} matches")
    predicates = tomlkit.aot()
    predicate = tomlkit.table()
    predicate.add("attribute", "account.plan")
    predicate.add("op", "eq")
    predicate.add("value", "enterprise")
    predicates.append(predicate)
    doc.add("predicate", predicates)
    return tomlkit.dumps(doc)


def variable_template(ident: str, qualifier: str | None) -> str:
    doc = tomlkit.document()
    doc.add("schema_version", 1)
    doc.add("description", f"TODO: describe {ident}")
    doc.add("type", "int")
    values = tomlkit.table()
    values.add("standard", 1)
    if qualifier:
        values.add("expanded", 10)
    doc.add("values", values)
    resolve = tomlkit.table()
    resolve.add("default", "standard")
    if qualifier:
        rules = tomlkit.aot()
        rule = tomlkit.table()
        rule.add("qualifier", qualifier)
        rule.add("value", "expanded")
        rules.append(rule)
        resolve.add("rule", rules)
    doc.add("resolve", resolve)
    return tomlkit.dumps(doc)


def resource_templates(ident: str) -> dict[str, str]:
    resource = tomlkit.document()
    resource.add("schema_version", 1)
    resource.add("description", f"TODO: describe {ident} objects")
    resource.add("schema", f"../schemas/{ident}.schema.json")
    obj = tomlkit.document()
    obj.add("enabled", True)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["enabled"],
        "properties": {"enabled": {"type": "boolean"}},
        "additionalProperties": True,
    }
    variable = tomlkit.document()
    variable.add("schema_version", 1)
    variable.add("description", f"TODO: describe the selected {ident}")
    variable.add("type", f"resource:{ident}")
    resolve = tomlkit.table()
    resolve.add("default", "default")
    variable.add("resolve", resolve)
    return {
        f"resources/{ident}.toml": tomlkit.dumps(resource),
        f"resources/{ident}-objects/default.toml": tomlkit.dumps(obj),
        f"schemas/{ident}.schema.json": json.dumps(schema, indent=2) + "\n",
        f"variables/{ident}.toml": tomlkit.dumps(variable),
    }


def _merge_type(current: Any, new: Any) -> Any:
    if current is None or current == new:
        return new
    types = set(current if isinstance(current, list) else [current])
    types |= set(new if isinstance(new, list) else [new])
    if types == {"integer", "number"}:
        return "number"
    return sorted(types)


def infer_context_schema(root: Path) -> dict[str, Any]:
    """A context schema declaring every attribute the workspace's qualifiers read."""
    from .engine.workspace import Workspace

    workspace = Workspace.inspect(str(root)) if (root / "rototo-workspace.toml").is_file() else None
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {},
    }
    if workspace is None:
        return schema
    for qualifier in workspace.model.qualifiers.values():
        for predicate in qualifier.predicates:
            if predicate.qualifier_ref is not None:
                continue
            if predicate.op == "bucket":
                kind: Any = ["integer", "string"]
            elif predicate.op in ("gt", "gte", "lt", "lte"):
                kind = "number"
            elif predicate.op in ("in", "not_in"):
                kind = None
                for item in predicate.value:
                    kind = _merge_type(kind, json_type(item))
            else:
                kind = json_type(predicate.value)
            node = schema
            for part in predicate.path[:-1]:
                node = node["properties"].setdefault(part, {"type": "object", "properties": {}})
                node.setdefault("properties", {})
            leaf = node["properties"].setdefault(predicate.path[-1], {})
            leaf["type"] = _merge_type(leaf.get("type"), kind) if kind else leaf.get("type")
            if leaf["type"] is None:
                del leaf["type"]
    return schema


SAMPLE_CONTEXT = "contexts/example.json"
SAMPLE_VALUES: dict[str, Any] = {
    "string": "example",
    "integer": 1,
    "number": 1,
    "boolean": False,
    "array": [],
    "null": None,
}


def predicate_hints(root: Path) -> dict[str, Any]:
    """A value each context attribute could take that makes its predicate true."""
    from .engine.workspace import Workspace

    if not (root / "rototo-workspace.toml").is_file():
        return {}
    hints: dict[str, Any] = {}
    for qualifier in Workspace.inspect(str(root)).model.qualifiers.values():
        for p in qualifier.predicates:
            if p.qualifier_ref is not None or p.attribute in hints:
                continue
            if p.op in ("eq", "gte", "lte"):
                hints[p.attribute] = p.value
            elif p.op == "in" and isinstance(p.value, list) and p.value:
                hints[p.attribute] = p.value[0]
    return hints


def sample_context(schema: dict[str, Any], hints: dict[str, Any], prefix: str = "") -> Any:
    """An object satisfying an inferred context schema, using `hints` where they fit."""
    out: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        kind = prop.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "object" in kinds:
            out[name] = sample_context(prop, hints, path + ".")
        elif path in hints and (kind is None or json_type(hints[path]) in kinds):
            out[name] = hints[path]
        elif kinds[0] in SAMPLE_VALUES:
            out[name] = SAMPLE_VALUES[kinds[0]]
        else:
            out[name] = "example"
    return out


def plan(
    root: Path, variables: list[str], qualifiers: list[str], resources: list[str], context: bool
) -> list[PlannedWrite]:
    files: dict[str, str] = {}
    if not (root / "rototo-workspace.toml").exists():
        files["rototo-workspace.toml"] = manifest_template()
    for ident in qualifiers:
        _check_id("qualifier", ident)
        files[f"qualifiers/{ident}.toml"] = qualifier_template(ident)
    for ident in variables:
        _check_id("variable", ident)
        files[f"variables/{ident}.toml"] = variable_template(
            ident, qualifiers[0] if qualifiers else None
        )
    for ident in resources:
        _check_id("resource", ident)
        files.update(resource_templates(ident))
    if context:
        schema = infer_context_schema(root)
        if qualifiers:  # templates written in this run read account.plan
            account = schema["properties"].setdefault(
                "account", {"type": "object", "properties": {}}
            )
            account["properties"].setdefault("plan", {"type": "string"})
        files["schemas/context.schema.json"] = json.dumps(schema, indent=2) + "\n"
        if not (root / SAMPLE_CONTEXT).exists():
            hints = predicate_hints(root)
            if qualifiers:
                hints.setdefault("account.plan", "enterprise")
            files[SAMPLE_CONTEXT] = json.dumps(sample_context(schema, hints), indent=2) + "\n"
    return [PlannedWrite(root / rel, text, (root / rel).exists()) for rel, text in files.items()]


def apply(writes: list[PlannedWrite], force: bool) -> None:
    from .files import write_atomic

    existing = [w.path for w in writes if w.exists]
    if existing and not force:
        raise RototoError(f"refusing to overwrite {existing[0]} (use --force)")
    for write in writes:
        write_atomic(write.path, write.text)
