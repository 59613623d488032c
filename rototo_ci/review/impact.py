"""Resolution impact: which (variable, context) cells select something different.

Scope (SPEC §2): contexts without a target (context files, --contexts, --context) judge
every variable; a fixture case's context judges its own target alone (a `variable:<id>`
case that variable, a `qualifier:<id>` case that qualifier's value).

Incremental: a variable whose whole dependency closure (its file, the
qualifiers it reaches, its resource, objects and schema, the context schema)
is byte-identical on both sides cannot change and is not resolved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import compress
from typing import Any

from ..engine.documents import CONTEXT_SCHEMA
from ..engine.errors import RototoError
from ..engine.model import Model
from ..engine.resolve import Evaluation, strict_equal
from ..engine.sccs import strongly_connected
from ..engine.workspace import Workspace
from .report import Outcome, ResolutionChange, cell_kind


def _add_qualifier_paths(model: Model, start: list[str], paths: set[str]) -> None:
    """Add the file of every qualifier reachable from `start` through qualifier.<id> reads."""
    for qid in model.reached_qualifiers(start):
        qualifier = model.qualifiers.get(qid)
        if qualifier is not None:
            paths.add(qualifier.path)


def closure_paths(model: Model, variable_id: str) -> set[str]:
    """Every workspace file whose bytes can influence this variable's resolution."""
    variable = model.variables[variable_id]
    paths = {variable.path}
    if CONTEXT_SCHEMA in model.schemas:
        paths.add(CONTEXT_SCHEMA)
    _add_qualifier_paths(model, [rule.qualifier for rule in variable.rules], paths)
    if variable.resource is not None:
        resource = model.resources.get(variable.resource)
        if resource is not None:
            paths.add(resource.doc.path)
            if resource.schema_path:
                paths.add(resource.schema_path)
            paths.update(obj.doc.path for obj in resource.objects.values())
    return paths


def qualifier_closure_paths(model: Model, qualifier_id: str) -> set[str]:
    """Every workspace file whose bytes can influence this qualifier's value."""
    paths: set[str] = set()
    if CONTEXT_SCHEMA in model.schemas:
        paths.add(CONTEXT_SCHEMA)
    _add_qualifier_paths(model, [qualifier_id], paths)
    return paths


def closure_digest(
    model: Model, blobs: dict[str, str], variable_id: str
) -> tuple[tuple[str, str], ...]:
    """The closure as (path, blob id) pairs: equal digests mean equal behaviour."""
    return tuple(sorted((p, blobs.get(p, "")) for p in closure_paths(model, variable_id)))


def qualifier_closure_digest(
    model: Model, blobs: dict[str, str], qualifier_id: str
) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((p, blobs.get(p, "")) for p in qualifier_closure_paths(model, qualifier_id))
    )


class ClosureDigests:
    """One side's closure digests: equal digests on both sides mean byte-identical closures.

    A qualifier's digest covers its file's blob id and the digests of the qualifiers
    it reads (the members of a reference cycle share one), each computed once, so a
    variable's digest costs its own rules only: linear in the workspace even for long
    qualifier chains, where walking every variable's closure is quadratic.
    """

    def __init__(self, model: Model, blobs: dict[str, str]) -> None:
        self.model = model
        self.blobs = blobs
        self._qualifiers: dict[str, str] | None = None
        self._resources: dict[str, str] = {}

    def _entry(self, path: str) -> str:
        return f"{path}\0{self.blobs.get(path, '')}\n"

    def _common(self) -> str:
        return self._entry(CONTEXT_SCHEMA) if CONTEXT_SCHEMA in self.model.schemas else ""

    def _qualifier_digests(self) -> dict[str, str]:
        qualifiers = self.model.qualifiers
        edges = {
            qid: [p.qualifier_ref for p in q.predicates if p.qualifier_ref]
            for qid, q in qualifiers.items()
        }
        digests: dict[str, str] = {}
        for members in strongly_connected(edges):  # a component after all it reaches
            inside = set(members)
            digest = hashlib.sha256()
            for qid in sorted(members):
                digest.update(self._entry(qualifiers[qid].path).encode())
            reads = sorted({ref for qid in members for ref in edges[qid] if ref not in inside})
            for ref in reads:
                digest.update(f"-> {ref} {digests.get(ref, '-')}\n".encode())
            for qid in members:
                digests[qid] = digest.hexdigest()
        return digests

    def _qualifier(self, qualifier_id: str) -> str:
        if self._qualifiers is None:
            self._qualifiers = self._qualifier_digests()
        return f"-> {qualifier_id} {self._qualifiers.get(qualifier_id, '-')}\n"

    def _resource(self, resource_id: str) -> str:
        if resource_id not in self._resources:
            resource = self.model.resources.get(resource_id)
            paths: set[str] = set()
            if resource is not None:
                paths.add(resource.doc.path)
                if resource.schema_path:
                    paths.add(resource.schema_path)
                paths.update(obj.doc.path for obj in resource.objects.values())
            self._resources[resource_id] = "".join(self._entry(p) for p in sorted(paths))
        return self._resources[resource_id]

    def of(self, variable_id: str) -> str:
        """The digest of `closure_paths` with their blob ids."""
        variable = self.model.variables[variable_id]
        parts = [self._entry(variable.path), self._common()]
        parts += [self._qualifier(q) for q in sorted({r.qualifier for r in variable.rules})]
        if variable.resource is not None:
            parts.append(self._resource(variable.resource))
        return hashlib.sha256("".join(parts).encode()).hexdigest()

    def of_qualifier(self, qualifier_id: str) -> str:
        """The digest of `qualifier_closure_paths` with their blob ids."""
        return self._common() + self._qualifier(qualifier_id)


