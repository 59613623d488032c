"""Rollout impact: how a `bucket` predicate change moves real users (SPEC §5 view 4).

Per predicate, `detail.rollout` classifies the change (`expanded`, `shrunk`, `moved`,
`reshuffled`) and counts the buckets that enter and leave. Per affected variable and
declared context, the variable is evaluated as a function of the bucket number: its
value only changes where some bucket range of that (attribute, salt) starts or ends,
so evaluating one bucket per segment between those boundaries is exact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..engine.errors import RototoError
from ..engine.resolve import BUCKETS, CompiledPredicate, CompiledQualifier, Evaluation
from ..engine.workspace import Workspace
from .impact import closure_paths, scoped_names
from .report import Change, Rollout, cell_kind

Key = tuple[str, str]  # (attribute, salt)


def _bucket(p: dict[str, Any] | None) -> dict[str, Any] | None:
    return p if p and p.get("op") == "bucket" else None


def rollout_detail(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any] | None:
    """`detail.rollout` for a predicate change, or None when no bucket predicate is involved.

    A bucket predicate that appears (or disappears) gates units that were (or become)
    ungated: it is counted against the whole space under the same attribute and salt.
    """
    old, new = _bucket(before), _bucket(after)
    if old is None and new is None:
        return None
    ref = new or old
    assert ref is not None
    attribute = str(ref.get("attribute"))
    old_range = list(old["range"]) if old else None
    new_range = list(new["range"]) if new else None
    salt_before = old.get("salt") if old else ref.get("salt")
    salt_after = new.get("salt") if new else ref.get("salt")
    a0, a1 = old_range if old_range else (0, BUCKETS)
    b0, b1 = new_range if new_range else (0, BUCKETS)
    a0, b0 = max(0, min(a0, BUCKETS)), max(0, min(b0, BUCKETS))
    a1, b1 = max(a0, min(a1, BUCKETS)), max(b0, min(b1, BUCKETS))
    size_old, size_new = a1 - a0, b1 - b0
    same_draw = salt_before == salt_after and (
        old is None or new is None or old.get("attribute") == new.get("attribute")
    )
    detail: dict[str, Any] = {
        "attribute": attribute,
        "salt_before": salt_before,
        "salt_after": salt_after,
        "range_before": old_range,
        "range_after": new_range,
    }
    if old is not None and new is not None and old.get("attribute") != new.get("attribute"):
        detail["attribute_before"] = old.get("attribute")
    if same_draw:
        overlap = max(0, min(a1, b1) - max(a0, b0))
        entered, left = size_new - overlap, size_old - overlap
        kind = (
            "expanded"
            if left == 0 and entered > 0
            else "shrunk"
            if entered == 0 and left > 0
            else "moved"
            if entered or left
            else "unchanged"
        )
    else:
        # a new draw: expected counts when the two buckets of a unit are independent
        entered = round(size_new * (BUCKETS - size_old) / BUCKETS)
        left = round(size_old * (BUCKETS - size_new) / BUCKETS)
        kind = "reshuffled"
    if kind == "unchanged":
        return None
    detail.update({"kind": kind, "entered": entered, "left": left})
    return detail


class BucketEvaluation(Evaluation):
    """Resolution where bucket predicates on one (attribute, salt) see a given bucket number."""

    def __init__(self, runtime: Any, context: dict[str, Any], key: Key, bucket: int) -> None:
        super().__init__(runtime, context)
        self.key = key
        self.bucket = bucket

    def _leaf(
        self, compiled: CompiledQualifier, p: CompiledPredicate, traces: list[Any] | None
    ) -> bool:
        if p.compare is None and (p.source.attribute, p.salt) == self.key:
            return p.start <= self.bucket < p.end  # the bucket is given: no context read
        return super()._leaf(compiled, p, traces)


def outcome_at(
    workspace: Workspace, context: dict[str, Any], vid: str, key: Key, bucket: int
) -> dict[str, Any]:
    """The variable's outcome for a unit whose bucket on `key` is `bucket` (context validated)."""
    evaluation = BucketEvaluation(workspace.runtime(), context, key, bucket)
    try:
        resolution, _ = evaluation.variable(vid)
    except RototoError as error:
        return {"error": str(error)}
    return {"value_key": resolution.value_key, "value": resolution.value}


def boundaries(workspace: Workspace, key: Key) -> list[int]:
    """0, 10000 and every start and end of a bucket range on `key`, sorted."""
    points = {0, BUCKETS}
    for compiled in workspace.runtime().qualifiers.values():
        for p in compiled.predicates:
            if p.compare is None and (p.source.attribute, p.salt) == key:
                points.update(min(max(x, 0), BUCKETS) for x in (p.start, p.end))
    return sorted(points)


def segments(points: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in zip(points, points[1:], strict=False) if b > a]


