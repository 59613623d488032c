"""Semantic changes between the two sides' models: typed records with head-file lines."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..engine.documents import CONTEXT_SCHEMA, Document
from ..engine.model import Model, Predicate, Qualifier, Rule, Variable
from ..engine.tomlspan import TNode, TTable
from .report import Change
from .rollout import rollout_detail
from .sentences import summarize

T = TypeVar("T")


def _line(doc: Document, node: TNode | None) -> int:
    if node is None:
        return 1
    return doc.lines.position(node.start).line + 1


def _key_line(doc: Document, table: TTable | None, key: str) -> int:
    if table is None or key not in table.entries:
        return 1
    return doc.lines.position(table.entries[key].key_start).line + 1


def _values_table(variable: Variable) -> TTable | None:
    table = variable.doc.toml
    node = table.get("values") if table is not None else None
    return node if isinstance(node, TTable) else None


def _resolve_table(variable: Variable) -> TTable | None:
    table = variable.doc.toml
    node = table.get("resolve") if table is not None else None
    return node if isinstance(node, TTable) else None


def align(
    before: Sequence[T], after: Sequence[T], key: Callable[[T], Any]
) -> list[tuple[T | None, T | None]]:
    """Pair up two ordered lists: unchanged, changed, added (None, x) and removed (x, None)."""
    matcher = difflib.SequenceMatcher(
        a=[key(x) for x in before], b=[key(x) for x in after], autojunk=False
    )
    pairs: list[tuple[T | None, T | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = list(before[i1:i2]), list(after[j1:j2])
        common = min(len(old), len(new)) if tag == "replace" else 0
        pairs.extend(zip(old[:common], new[:common], strict=True))
        pairs.extend((item, None) for item in old[common:])
        pairs.extend((None, item) for item in new[common:])
    return pairs


def _rule_json(rule: Rule) -> dict[str, Any]:
    return {"index": rule.index, "qualifier": rule.qualifier, "value": rule.value}


def _predicate_json(p: Predicate) -> dict[str, Any]:
    data: dict[str, Any] = {"index": p.index, "attribute": p.attribute, "op": p.op}
    if p.op == "bucket":
        data["salt"] = p.salt
        data["range"] = list(p.value)
    else:
        data["value"] = p.value
    return data


def _same(a: Any, b: Any) -> bool:
    from ..engine.resolve import strict_equal

    return strict_equal(a, b)


class ChangeCollector:
    def __init__(self) -> None:
        self.items: list[Change] = []

    def add(self, kind: str, target: str, doc: Document, line: int, **detail: Any) -> None:
        self.items.append(Change(kind, target, doc.path, line, detail))

    # -- variables -------------------------------------------------------
    def variables(self, base: Model | None, head: Model | None) -> None:
        old = base.variables if base else {}
        new = head.variables if head else {}
        for vid in sorted(old.keys() | new.keys()):
            target = f"variable://{vid}"
            b, h = old.get(vid), new.get(vid)
            if b is None and h is not None:
                self.add("variable_added", target, h.doc, 1, type=h.type)
            elif h is None and b is not None:
                self.add("variable_removed", target, b.doc, 1, type=b.type)
            elif b is not None and h is not None and b.doc.text != h.doc.text:
                self.variable(target, b, h)

    def variable(self, target: str, b: Variable, h: Variable) -> None:
        head_table = h.doc.toml
        if b.type != h.type:
            self.add(
                "variable_type_changed",
                target,
                h.doc,
                _key_line(h.doc, head_table, "type"),
                before=b.type,
                after=h.type,
            )
        if b.default != h.default:
            values: dict[str, Any] = {}
            if b.values and b.default in b.values:
                values["before_value"] = b.values[b.default]
            if h.values and h.default in h.values:
                values["after_value"] = h.values[h.default]
            self.add(
                "variable_default_changed",
                target,
                h.doc,
                _key_line(h.doc, _resolve_table(h), "default"),
                before=b.default,
                after=h.default,
                **values,
            )
        old_values, new_values = b.values or {}, h.values or {}
        for key in sorted(old_values.keys() | new_values.keys()):
            if key not in new_values:
                self.add(
                    "variable_value_removed",
                    target,
                    b.doc,
                    _key_line(b.doc, _values_table(b), key),
                    key=key,
                    before=old_values[key],
                )
            elif key not in old_values:
                self.add(
                    "variable_value_added",
                    target,
                    h.doc,
                    _key_line(h.doc, _values_table(h), key),
                    key=key,
                    after=new_values[key],
                )
            elif not _same(old_values[key], new_values[key]):
                self.add(
                    "variable_value_changed",
                    target,
                    h.doc,
                    _key_line(h.doc, _values_table(h), key),
                    key=key,
                    before=old_values[key],
                    after=new_values[key],
                )
        self.sequence(
            "variable_rule",
            target,
            b.doc,
            h.doc,
            b.rules,
            h.rules,
            key=lambda r: (r.qualifier, r.value),
            describe=_rule_json,
        )

    # -- qualifiers ------------------------------------------------------
    def qualifiers(self, base: Model | None, head: Model | None) -> None:
        old = base.qualifiers if base else {}
        new = head.qualifiers if head else {}
        for qid in sorted(old.keys() | new.keys()):
            target = f"qualifier://{qid}"
            b, h = old.get(qid), new.get(qid)
            if b is None and h is not None:
                self.add(
                    "qualifier_added",
                    target,
                    h.doc,
                    1,
                    predicates=[_predicate_json(p) for p in h.predicates],
                )
            elif h is None and b is not None:
                self.add(
                    "qualifier_removed",
                    target,
                    b.doc,
                    1,
                    predicates=[_predicate_json(p) for p in b.predicates],
                )
            elif b is not None and h is not None and b.doc.text != h.doc.text:
                self.qualifier(target, b, h)

    def qualifier(self, target: str, b: Qualifier, h: Qualifier) -> None:
        def key(p: Predicate) -> Any:
            data = _predicate_json(p)
            data.pop("index")
            return repr(sorted(data.items()))

        self.sequence(
            "qualifier_predicate",
            target,
            b.doc,
            h.doc,
            b.predicates,
            h.predicates,
            key=key,
            describe=_predicate_json,
        )

    def sequence(
        self,
        kind: str,
        target: str,
        base_doc: Document,
        head_doc: Document,
        before: Sequence[Any],
        after: Sequence[Any],
        key: Callable[[Any], Any],
        describe: Callable[[Any], dict[str, Any]],
    ) -> None:
        """`<kind>_added/removed/changed` for ordered rules or predicates."""
        for old, new in align(before, after, key=key):
            if new is not None:
                detail: dict[str, Any] = {"index": new.index, "after": describe(new)}
                if old is not None:
                    detail["before"] = describe(old)
                if kind == "qualifier_predicate":
                    rollout = rollout_detail(detail.get("before"), detail["after"])
                    if rollout is not None:
                        detail["rollout"] = rollout
                self.add(
                    f"{kind}_{'changed' if old is not None else 'added'}",
                    target,
                    head_doc,
                    _line(head_doc, new.node),
                    **detail,
                )
            elif old is not None:
                extra: dict[str, Any] = {}
                if kind == "qualifier_predicate":
                    rollout = rollout_detail(describe(old), None)
                    if rollout is not None:
                        extra["rollout"] = rollout
                self.add(
                    f"{kind}_removed",
                    target,
                    base_doc,
                    _line(base_doc, old.node),
                    index=old.index,
                    before=describe(old),
                    **extra,
                )

    # -- resources, schemas, lint files ----------------------------------
    def resources(self, base: Model | None, head: Model | None) -> None:
        old = base.resources if base else {}
        new = head.resources if head else {}
        for rid in sorted(old.keys() | new.keys()):
            target = f"resource://{rid}"
            b, h = old.get(rid), new.get(rid)
            if b is None and h is not None:
                self.add("resource_added", target, h.doc, 1, schema=h.schema_path)
            elif h is None and b is not None:
                self.add("resource_removed", target, b.doc, 1, schema=b.schema_path)
            elif b is not None and h is not None and b.schema_path != h.schema_path:
                self.add(
                    "resource_schema_changed",
                    target,
                    h.doc,
                    _key_line(h.doc, h.doc.toml, "schema"),
                    before=b.schema_path,
                    after=h.schema_path,
                )
            old_objects = b.objects if b else {}
            new_objects = h.objects if h else {}
            for key in sorted(old_objects.keys() | new_objects.keys()):
                o, n = old_objects.get(key), new_objects.get(key)
                object_target = f"{target}/{key}"
                if o is None and n is not None:
                    self.add(
                        "resource_object_added",
                        object_target,
                        n.doc,
                        1,
                        resource=rid,
                        key=key,
                        after=n.value,
                    )
                elif n is None and o is not None:
                    self.add(
                        "resource_object_removed",
                        object_target,
                        o.doc,
                        1,
                        resource=rid,
                        key=key,
                        before=o.value,
                    )
                elif o is not None and n is not None and not _same(o.value, n.value):
                    self.add(
                        "resource_object_changed",
                        object_target,
                        n.doc,
                        1,
                        resource=rid,
                        key=key,
                        before=o.value,
                        after=n.value,
                    )

    def files(
        self, kind: str, change_kind: str, scheme: str, base: list[Document], head: list[Document]
    ) -> None:
        old = {d.path: d for d in base if d.kind == kind}
        new = {d.path: d for d in head if d.kind == kind}
        for path in sorted(old.keys() | new.keys()):
            o, n = old.get(path), new.get(path)
            if o is not None and n is not None and o.text == n.text:
                continue
            change = "added" if o is None else "removed" if n is None else "modified"
            doc = n or o
            assert doc is not None
            detail: dict[str, Any] = {"change": change}
            if kind == "schema":
                detail["context_schema"] = path == CONTEXT_SCHEMA
            self.add(change_kind, f"{scheme}://{path}", doc, 1, **detail)


def semantic_changes(base: Model | None, head: Model | None) -> list[Change]:
    """Every typed change from base to head (either may be absent)."""
    out = ChangeCollector()
    out.variables(base, head)
    out.qualifiers(base, head)
    out.resources(base, head)
    base_docs = base.documents if base else []
    head_docs = head.documents if head else []
    out.files("schema", "schema_changed", "schema", base_docs, head_docs)
    out.files("custom_lint", "lint_rule_file_changed", "lint", base_docs, head_docs)
    for change in out.items:
        change.summary = summarize(change)
    return out.items


def context_changes(
    base: dict[str, Any], head: dict[str, Any], base_docs: dict[str, str], head_docs: dict[str, str]
) -> list[Change]:
    """context_added/removed/changed for declared context files (name -> parsed content)."""
    changes = []
    for name in sorted(base.keys() | head.keys()):
        target = f"context://{name}"
        if name not in base:
            changes.append(Change("context_added", target, name, 1, {}))
        elif name not in head:
            changes.append(Change("context_removed", target, name, 1, {}))
        elif base_docs.get(name) != head_docs.get(name):
            changes.append(
                Change(
                    "context_changed", target, name, 1, {"before": base[name], "after": head[name]}
                )
            )
    for change in changes:
        change.summary = summarize(change)
    return changes
