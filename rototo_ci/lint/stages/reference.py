"""Reference stage: links between variables, qualifiers, resources, schemas, context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.documents import CONTEXT_SCHEMA

if TYPE_CHECKING:
    from ..run import LintContext


def check(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    for qualifier in model.qualifiers.values():
        for predicate in qualifier.predicates:
            ref = predicate.qualifier_ref
            if ref is not None and ref not in model.qualifiers:
                assert predicate.node is not None
                out.add("qualifier-predicate-unknown-qualifier", qualifier.doc,
                        {"kind": "predicate", "qualifier": qualifier.id,
                         "index": predicate.index},
                        f"predicate references unknown qualifier: {ref}",
                        predicate.node.get("attribute"))
    for variable in model.variables.values():
        table = variable.doc.toml
        assert table is not None
        if variable.resource is not None and variable.resource not in model.resources:
            out.add("variable-unknown-resource", variable.doc,
                    {"kind": "variable", "id": variable.id},
                    f"variable references unknown resource: {variable.resource}",
                    table.get("type"))
            continue
        if variable.resource is not None:
            known = set(model.resources[variable.resource].objects)
        elif variable.values is not None:
            known = set(variable.values)
        else:
            continue
        resolve = table.get("resolve")
        if variable.default is not None and variable.default not in known:
            out.add("variable-unknown-value", variable.doc,
                    {"kind": "variable", "id": variable.id},
                    f"resolve default references unknown value: {variable.default}",
                    resolve.get("default") if resolve is not None else None)  # type: ignore[union-attr]
        for rule in variable.rules:
            assert rule.node is not None
            entity = {"kind": "rule", "variable": variable.id, "index": rule.index}
            if rule.qualifier not in model.qualifiers:
                out.add("variable-rule-unknown-qualifier", variable.doc, entity,
                        f"rule references unknown qualifier: {rule.qualifier}",
                        rule.node.get("qualifier"))
            if rule.value not in known:
                out.add("variable-unknown-value", variable.doc, entity,
                        f"rule references unknown value: {rule.value}", rule.node.get("value"))
    referenced = {r.schema_path for r in model.resources.values() if r.schema_path}
    for schema in model.schemas.values():
        if schema.path != CONTEXT_SCHEMA and schema.path not in referenced:
            out.add("schema-unreferenced", schema.doc, {"kind": "schema", "path": schema.path},
                    f"schema is not referenced: {schema.path}")
