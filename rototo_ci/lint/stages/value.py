"""Value stage: primitive values against types, resource objects against their schemas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...engine.model import PRIMITIVE_TYPES, Resource
from ...engine.schema_messages import describe_at
from ...engine.schema_validation import first_error_text
from ...engine.tomlspan import TTable

if TYPE_CHECKING:
    from ..run import LintContext

RESOURCE_KEY = "x-rototo-resource"


def matches_type(type_name: str, value: Any) -> bool:
    if type_name == "bool":
        return isinstance(value, bool)
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "list":
        return isinstance(value, list)
    return False


def resource_references(schema: Any, value: Any, path: str = "$") -> Iterator[tuple[str, str, Any]]:
    """(json path, resource id, referenced key) for every x-rototo-resource field in a value."""
    if not isinstance(schema, dict):
        return
    target = schema.get(RESOURCE_KEY)
    if isinstance(target, str) and isinstance(value, str):
        yield path, target, value
    properties = schema.get("properties")
    if isinstance(properties, dict) and isinstance(value, dict):
        for name, sub in properties.items():
            if name in value:
                yield from resource_references(sub, value[name], f"{path}.{name}")
    items = schema.get("items")
    if isinstance(items, dict) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from resource_references(items, item, f"{path}[{index}]")
    for keyword in ("allOf", "anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            for branch in branches:
                yield from resource_references(branch, value, path)


def _variables(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    for variable in model.variables.values():
        if not variable.type or variable.resource is not None:
            continue
        table = variable.doc.toml
        assert table is not None
        if variable.type not in PRIMITIVE_TYPES:
            out.add(
                "variable-unknown-type",
                variable.doc,
                {"kind": "variable", "id": variable.id},
                f"variable declares unknown type: {variable.type}",
                table.get("type"),
            )
            continue
        values_node = table.get("values")
        for key, value in (variable.values or {}).items():
            if not matches_type(variable.type, value):
                node = values_node.get(key) if isinstance(values_node, TTable) else None
                out.add(
                    "variable-value-type-mismatch",
                    variable.doc,
                    {"kind": "value", "variable": variable.id, "key": key},
                    f"value {key} does not match type {variable.type}",
                    node,
                )


def _objects(ctx: LintContext, resource: Resource) -> None:
    model, out = ctx.model, ctx.out
    if resource.schema_path is None:
        return
    schema = model.schemas.get(resource.schema_path)
    validator = ctx.validators.get(resource.schema_path)
    if schema is None or validator is None:
        return
    for key in sorted(resource.objects):
        obj = resource.objects[key]
        doc = obj.doc
        entity = {"kind": "resource_object", "resource": resource.id, "key": key}
        whole = doc.lines.range(0, len(doc.text or ""))
        problem = first_error_text(validator, obj.value, describe_at)
        if problem is not None:
            out.add(
                "resource-object-schema-mismatch",
                doc,
                entity,
                f"resource object {key} does not match schema: {problem}",
                whole,
            )
            continue
        for path, target, ref in resource_references(schema.value, obj.value):
            owner = model.resources.get(target)
            if owner is None:
                out.add(
                    "resource-object-unknown-reference",
                    doc,
                    entity,
                    f"{path} references unknown resource: {target}",
                    whole,
                )
            elif ref not in owner.objects:
                out.add(
                    "resource-object-unknown-reference",
                    doc,
                    entity,
                    f"{path} references unknown {target} object: {ref}",
                    whole,
                )


def check(ctx: LintContext) -> None:
    _variables(ctx)
    for resource in ctx.model.resources.values():
        _objects(ctx, resource)