class FirstInClosure:
    """The smallest rank (e.g. the position of the first change) among a closure's paths.

    The same answer as `min(rank[p] for p in closure_paths(...))`, with each qualifier's
    minimum computed once per model (one SCC pass): linear on long qualifier chains.
    """

    def __init__(self, model: Model, rank: dict[str, int]) -> None:
        self.model = model
        self.rank = rank
        self._qualifiers: dict[str, int | None] | None = None

    def _min(self, *values: int | None) -> int | None:
        present = [v for v in values if v is not None]
        return min(present) if present else None

    def _qualifier_ranks(self) -> dict[str, int | None]:
        qualifiers = self.model.qualifiers
        edges = {
            qid: [p.qualifier_ref for p in q.predicates if p.qualifier_ref]
            for qid, q in qualifiers.items()
        }
        ranks: dict[str, int | None] = {}
        for members in strongly_connected(edges):  # a component after all it reaches
            inside = set(members)
            best = self._min(*(self.rank.get(qualifiers[qid].path) for qid in members))
            for qid in members:
                for ref in edges[qid]:
                    if ref not in inside and ref in qualifiers:
                        best = self._min(best, ranks[ref])
            for qid in members:
                ranks[qid] = best
        return ranks

    def _common(self) -> int | None:
        return self.rank.get(CONTEXT_SCHEMA) if CONTEXT_SCHEMA in self.model.schemas else None

    def qualifier(self, qualifier_id: str) -> int | None:
        if self._qualifiers is None:
            self._qualifiers = self._qualifier_ranks()
        return self._min(self._common(), self._qualifiers.get(qualifier_id))

    def variable(self, variable_id: str) -> int | None:
        variable = self.model.variables[variable_id]
        best = self._min(self.rank.get(variable.path), self._common())
        for rule in variable.rules:
            best = self._min(best, self.qualifier(rule.qualifier))
        if variable.resource is not None:
            resource = self.model.resources.get(variable.resource)
            if resource is not None:
                paths = [resource.doc.path, *(o.doc.path for o in resource.objects.values())]
                if resource.schema_path:
                    paths.append(resource.schema_path)
                best = self._min(best, *(self.rank.get(p) for p in paths))
        return best


def outcome(evaluation: Evaluation | RototoError, variable_id: str) -> Outcome:
    if isinstance(evaluation, RototoError):
        return {"error": str(evaluation)}
    try:
        value_key, value = evaluation.selection(variable_id)  # no traces: a diff cell needs none
    except RototoError as error:
        return {"error": str(error)}
    return {"value_key": value_key, "value": value}


def qualifier_outcome(evaluation: Evaluation | RototoError, qualifier_id: str) -> Outcome:
    if isinstance(evaluation, RototoError):
        return {"error": str(evaluation)}
    try:
        return {"value": evaluation.qualifier(qualifier_id)}
    except RototoError as error:
        return {"error": str(error)}