def _outcome_key(outcome: dict[str, Any]) -> str:
    import json

    return json.dumps(outcome, sort_keys=True, ensure_ascii=False)


def piecewise(
    workspace: Workspace, context: dict[str, Any], vid: str, key: Key, points: list[int]
) -> list[tuple[int, int, dict[str, Any]]]:
    """(start, end, outcome) for each segment between boundaries."""
    return [(a, b, outcome_at(workspace, context, vid, key, a)) for a, b in segments(points)]


@dataclass
class RolloutImpact:
    buckets_changed: int
    transitions: list[dict[str, Any]]


def bucket_impact(
    base: Workspace,
    head: Workspace,
    context_base: dict[str, Any],
    context_head: dict[str, Any],
    vid: str,
    key_before: Key,
    key_after: Key,
) -> RolloutImpact:
    """How many of the 10,000 buckets select a different value, with the transitions.

    Same key on both sides: exact. A changed salt or attribute draws every unit's
    bucket again: the counts are the expected ones for independent draws.
    """
    counts: Counter[tuple[str, str]] = Counter()
    outcomes: dict[str, dict[str, Any]] = {}
    if key_before == key_after:
        points = sorted(set(boundaries(base, key_before)) | set(boundaries(head, key_after)))
        for a, b in segments(points):
            before = outcome_at(base, context_base, vid, key_before, a)
            after = outcome_at(head, context_head, vid, key_after, a)
            if cell_kind(before, after) is not None:
                kb, ka = _outcome_key(before), _outcome_key(after)
                outcomes[kb], outcomes[ka] = before, after
                counts[(kb, ka)] += b - a
    else:
        old = piecewise(base, context_base, vid, key_before, boundaries(base, key_before))
        new = piecewise(head, context_head, vid, key_after, boundaries(head, key_after))
        expected: Counter[tuple[str, str]] = Counter()
        for a0, a1, before in old:
            for b0, b1, after in new:
                if cell_kind(before, after) is not None:
                    kb, ka = _outcome_key(before), _outcome_key(after)
                    outcomes[kb], outcomes[ka] = before, after
                    expected[(kb, ka)] += (a1 - a0) * (b1 - b0)
        for pair, weight in expected.items():
            counts[pair] = round(weight / BUCKETS)
    transitions = [
        {"before": outcomes[kb], "after": outcomes[ka], "buckets": n}
        for (kb, ka), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if n
    ]
    return RolloutImpact(sum(t["buckets"] for t in transitions), transitions)


def _reaches(workspace: Workspace, vid: str, qualifier_path: str) -> bool:
    return vid in workspace.model.variables and qualifier_path in closure_paths(
        workspace.model, vid
    )


def rollouts(
    base: Workspace | None,
    head: Workspace | None,
    changes: list[Change],
    contexts: dict[str, Any],
    targets: dict[str, str] | None = None,
) -> list[Rollout]:
    """Per affected variable and declared context, the share of units whose value changes."""
    if base is None or head is None:
        return []
    pairs: dict[tuple[Key, Key], list[Change]] = {}
    for change in changes:
        detail = change.detail.get("rollout")
        if not change.kind.startswith("qualifier_predicate_") or not isinstance(detail, dict):
            continue
        attribute_before = str(detail.get("attribute_before", detail["attribute"]))
        key_before = (attribute_before, str(detail.get("salt_before")))
        key_after = (str(detail["attribute"]), str(detail.get("salt_after")))
        pairs.setdefault((key_before, key_after), []).append(change)
    if not pairs:
        return []
    unscoped, by_target = scoped_names(contexts, targets)
    validated: dict[tuple[int, str], dict[str, Any] | None] = {}

    def checked(side: Workspace, name: str) -> dict[str, Any] | None:
        key = (id(side), name)
        if key not in validated:
            try:
                validated[key] = side.validate_context(contexts[name])
            except RototoError:
                validated[key] = None
        return validated[key]

    result: list[Rollout] = []
    for (key_before, key_after), found in pairs.items():
        paths = {c.path for c in found}
        variables = sorted(
            vid
            for vid in head.model.variables
            if vid in base.model.variables
            and any(_reaches(head, vid, p) or _reaches(base, vid, p) for p in paths)
        )
        for vid in variables:
            for name in unscoped + by_target.get(f"variable:{vid}", []):
                context_base, context_head = checked(base, name), checked(head, name)
                if context_base is None or context_head is None:
                    continue
                impact = bucket_impact(
                    base, head, context_base, context_head, vid, key_before, key_after
                )
                if not impact.buckets_changed:
                    continue
                result.append(
                    Rollout(
                        variable=vid,
                        context=name,
                        attribute=key_after[0],
                        salt=key_before[1],
                        buckets_changed=impact.buckets_changed,
                        transitions=impact.transitions,
                        salt_after=key_after[1] if key_after != key_before else None,
                        path=found[0].path,
                        line=found[0].line,
                    )
                )
    return result
