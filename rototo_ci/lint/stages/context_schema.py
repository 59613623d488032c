"""Reference-stage checks of qualifier attributes against the context schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine.diagnostics import Related, node_range
from ...engine.model import NUMERIC_OPS, Predicate, Qualifier

if TYPE_CHECKING:
    from ..run import LintContext

SCALARS = {"boolean", "integer", "number", "string"}
NUMERIC = {"integer", "number"}


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def declared_node(schema: Any, path: list[str]) -> Any:
    """The schema node declaring a dotted context path through `properties`, or None."""
    node = schema
    for part in path:
        if not isinstance(node, dict):
            return None
        properties = node.get("properties")
        if not isinstance(properties, dict) or part not in properties:
            return None
        node = properties[part]
    return node


def declared_types(node: Any) -> set[str] | None:
    kind = node.get("type") if isinstance(node, dict) else None
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        return set(kind)
    return None  # no type constraint to check against


def accepts(types: set[str], value: Any) -> bool:
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


def _describe(types: set[str]) -> str:
    return " or ".join(sorted(types))


def _check_predicate(ctx: LintContext, qualifier: Qualifier, p: Predicate, schema: Any) -> None:
    out = ctx.out
    doc = qualifier.doc
    node = p.node
    assert node is not None
    entity = {"kind": "predicate", "qualifier": qualifier.id, "index": p.index}
    declared = declared_node(schema, p.path)
    if declared is None:
        out.add(
            "workspace-context-schema-attribute",
            doc,
            entity,
            f"context attribute is not declared by the context schema: {p.attribute}",
            node.get("attribute"),
        )
        return
    types = declared_types(declared)
    if types is None:
        return
    if p.op in NUMERIC_OPS:
        if not types <= NUMERIC:
            out.add(
                "qualifier-predicate-context-type-mismatch",
                doc,
                entity,
                f"{p.op} predicate requires numeric context attribute, but {p.attribute} "
                f"is declared as {_describe(types)}",
                node.get("op"),
            )
    elif p.op == "bucket":
        if not types <= SCALARS:
            out.add(
                "qualifier-predicate-context-type-mismatch",
                doc,
                entity,
                f"bucket predicate requires scalar context attribute, but {p.attribute} "
                f"is declared as {_describe(types)}",
                node.get("op"),
            )
    elif p.op in ("in", "not_in"):
        rejected = [item for item in p.value if not accepts(types, item)]
        if rejected:
            bad = rejected[0]
            out.add(
                "qualifier-predicate-context-type-mismatch",
                doc,
                entity,
                f"{p.op} predicate contains value type {json_type(bad)} incompatible with "
                f"context attribute {p.attribute} declared as {_describe(types)}",
                node.get("value"),
            )
    elif not accepts(types, p.value):
        out.add(
            "qualifier-predicate-context-type-mismatch",
            doc,
            entity,
            f"{p.op} predicate value type {json_type(p.value)} is incompatible with context "
            f"attribute {p.attribute} declared as {_describe(types)}",
            node.get("value"),
        )


def _used_qualifiers(ctx: LintContext) -> set[str]:
    """Valid qualifiers reachable from the rules of variables without errors."""
    model = ctx.model
    broken = {d.path for d in ctx.out.items if d.is_error}
    pending = [
        rule.qualifier
        for v in model.variables.values()
        if v.valid and v.path not in broken
        for rule in v.rules
    ]
    used: set[str] = set()
    while pending:
        qid = pending.pop()
        qualifier = model.qualifiers.get(qid)
        if qid in used or qualifier is None or not qualifier.valid or qualifier.path in broken:
            continue
        used.add(qid)
        pending.extend(p.qualifier_ref for p in qualifier.predicates if p.qualifier_ref)
    return used


def check(ctx: LintContext) -> None:
    model = ctx.model
    context_schema = model.context_schema
    qualifiers = [model.qualifiers[q] for q in sorted(model.qualifiers)]
    if context_schema is None:
        if any(d.path == "schemas/context.schema.json" for d in model.documents):
            return  # present but unparsable: already reported
        if any(d.is_error for d in ctx.out.items):
            return  # only a lint-clean workspace is asked for a context schema
        used = _used_qualifiers(ctx)
        first = next(
            (
                (q, p)
                for q in qualifiers
                if q.id in used
                for p in q.predicates
                if p.qualifier_ref is None
            ),
            None,
        )
        if first is not None and model.manifest is not None:
            qualifier, p = first
            assert p.node is not None
            ctx.out.add(
                "workspace-context-schema-missing",
                model.manifest,
                {"kind": "manifest"},
                "workspace does not declare schemas/context.schema.json for qualifier "
                f"context attribute: {p.attribute}",
                None,
                related=[
                    Related(
                        qualifier.path,
                        node_range(qualifier.doc, p.node.get("attribute")),
                        f"context attribute read here: {p.attribute}",
                    )
                ],
            )
        return
    if not context_schema.valid:
        return
    for qualifier in qualifiers:
        for p in [*qualifier.predicates, *qualifier.unsound_buckets]:
            if p.qualifier_ref is None:
                _check_predicate(ctx, qualifier, p, context_schema.value)