def same_outcome(a: Outcome, b: Outcome) -> bool:
    """Whether a cell did not change (an error on both sides is no change)."""
    return cell_kind(a, b) is None


@dataclass
class ImpactStats:
    resolved: int = 0
    skipped: int = 0
    cells: int = 0


@dataclass
class _Evaluations:
    """Evaluations per context name, created on first use (fixture contexts are scoped).

    Paired with the other side's: an evaluation of the same context on the other side
    lends it the values of the qualifiers in `shared` (byte-identical closures).
    """

    workspace: Workspace | None
    contexts: dict[str, Any]
    cache: dict[str, Evaluation | RototoError] = field(default_factory=dict)
    peer: _Evaluations | None = None
    shared: frozenset[str] = frozenset()
    _selections: dict[tuple[str, ...], _Selections] = field(default_factory=dict)

    def get(self, name: str) -> Evaluation | RototoError:
        found = self.cache.get(name)
        if found is None:
            assert self.workspace is not None
            try:
                found = self.workspace.evaluation(self.contexts[name])
            except RototoError as error:
                found = error
            self.cache[name] = found
            other = self.peer.cache.get(name) if self.peer is not None else None
            if self.shared and isinstance(found, Evaluation) and isinstance(other, Evaluation):
                found.share_with(other, self.shared)
                other.share_with(found, self.shared)
        return found

    def selections(self, names: list[str]) -> _Selections:
        """This side's selections under these contexts, kept for the next variable."""
        key = tuple(names)
        found = self._selections.get(key)
        if found is None:
            found = self._selections[key] = _Selections([self.get(name) for name in names])
            peer = self.peer._selections.get(key) if self.peer is not None else None
            if peer is not None and self.shared:
                found.peer, found.shared = peer, self.shared
        return found


_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


def _bits(mask: int) -> list[int]:
    """The indexes of the set bits, ascending."""
    length = mask.bit_length()
    if mask.bit_count() * 64 < length:
        # a few bits far apart (e.g. a context failing in its own way): one step per bit,
        # not a pass over every context before the highest
        found = []
        while mask:
            low = mask & -mask
            found.append(low.bit_length() - 1)
            mask ^= low
        return found
    # the binary digits, lowest first, as bytes 0/1: a selector over the indexes
    return list(compress(range(length), bin(mask)[:1:-1].encode().translate(_DIGITS)))


def _mask(indexes: list[int]) -> int:
    """The bit set of these indexes, built in one pass: setting bit after bit would build
    a new integer as long as the highest bit each time (quadratic in the contexts)."""
    if len(indexes) < 8:
        mask = 0
        for index in indexes:
            mask |= 1 << index
        return mask
    data = bytearray((max(indexes) >> 3) + 1)
    for index in indexes:
        data[index >> 3] |= 1 << (index & 7)
    return int.from_bytes(data, "little")


