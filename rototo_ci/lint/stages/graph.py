"""Graph stage: valid syntax with suspicious behaviour (cycles, dead rules, unused values)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..run import LintContext


def check(ctx: LintContext) -> None:
    model, out = ctx.model, ctx.out
    # qualifier reference cycles
    for qualifier in model.qualifiers.values():
        stack = [(qualifier.id, [qualifier.id])]
        seen: set[str] = set()
        while stack:
            current, trail = stack.pop()
            node = model.qualifiers.get(current)
            if node is None:
                continue
            for predicate in node.predicates:
                ref = predicate.qualifier_ref
                if ref is None:
                    continue
                if ref == qualifier.id:
                    first = next(p for p in qualifier.predicates if p.qualifier_ref is not None
                                 and (p.qualifier_ref == trail[1] if len(trail) > 1
                                      else p.qualifier_ref == qualifier.id))
                    assert first.node is not None
                    message = (f"qualifier references itself: {qualifier.id}" if len(trail) == 1
                               else "qualifier participates in a reference cycle with: "
                               + ", ".join(sorted(set(trail))))
                    out.add("qualifier-cycle", qualifier.doc,
                            {"kind": "qualifier", "id": qualifier.id}, message,
                            first.node.get("attribute"))
                    stack.clear()
                    break
                if ref not in seen:
                    seen.add(ref)
                    stack.append((ref, [*trail, ref]))
    # rules: shadowed and default-selecting
    for variable in model.variables.values():
        seen_qualifiers: dict[str, int] = {}
        for rule in variable.rules:
            assert rule.node is not None
            entity = {"kind": "rule", "variable": variable.id, "index": rule.index}
            if rule.qualifier in seen_qualifiers:
                out.add("variable-rule-shadowed", variable.doc, entity,
                        f"rule is shadowed by an earlier rule with qualifier: {rule.qualifier}",
                        rule.node.get("qualifier"))
            else:
                seen_qualifiers[rule.qualifier] = rule.index
            if variable.default is not None and rule.value == variable.default:
                out.add("variable-rule-selects-default-value", variable.doc, entity,
                        f"rule selects the same value as the resolve default: {rule.value}",
                        rule.node.get("value"))
