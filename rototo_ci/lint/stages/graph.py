"""Graph stage: valid syntax with suspicious behaviour (cycles, dead rules, unused things)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...engine.diagnostics import Related, node_range
from ...engine.model import Model, Qualifier
from ...engine.sccs import strongly_connected
from ...engine.tomlspan import TArray, TTable

if TYPE_CHECKING:
    from ..run import LintContext


def cyclic_components(model: Model) -> dict[str, frozenset[str]]:
    """Each qualifier on a reference cycle -> its strongly connected component (one pass)."""
    edges = {qid: [r for _, r, _ in q.references] for qid, q in model.qualifiers.items()}
    result: dict[str, frozenset[str]] = {}
    for members in strongly_connected(edges):
        if len(members) > 1 or members[0] in edges[members[0]]:
            component = frozenset(members)
            for member in members:
                result[member] = component
    return result


def _cycles(ctx: LintContext) -> None:
    """Report every qualifier on a cycle, with the first path back to it a depth-first walk finds.

    Only qualifiers in a cyclic component are walked, and only inside that component:
    a reference leaving it can never lead back, so the walk visits the component's
    qualifiers in the same order as a walk of the whole graph would.
    """
    model, out = ctx.model, ctx.out
    components = cyclic_components(model)
    for qualifier in model.qualifiers.values():
        component = components.get(qualifier.id)
        if component is None:
            continue
        parent: dict[str, str] = {}
        stack = [qualifier.id]
        found: str | None = None
        while stack and found is None:
            current = stack.pop()
            for _, ref, _ in model.qualifiers[current].references:
                if ref == qualifier.id:
                    found = current
                    break
                if ref in component and ref not in parent:
                    parent[ref] = current
                    stack.append(ref)
        assert found is not None
        trail = [found]
        while trail[-1] != qualifier.id:
            trail.append(parent[trail[-1]])
        trail.reverse()
        # located on the first reference that leads back round the cycle
        attribute = next(a for _, r, a in qualifier.references if r in component)
        if len(trail) == 1:
            message, related = f"qualifier references itself: {qualifier.id}", []
        else:
            message = "qualifier participates in a reference cycle with: " + ", ".join(
                sorted(set(trail))
            )
            related = _cycle_related(model, trail)
        out.add(
            "qualifier-cycle",
            qualifier.doc,
            {"kind": "qualifier", "id": qualifier.id},
            message,
            attribute,
            related=related,
        )


def _cycle_related(model: Model, trail: list[str]) -> list[Related]:
    related = []
    for index, qid in enumerate(trail[1:], start=1):
        nxt = trail[index + 1] if index + 1 < len(trail) else trail[0]
        q = model.qualifiers[qid]
        attribute = next(a for _, r, a in q.references if r == nxt)
        related.append(
            Related(q.path, node_range(q.doc, attribute), f"cycle reference: {qid} -> {nxt}")
        )
    return related


def _comparable_predicate(item: TTable) -> bool:
    """Duplicates are judged on tables with an attribute and an op, and a value (or, for
    a bucket, a string salt and a range of any shape), as the reference judges them."""
    op = item.get("op")
    if item.get("attribute") is None or op is None:
        return False
    if item.get("value") is not None:
        return True
    if op.plain() == "bucket":
        salt = item.get("salt")
        return salt is not None and isinstance(salt.plain(), str) and "range" in item.entries
    return False


def _duplicates(ctx: LintContext, qualifier: Qualifier) -> None:
    """Predicate tables written twice, compared as written (valid or not)."""
    table = qualifier.doc.toml
    node = table.get("predicate") if table is not None else None
    if not isinstance(node, TArray):
        return
    first: dict[str, tuple[int, TTable]] = {}
    for index, item in enumerate(node.items):
        if not isinstance(item, TTable):
            continue
        if not _comparable_predicate(item):
            continue
        key = json.dumps(item.plain(), sort_keys=True)
        if key not in first:
            first[key] = (index, item)
            continue
        original, original_node = first[key]
        ctx.out.add(
            "qualifier-predicate-duplicate",
            qualifier.doc,
            {"kind": "predicate", "qualifier": qualifier.id, "index": index},
            # the reference names the duplicate's own position, 1-based
            f"predicate duplicates an earlier predicate: {index + 1}",
            item,
            related=[
                Related(
                    qualifier.path,
                    node_range(qualifier.doc, original_node),
                    f"first matching predicate: {original + 1}",
                )
            ],
        )


def _reachability(ctx: LintContext, in_cycles: set[str]) -> None:
    model, out = ctx.model, ctx.out
    from_rules = {rule.qualifier for v in model.variables.values() for rule in v.rules}
    from_qualifiers = {ref for q in model.qualifiers.values() for _, ref, _ in q.references}
    reachable: set[str] = set()
    pending = [q for q in from_rules if q in model.qualifiers]
    while pending:
        qid = pending.pop()
        if qid in reachable:
            continue
        reachable.add(qid)
        pending.extend(
            ref for _, ref, _ in model.qualifiers[qid].references if ref in model.qualifiers
        )
    # a qualifier that already has an error is not also called unreachable
    broken = {d.path for d in out.items if d.is_error}
    for qid in sorted(model.qualifiers):
        qualifier = model.qualifiers[qid]
        entity = {"kind": "qualifier", "id": qid}
        if qid in in_cycles:
            continue  # the cycle error says more than a reachability warning would
        if qid not in from_rules and qid not in from_qualifiers:
            out.add(
                "qualifier-unreferenced",
                qualifier.doc,
                entity,
                f"qualifier is not referenced: {qid}",
            )
        elif qid not in reachable and qualifier.path not in broken:
            out.add(
                "qualifier-unreachable",
                qualifier.doc,
                entity,
                f"qualifier cannot affect resolution: {qid}",
            )


def _rules(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    for variable in model.variables.values():
        seen_qualifiers: dict[str, int] = {}
        for rule in variable.rules:
            assert rule.node is not None
            entity = {"kind": "rule", "variable": variable.id, "index": rule.index}
            if rule.qualifier in seen_qualifiers:
                first = next(r for r in variable.rules if r.qualifier == rule.qualifier)
                assert first.node is not None
                out.add(
                    "variable-rule-shadowed",
                    variable.doc,
                    entity,
                    f"rule is shadowed by an earlier rule with qualifier: {rule.qualifier}",
                    rule.node.get("qualifier"),
                    related=[
                        Related(
                            variable.path,
                            node_range(variable.doc, first.node.get("qualifier")),
                            f"first rule using qualifier: {rule.qualifier}",
                        )
                    ],
                )
            else:
                seen_qualifiers[rule.qualifier] = rule.index
            if variable.default is not None and rule.value == variable.default:
                resolve = variable.doc.toml.get("resolve") if variable.doc.toml else None
                default_node = resolve.get("default") if isinstance(resolve, TTable) else None
                out.add(
                    "variable-rule-selects-default-value",
                    variable.doc,
                    entity,
                    f"rule selects the same value as the resolve default: {rule.value}",
                    rule.node.get("value"),
                    related=[
                        Related(
                            variable.path,
                            node_range(variable.doc, default_node),
                            f"resolve default value: {rule.value}",
                        )
                    ],
                )
        table = variable.doc.toml
        values = table.get("values") if table is not None else None
        if isinstance(values, TTable):
            for key, entry in values.entries.items():
                # a resource-backed variable selects objects: its [values] are never selected
                if variable.resource is not None or key not in variable.referenced_keys:
                    out.add(
                        "variable-value-unused",
                        variable.doc,
                        {"kind": "value", "variable": variable.id, "key": key},
                        f"variable value is not referenced: {key}",
                        entry.node,
                    )


def check(ctx: LintContext) -> None:
    before = len(ctx.out.items)
    _cycles(ctx)
    in_cycles = {d.entity["id"] for d in ctx.out.items[before:]}
    for qualifier in ctx.model.qualifiers.values():
        _duplicates(ctx, qualifier)
    _reachability(ctx, in_cycles)
    _rules(ctx)