class _Selections:
    """What each variable selects under a list of contexts, as bit sets (bit i: the
    i-th context), so that a variable is judged per distinct outcome, not per cell.

    A qualifier is asked of a context only where cell-by-cell selection would ask it:
    in rule order, for the contexts no earlier rule matched. So each context's
    evaluation sees the same qualifier evaluations, in the same order, and gives the
    same values and the same error messages as `Evaluation.selection` would.

    A context that fails on its own (e.g. against the context schema) fails alike for
    every variable: its message is kept by index, not as a bit set per message, since a
    pull request can make every context's message different (one set per context, each
    as long as its index, would be quadratic in memory).
    """

    def __init__(self, evaluations: list[Evaluation | RototoError]) -> None:
        self.evaluations = evaluations
        self.failures: dict[int, str] = {}  # a context's own failure, by index
        self.variables: dict[str, Any] = {}
        usable = []
        for index, evaluation in enumerate(evaluations):
            if isinstance(evaluation, RototoError):
                self.failures[index] = str(evaluation)
            else:
                usable.append(index)
                self.variables = evaluation.runtime.variables
        self.usable = _mask(usable)
        self._known: dict[str, int] = {}  # qualifier -> contexts asked
        self._true: dict[str, int] = {}  # qualifier -> contexts where it holds
        self._errors: dict[str, dict[str, int]] = {}  # qualifier -> failure -> contexts
        self._failing: dict[str, int] = {}  # qualifier -> contexts where it fails
        # the other side's selections under the same contexts: they lend the values of the
        # qualifiers in `shared` (byte-identical closures), never their failures
        self.peer: _Selections | None = None
        self.shared: frozenset[str] = frozenset()

    def _ask(self, qualifier_id: str, wanted: int) -> tuple[int, dict[str, int] | None, int]:
        """(contexts where it holds, failure -> contexts, contexts where it fails)."""
        known = self._known.get(qualifier_id, 0)
        unknown = wanted & ~known
        true = self._true.get(qualifier_id, 0)
        peer = self.peer
        if unknown and peer is not None and qualifier_id in self.shared:
            lent = unknown & peer._known.get(qualifier_id, 0) & peer.usable
            lent &= ~peer._failing.get(qualifier_id, 0)
            if lent:
                true |= peer._true.get(qualifier_id, 0) & lent
                known |= lent
                unknown ^= lent
                self._known[qualifier_id] = known
                self._true[qualifier_id] = true
        if unknown:
            evaluations = self.evaluations
            holds: list[int] = []
            failing: dict[str, list[int]] = {}
            for index in _bits(unknown):
                evaluation = evaluations[index]
                assert isinstance(evaluation, Evaluation)
                value = evaluation.memo.get(qualifier_id)
                if value is None:
                    try:
                        value = evaluation.qualifier(qualifier_id)
                    except RototoError as error:
                        failing.setdefault(str(error), []).append(index)
                        continue
                if value:
                    holds.append(index)
            if holds:
                true |= _mask(holds)
            if failing:
                errors = self._errors.setdefault(qualifier_id, {})
                every = self._failing.get(qualifier_id, 0)
                for message, indexes in failing.items():
                    mask = _mask(indexes)
                    errors[message] = errors.get(message, 0) | mask
                    every |= mask
                self._failing[qualifier_id] = every
            self._known[qualifier_id] = known | unknown
            self._true[qualifier_id] = true
        return true, self._errors.get(qualifier_id), self._failing.get(qualifier_id, 0)

    def outcomes(self, variable_id: str) -> dict[tuple[str, str], int]:
        """(("value", value key) or ("error", message)) -> the contexts with that outcome,
        among those that did not fail on their own (`failures`)."""
        found: dict[tuple[str, str], int] = {}
        remaining = self.usable
        if not remaining:
            return found
        compiled = self.variables.get(variable_id)
        if compiled is None:
            key = ("error", f"variable not found: variable://{variable_id}")
            found[key] = found.get(key, 0) | remaining
            return found
        selected: dict[str, int] = {}
        for _, qualifier_id, value_key in compiled.rules:
            true, errors, failing = self._ask(qualifier_id, remaining)
            if errors and failing & remaining:
                for message, mask in errors.items():
                    hit = mask & remaining
                    if hit:
                        found[("error", message)] = found.get(("error", message), 0) | hit
                remaining &= ~failing
            hit = remaining & true
            if hit:
                selected[value_key] = selected.get(value_key, 0) | hit
                remaining ^= hit
            if not remaining:
                break
        if remaining:
            selected[compiled.default] = selected.get(compiled.default, 0) | remaining
        for value_key, mask in selected.items():
            if value_key in compiled.values:
                found[("value", value_key)] = mask
            else:
                key = ("error", f"variable://{variable_id} selects unknown value: {value_key}")
                found[key] = found.get(key, 0) | mask
        return found

    def outcome(self, variable_id: str, key: tuple[str, str]) -> Outcome:
        if key[0] == "error":
            return {"error": key[1]}
        return {"value_key": key[1], "value": self.variables[variable_id].values[key[1]]}


OutcomeKey = tuple[str, str]


def _key_of(outcomes: dict[OutcomeKey, int], count: int) -> list[OutcomeKey | None]:
    """Each context's outcome key (None for a context in no set)."""
    key_of: list[OutcomeKey | None] = [None] * count
    for key, mask in outcomes.items():
        for index in _bits(mask):
            key_of[index] = key
    return key_of


