"""Schema checks of the project stage: every JSON Schema compiles; the context schema is usable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine.documents import CONTEXT_SCHEMA
from ...engine.input_rules import pattern_diagnostic
from ...engine.schema_patterns import pattern_problem

if TYPE_CHECKING:
    from ..run import LintContext

RESERVED_CONTEXT_FIELD = "qualifier"


def schema_error(schema: Any) -> str | None:
    """Why a JSON value is not a usable JSON Schema, or None (checked once per distinct schema)."""
    from ..schema_check import schema_error as checked

    return checked(schema)


def validator(schema: Any) -> Any:
    """A validator for a valid schema, built on first use (once per distinct schema)."""
    from ..schema_check import LazyValidator

    return LazyValidator(schema)


def check(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    for doc in model.documents:
        if doc.kind != "schema":
            continue
        entity = {"kind": "schema", "path": doc.path}
        is_context = doc.path == CONTEXT_SCHEMA
        if doc.failure is not None:
            if is_context:
                out.add(
                    "workspace-context-schema-ref",
                    doc,
                    entity,
                    f"context schema cannot be parsed: {doc.failure.message}",
                )
            continue
        schema = model.schemas[doc.path]
        problem = schema_error(schema.value)
        if problem is not None:
            schema.valid = False
            out.add("schema-invalid", doc, entity, f"schema is invalid: {problem}")
            if is_context:
                out.add(
                    "workspace-context-schema-ref",
                    doc,
                    entity,
                    f"context schema is invalid: {problem}",
                )
            continue
        unsafe = pattern_problem(schema.value)
        if unsafe is not None:
            schema.valid = False
            out.items.append(pattern_diagnostic(doc.path, unsafe))
            continue
        ctx.validators[doc.path] = validator(schema.value)
        if is_context and isinstance(schema.value, dict):
            properties = schema.value.get("properties")
            if isinstance(properties, dict) and RESERVED_CONTEXT_FIELD in properties:
                schema.valid = False
                out.add(
                    "workspace-context-schema-reserved-field",
                    doc,
                    entity,
                    "context schema declares reserved top-level field: qualifier",
                )
