"""Value stage: primitive values, resource objects against their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine.model import PRIMITIVE_TYPES

if TYPE_CHECKING:
    from ..run import LintContext


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


def check(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    for variable in model.variables.values():
        if not variable.type or variable.resource is not None:
            continue
        table = variable.doc.toml
        assert table is not None
        if variable.type not in PRIMITIVE_TYPES:
            out.add("variable-unknown-type", variable.doc, {"kind": "variable", "id": variable.id},
                    f"variable declares unknown type: {variable.type}", table.get("type"))
            continue
        values_node = table.get("values")
        for key, value in (variable.values or {}).items():
            if not matches_type(variable.type, value):
                node = values_node.get(key) if values_node is not None else None  # type: ignore[union-attr]
                out.add("variable-value-type-mismatch", variable.doc,
                        {"kind": "value", "variable": variable.id, "key": key},
                        f"value {key} does not match type {variable.type}", node)