def _outcome_pairs(
    befores: dict[OutcomeKey, int],
    afters: dict[OutcomeKey, int],
    count: int,
    base_failures: dict[int, str],
    head_failures: dict[int, str],
) -> Iterator[tuple[OutcomeKey, OutcomeKey, Callable[[], list[int]]]]:
    """Each (before, after) pair of outcomes some contexts have, with those contexts' indexes.

    `befores` and `afters` hold the contexts that did not fail on their own; those that did
    (`*_failures`, by index) are paired one by one. Pairs of sets are intersected while
    there are few of them. A pull request decides how many outcomes there are: past
    `count` pairs the contexts are grouped one by one, so the work stays linear in the
    number of contexts.
    """
    after_of: list[OutcomeKey | None] | None = None
    if base_failures or head_failures:
        before_of = _key_of(befores, count) if head_failures else []
        after_of = _key_of(afters, count) if base_failures else None
        pairs: dict[tuple[OutcomeKey, OutcomeKey], list[int]] = {}
        for index in sorted(base_failures.keys() | head_failures.keys()):
            message = base_failures.get(index)
            before_key = ("error", message) if message is not None else before_of[index]
            message = head_failures.get(index)
            after_key = (
                ("error", message) if message is not None else after_of[index]  # type: ignore[index]
            )
            assert before_key is not None and after_key is not None
            pairs.setdefault((before_key, after_key), []).append(index)
        for (before_key, after_key), indexes in pairs.items():
            yield before_key, after_key, indexes.copy
    if len(befores) * len(afters) <= count + 64:
        for before_key, before_mask in befores.items():
            for after_key, after_mask in afters.items():
                both = before_mask & after_mask
                if both:
                    yield before_key, after_key, partial(_bits, both)
        return
    if after_of is None:
        after_of = _key_of(afters, count)
    for before_key, before_mask in befores.items():
        groups: dict[OutcomeKey, list[int]] = {}
        for index in _bits(before_mask):
            key = after_of[index]
            if key is None:  # failed on its own on the head side: paired above
                continue
            groups.setdefault(key, []).append(index)
        for after_key, indexes in groups.items():
            yield before_key, after_key, indexes.copy


def _same_value(a: Any, b: Any) -> bool:
    """`strict_equal`, with its most common case (two strings) first."""
    if type(a) is str and type(b) is str:
        return a == b
    return strict_equal(a, b)


