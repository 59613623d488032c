"""Reference stage: links between variables, qualifiers, resources, schemas, context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.documents import CONTEXT_SCHEMA
from ...engine.tomlspan import TTable
from . import context_schema

if TYPE_CHECKING:
    from ..run import LintContext


def _resources(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    schema_docs = {d.path for d in model.documents if d.kind == "schema"}
    for resource in model.resources.values():
        if resource.schema_node is None:
            continue
        path = resource.schema_path
        if path is None or path not in schema_docs:
            if path is None:
                reason = (
                    f"{resource.schema_node.plain()} is not a relative path inside the workspace"
                )
            else:
                reason = f"schema file not found: {path}"
            resource.valid = False
            out.add(
                "resource-schema-ref",
                resource.doc,
                {"kind": "resource", "id": resource.id},
                f"resource schema reference is invalid: {reason}",
                resource.schema_node,
                stage="reference",
            )


def _qualifiers(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    for qualifier in model.qualifiers.values():
        for index, ref, attribute in qualifier.references:
            if ref not in model.qualifiers:
                out.add(
                    "qualifier-predicate-unknown-qualifier",
                    qualifier.doc,
                    {"kind": "predicate", "qualifier": qualifier.id, "index": index},
                    f"predicate references unknown qualifier: {ref}",
                    attribute,
                )


def _variables(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    for variable in model.variables.values():
        table = variable.doc.toml
        assert table is not None
        unknown_resource = (
            variable.resource is not None and variable.resource not in model.resources
        )
        if unknown_resource:
            out.add(
                "variable-unknown-resource",
                variable.doc,
                {"kind": "variable", "id": variable.id},
                f"variable references unknown resource: {variable.resource}",
                table.get("type"),
            )
        # rules are still checked against the qualifiers, as the reference does
        for rule in variable.rules:
            if rule.qualifier not in model.qualifiers:
                assert rule.node is not None
                out.add(
                    "variable-rule-unknown-qualifier",
                    variable.doc,
                    {"kind": "rule", "variable": variable.id, "index": rule.index},
                    f"rule references unknown qualifier: {rule.qualifier}",
                    rule.node.get("qualifier"),
                )
        if unknown_resource:
            continue
        if variable.resource is not None:
            known = set(model.resources[variable.resource].objects)
            noun = "resource object"
        elif variable.values is not None:
            known = set(variable.values)
            noun = "value"
        else:
            continue
        resolve = table.get("resolve")
        if variable.default is not None and variable.default not in known:
            assert isinstance(resolve, TTable)
            out.add(
                "variable-unknown-value",
                variable.doc,
                {"kind": "variable", "id": variable.id},
                f"resolve default references unknown {noun}: {variable.default}",
                resolve.get("default"),
            )
        for rule in variable.rules:
            assert rule.node is not None
            if rule.value not in known:
                out.add(
                    "variable-unknown-value",
                    variable.doc,
                    {"kind": "rule", "variable": variable.id, "index": rule.index},
                    f"rule references unknown {noun}: {rule.value}",
                    rule.node.get("value"),
                )


def _schemas(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    referenced = {r.schema_path for r in model.resources.values() if r.schema_path}
    for schema in model.schemas.values():
        if schema.valid and schema.path != CONTEXT_SCHEMA and schema.path not in referenced:
            out.add(
                "schema-unreferenced",
                schema.doc,
                {"kind": "schema", "path": schema.path},
                f"schema is not referenced: {schema.path}",
            )


def check(ctx: LintContext) -> None:
    _resources(ctx)
    _qualifiers(ctx)
    _variables(ctx)
    _schemas(ctx)
    context_schema.check(ctx)