def _kind(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """`cell_kind` for two present outcomes."""
    if "error" in before:
        return None if "error" in after else "fixed"
    if "error" in after:
        return "broken"
    if before.get("value_key") == after.get("value_key") and _same_value(
        before.get("value"), after.get("value")
    ):
        return None
    return "changed"


Locate = Callable[[str], tuple[str | None, int | None]]
# (target id, is a qualifier, the head evaluation) -> the line that broke the cell
Blame = Callable[[str, bool, "Evaluation | RototoError"], tuple[str | None, int | None]]


def scoped_names(
    contexts: dict[str, Any], targets: dict[str, str] | None
) -> tuple[list[str], dict[str, list[str]]]:
    """(contexts that judge every variable, target -> contexts that judge it alone)."""
    targets = targets or {}
    unscoped = [name for name in contexts if name not in targets]
    by_target: dict[str, list[str]] = {}
    for name in contexts:
        if name in targets:
            by_target.setdefault(targets[name], []).append(name)
    return unscoped, by_target


def resolution_changes(
    base: Workspace | None,
    base_blobs: dict[str, str],
    head: Workspace | None,
    head_blobs: dict[str, str],
    contexts: dict[str, Any],
    stats: ImpactStats | None = None,
    locate: Locate | None = None,
    targets: dict[str, str] | None = None,
    blame: Blame | None = None,
    locate_qualifier: Locate | None = None,
) -> list[ResolutionChange]:
    """Cells whose outcome differs; `base`/`head` are None when absent or not loadable.

    `targets` maps a fixture-case context name to its `variable:<id>` / `qualifier:<id>`.
    """
    stats = stats or ImpactStats()
    unscoped, by_target = scoped_names(contexts, targets)
    base_closures = ClosureDigests(base.model, base_blobs) if base else None
    head_closures = ClosureDigests(head.model, head_blobs) if head else None
    base_eval = _Evaluations(base, contexts)
    head_eval = _Evaluations(head, contexts)
    if base_closures is not None and head_closures is not None:
        # a qualifier whose closure is byte-identical on both sides has the same value in
        # the same context: evaluate it once for both
        assert base is not None and head is not None
        shared = frozenset(
            qid
            for qid in base.model.qualifiers
            if qid in head.model.qualifiers
            and base_closures.of_qualifier(qid) == head_closures.of_qualifier(qid)
        )
        base_eval.peer, base_eval.shared = head_eval, shared
        head_eval.peer, head_eval.shared = base_eval, shared
    changes: list[ResolutionChange] = []

    def compare(
        target_id: str,
        is_qualifier: bool,
        names: list[str],
        in_base: bool,
        in_head: bool,
    ) -> None:
        evaluate = qualifier_outcome if is_qualifier else outcome
        stats.resolved += 1
        for name in names:
            stats.cells += 1
            before = evaluate(base_eval.get(name), target_id) if in_base else None
            after = evaluate(head_eval.get(name), target_id) if in_head else None
            kind = cell_kind(before, after)
            if kind is None:
                continue
            if kind == "broken" and blame is not None:
                path, line = blame(target_id, is_qualifier, head_eval.get(name))
            else:
                where = locate_qualifier if is_qualifier else locate
                path, line = where(target_id) if where else (None, None)
            changes.append(
                ResolutionChange(
                    target_id, name, before, after, path, line, kind=kind, qualifier=is_qualifier
                )
            )

    def compare_variable(vid: str, names: list[str], in_base: bool, in_head: bool) -> None:
        """`compare` for a variable present on both sides: each side's outcomes as sets of
        contexts, compared once per pair of distinct outcomes; one outcome object for the
        cells that share it (outcomes are read, never changed)."""
        if not (in_base and in_head):
            compare(vid, False, names, in_base, in_head)
            return
        stats.resolved += 1
        stats.cells += len(names)
        base_side, head_side = base_eval.selections(names), head_eval.selections(names)
        befores, afters = base_side.outcomes(vid), head_side.outcomes(vid)
        cells: list[tuple[int, Outcome, Outcome, str]] = []
        before_outcomes: dict[tuple[str, str], Outcome] = {}
        after_outcomes: dict[tuple[str, str], Outcome] = {}
        for before_key, after_key, indexes in _outcome_pairs(
            befores, afters, len(names), base_side.failures, head_side.failures
        ):
            before = before_outcomes.get(before_key)
            if before is None:
                before = before_outcomes[before_key] = base_side.outcome(vid, before_key)
            after = after_outcomes.get(after_key)
            if after is None:
                after = after_outcomes[after_key] = head_side.outcome(vid, after_key)
            kind = _kind(before, after)
            if kind is not None:
                cells.extend((index, before, after, kind) for index in indexes())
        cells.sort(key=lambda cell: cell[0])
        located: tuple[str | None, int | None] | None = None
        for index, before, after, kind in cells:
            name = names[index]
            if kind == "broken" and blame is not None:
                path, line = blame(vid, False, head_eval.get(name))
            else:
                if located is None:
                    located = locate(vid) if locate else (None, None)
                path, line = located
            changes.append(
                ResolutionChange(vid, name, before, after, path, line, kind=kind, qualifier=False)
            )

    base_ids = list(base.model.variables) if base else []
    head_ids = list(head.model.variables) if head else []
    for vid in sorted(set(base_ids) | set(head_ids)):
        in_base = base is not None and vid in base.model.variables
        in_head = head is not None and vid in head.model.variables
        if in_base and in_head:
            assert base_closures is not None and head_closures is not None
            if base_closures.of(vid) == head_closures.of(vid):
                stats.skipped += 1
                continue
        scoped = by_target.get(f"variable:{vid}")
        compare_variable(vid, unscoped + scoped if scoped else unscoped, in_base, in_head)
    for target, names in sorted(by_target.items()):
        kind, _, qid = target.partition(":")
        if kind != "qualifier":
            continue
        in_base = base is not None and qid in base.model.qualifiers
        in_head = head is not None and qid in head.model.qualifiers
        if not in_base and not in_head:
            continue
        if in_base and in_head:
            assert base_closures is not None and head_closures is not None
            if base_closures.of_qualifier(qid) == head_closures.of_qualifier(qid):
                stats.skipped += 1
                continue
        compare(qid, True, names, in_base, in_head)
    return changes
