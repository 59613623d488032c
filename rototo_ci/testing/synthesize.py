"""Fixture synthesis: contexts that drive each variable to its default and to each rule.

Witness, search, then proof: each case is first tried with the context upstream's
`rototo fixtures` would build (testing/witness.py), so we write the cases and
values it writes; when that finds nothing, candidate values from each predicate's
operator and value (and the context schema's declared types) and a small local
search make the required qualifiers true or false; such a case is marked
`extended` (upstream writes none). Every case is resolved with the engine before
it is written, so an expectation is never a guess.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ..engine.context import deep_merge
from ..engine.errors import RototoError
from ..engine.model import Predicate
from ..engine.resolve import QualifierTrace, bucket_of, compile_compare
from ..engine.workspace import Workspace
from .suite import BucketExpectation, Case, Expectation, FixtureFile
from .witness import WitnessBuilder

MAX_STEPS = 200
BUCKET_TRIES = 20_000


def _differ(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 1.0
    if isinstance(value, str):
        return f"fixture-not-{value}"
    if isinstance(value, list):
        return [*value, "fixture-extra"]
    return "fixture-other"


def _outside(values: list[Any]) -> Any:
    sample = values[0] if values else "x"
    candidate = _differ(sample)
    for _ in range(len(values) + 2):  # bounded: [true, false] leaves no boolean outside
        if not any(candidate == v and type(candidate) is type(v) for v in values):
            return candidate
        candidate = _differ(candidate)
    return "fixture-other"


def _step(value: Any, up: bool) -> Any:
    if isinstance(value, int):
        return value + 1 if up else value - 1
    return value + 1.0 if up else value - 1.0


def _schema_types(schema: Any, path: list[str]) -> set[str]:
    node = schema
    for part in path:
        if not isinstance(node, dict):
            return set()
        node = (node.get("properties") or {}).get(part)
    if not isinstance(node, dict):
        return set()
    kind = node.get("type")
    return set(kind) if isinstance(kind, list) else ({kind} if isinstance(kind, str) else set())


@dataclass
class Synthesizer:
    workspace: Workspace
    bucket_cache: dict[tuple[str, int, int, bool, bool], Any] = field(default_factory=dict)
    witnesses: WitnessBuilder = field(init=False)

    def __post_init__(self) -> None:
        self.witnesses = WitnessBuilder(self.workspace.model.qualifiers)

    @property
    def schema(self) -> Any:
        schema = self.workspace.model.context_schema
        return schema.value if schema is not None else None

    # -- candidate values -----------------------------------------------------
    def value_for(self, p: Predicate, want: bool) -> Any:
        """A context value making predicate p evaluate to `want` (None: no idea)."""
        op, v = p.op, p.value
        if op == "eq":
            return v if want else _differ(v)
        if op == "neq":
            return _differ(v) if want else v
        if op in ("in", "not_in"):
            inside = (op == "in") == want
            return v[0] if inside and v else _outside(v)
        if op in ("gt", "gte", "lt", "lte"):
            above = op in ("gt", "gte")
            strict = op in ("gt", "lt")
            if want:
                return _step(v, above) if strict else v
            return v if strict else _step(v, not above)
        if op == "bucket":
            return self.bucket_value(p, want)
        return None

    def bucket_value(self, p: Predicate, want: bool) -> Any:
        start, end = p.value
        assert p.salt is not None
        integers = "integer" in _schema_types(self.schema, p.path) and "string" not in (
            _schema_types(self.schema, p.path)
        )
        key = (p.salt, start, end, want, integers)
        if key in self.bucket_cache:
            return self.bucket_cache[key]
        found: Any = None
        for index in range(BUCKET_TRIES):
            candidate: Any = index if integers else f"fixture-{index:05d}"
            if (start <= bucket_of(p.salt, candidate) < end) == want:
                found = candidate
                break
        self.bucket_cache[key] = found
        return found

    # -- search ---------------------------------------------------------------
    def base_context(self, qualifier_ids: list[str]) -> dict[str, Any]:
        """Every attribute the qualifiers (and those they reach) read, each set once."""
        context: dict[str, Any] = {}
        for p in self._predicates(qualifier_ids):
            value = self.value_for(p, False)
            if value is None:
                value = self.value_for(p, True)
            _set_default(context, p.path, value)
        return context

    def _predicates(self, qualifier_ids: list[str]) -> list[Predicate]:
        model = self.workspace.model
        seen: set[str] = set()
        order: list[Predicate] = []
        pending = list(qualifier_ids)
        while pending:
            qid = pending.pop(0)
            if qid in seen or qid not in model.qualifiers:
                continue
            seen.add(qid)
            for p in model.qualifiers[qid].predicates:
                if p.qualifier_ref is not None:
                    pending.append(p.qualifier_ref)
                else:
                    order.append(p)
        return order

    def solve(self, goals: list[tuple[str, bool]], involved: list[str]) -> dict[str, Any] | None:
        """A context where each (qualifier, value) goal holds, or None."""
        context = self.base_context(involved)
        model = self.workspace.model
        for step in range(MAX_STEPS):
            try:
                evaluation = self.workspace.evaluation(context, validate_context=False)
                unmet = [(q, want) for q, want in goals if evaluation.qualifier(q) != want]
            except RototoError:
                return None
            if not unmet:
                return context
            qid, want = unmet[step % len(unmet)]
            if not self._push(model.qualifiers[qid], want, context, evaluation, step):
                return None
        return None

    def _push(
        self, qualifier: Any, want: bool, context: dict[str, Any], evaluation: Any, step: int
    ) -> bool:
        """Change one attribute towards making `qualifier` evaluate to `want`."""
        predicates = qualifier.predicates
        if want:
            targets = [p for p in predicates if not self._holds(p, evaluation, True)]
        else:
            targets = [predicates[step % len(predicates)]]
        for p in targets[:1]:
            if p.qualifier_ref is not None:
                ref_want = self._ref_want(p, want)
                if ref_want is None:
                    return False
                ref = self.workspace.model.qualifiers[p.qualifier_ref]
                return self._push(ref, ref_want, context, evaluation, step)
            value = self.value_for(p, want)
            if value is None:
                return False
            _set(context, p.path, value)
        return True

    def _holds(self, p: Predicate, evaluation: Any, want: bool) -> bool:
        try:
            actual = (
                evaluation.qualifier(p.qualifier_ref)
                if p.qualifier_ref
                else _get(evaluation.context, p.path)
            )
        except (RototoError, KeyError):
            return False
        if p.op == "bucket":
            start, end = p.value
            return (start <= bucket_of(p.salt or "", actual) < end) == want
        return bool(compile_compare(p.op, p.value)(actual)) == want

    def _ref_want(self, p: Predicate, want: bool) -> bool | None:
        for candidate in (True, False):
            if p.op != "bucket" and bool(compile_compare(p.op, p.value)(candidate)) == want:
                return candidate
        return None

    # -- cases ---------------------------------------------------------------
    def complete(self, context: dict[str, Any]) -> dict[str, Any] | None:
        """Fill what the context schema requires; None when the schema still refuses it."""
        if self.schema is not None:
            _fill_required(context, self.schema)
        try:
            self.workspace.validate_context(context)
        except RototoError:
            return None
        return context

    def variable_fixture(self, variable_id: str) -> tuple[FixtureFile, list[str]]:
        variable = self.workspace.model.variables[variable_id]
        fixture = FixtureFile(
            f"variables/{variable_id}.toml",
            f"variable:{variable_id}",
            f"Runtime behavior fixtures for variable://{variable_id}",
        )
        notes: list[str] = []
        rule_qualifiers = [r.qualifier for r in variable.rules]
        plans: list[tuple[str, str, list[tuple[str, bool]], int | None]] = [
            (
                "default",
                "Uses the default value when no rule matches",
                [(q, False) for q in dict.fromkeys(rule_qualifiers)],
                None,
            )
        ]
        for position, rule in enumerate(variable.rules):
            earlier = [q for q in dict.fromkeys(rule_qualifiers[:position]) if q != rule.qualifier]
            plans.append(
                (
                    f"rule-{rule.index}-{sanitize_id(rule.qualifier)}",
                    f"Rule {rule.index} selects {rule.value} when {rule.qualifier} matches",
                    [(q, False) for q in earlier] + [(rule.qualifier, True)],
                    rule.index,
                )
            )
        for position, (case_id, title, goals, rule_index) in enumerate(plans, start=-1):
            # upstream's witnesses first: the case it writes, with the values it writes
            if rule_index is None:
                witnesses = [self.witnesses.variable_default(variable)]
            else:
                rule = variable.rules[position]
                witnesses = [
                    self.witnesses.qualifier(rule.qualifier, True),
                    self.witnesses.variable_rule_fallback(variable, position),
                ]
            chosen = next((w for w in witnesses if self._shows(variable_id, w, rule_index)), None)
            case = None
            if chosen is not None:
                completed = self.complete(copy.deepcopy(chosen))
                case = self._variable_case(variable_id, case_id, title, completed, rule_index)
            if case is None:
                found = self._search(goals, rule_qualifiers)
                case = self._variable_case(variable_id, case_id, title, found, rule_index)
            if case is not None:
                case.extended = chosen is None
            if case is None:
                notes.append(
                    f"variable://{variable_id}: no context found for {case_id} "
                    "(unreachable rule or conflicting predicates)"
                )
            else:
                fixture.cases.append(case)
        return fixture, notes

    def _shows(
        self, variable_id: str, context: dict[str, Any] | None, rule_index: int | None
    ) -> bool:
        """Whether a witness resolves to the default (rule_index None) or to that rule,
        judged without the context schema (upstream does not fill it in)."""
        if context is None:
            return False
        try:
            expect = observed_expectation(
                self.workspace, "variable", variable_id, context, validate=False
            )
        except RototoError:
            return False
        if rule_index is None:
            return expect.matched == "default"
        return expect.matched_rule == rule_index

    def complete_or_none(self, context: dict[str, Any] | None) -> dict[str, Any] | None:
        return self.complete(context) if context is not None else None

    def _upstream_or_search(
        self,
        qualifier_id: str,
        label: tuple[str, str],
        because: str,
        want: bool,
        witness: dict[str, Any] | None,
        search: Any,
    ) -> Case | None:
        """The case from upstream's witness when it gives `want`, else from our search
        (then `extended`: upstream writes no such case)."""
        upstream = False
        if witness is not None:
            try:
                upstream = (
                    observed_expectation(
                        self.workspace, "qualifier", qualifier_id, witness, validate=False
                    ).value
                    is want
                )
            except RototoError:
                upstream = False
        case = None
        if upstream:
            completed = self.complete(copy.deepcopy(witness))  # type: ignore[arg-type]
            case = self._qualifier_case(qualifier_id, *label, because, completed, want)
        if case is None:
            case = self._qualifier_case(qualifier_id, *label, because, search(), want)
        if case is not None:
            case.extended = not upstream
        return case

    def _search(
        self, goals: list[tuple[str, bool]], rule_qualifiers: list[str]
    ) -> dict[str, Any] | None:
        context = self.solve(goals, rule_qualifiers) if goals else self.base_context([])
        if context is None and goals and goals[-1][1]:
            # keep the rule reachable even if an earlier rule cannot be kept false
            context = self.solve(goals[-1:], rule_qualifiers)
        return self.complete(context) if context is not None else None

    def _variable_case(
        self,
        variable_id: str,
        case_id: str,
        title: str,
        context: dict[str, Any] | None,
        rule_index: int | None,
    ) -> Case | None:
        if context is None:
            return None
        try:
            expect = observed_expectation(self.workspace, "variable", variable_id, context)
        except RototoError:
            return None
        if rule_index is None and expect.matched != "default":
            return None
        if rule_index is not None and expect.matched_rule != rule_index:
            return None
        because = (
            "Every rule qualifier is false."
            if rule_index is None
            else "Earlier rule qualifiers are kept false when possible."
        )
        return Case(case_id, title, copy.deepcopy(context), expect, because=because, generated=True)

    def qualifier_fixture(self, qualifier_id: str) -> tuple[FixtureFile, list[str]]:
        """A `matches` case, then one `false-<predicate>` case per predicate (upstream's shape).

        Each false case makes that one predicate false and keeps the others true when
        possible; a case is written only when the engine confirms the qualifier is false.
        """
        fixture = FixtureFile(
            f"qualifiers/{qualifier_id}.toml",
            f"qualifier:{qualifier_id}",
            f"Runtime behavior fixtures for qualifier://{qualifier_id}",
        )
        notes: list[str] = []
        matches = ("matches", "Matches when all predicates are true")
        because = "Every qualifier predicate is satisfied."
        case = self._upstream_or_search(
            qualifier_id,
            matches,
            because,
            True,
            self.witnesses.qualifier(qualifier_id, True),
            lambda: self.complete_or_none(self.solve([(qualifier_id, True)], [qualifier_id])),
        )
        matching = case.context if case is not None else None
        if case is None:
            notes.append(f"qualifier://{qualifier_id}: no context makes it true")
        else:
            fixture.cases.append(case)
        qualifier = self.workspace.model.qualifiers[qualifier_id]
        because = "All other predicates are kept true when possible."
        for p in qualifier.predicates:
            label = (
                f"false-{predicate_case_suffix(p)}",
                f"Does not match when {p.attribute} is false",
            )
            case = self._upstream_or_search(
                qualifier_id,
                label,
                because,
                False,
                self.witnesses.false_at(qualifier_id, p.index),
                lambda p=p: self._false_at(qualifier_id, p, matching),
            )
            if case is None:
                notes.append(
                    f"qualifier://{qualifier_id}: no context makes predicate {p.index + 1} "
                    f"({p.attribute}) false"
                )
            else:
                fixture.cases.append(case)
        return fixture, notes

    def _false_at(
        self, qualifier_id: str, p: Predicate, matching: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """A context where predicate p is false and every other predicate true, or None.

        This is the case upstream writes as `false-<predicate>`: when no context keeps the
        others true (they read the same attribute in contradicting ways), there is no case.
        """
        qualifier = self.workspace.model.qualifiers[qualifier_id]
        seeds = [matching] if matching is not None else []
        seeds.append(self.base_context([qualifier_id]))
        for seed in seeds:
            context = copy.deepcopy(seed)
            for other in qualifier.predicates:
                if other is not p and not self._make(other, True, context):
                    break
            else:
                if self._make(p, False, context):
                    completed = self.complete(context)
                    if completed is not None and self._false_only_at(
                        qualifier_id, p.index, completed
                    ):
                        return completed
        return None

    def _make(self, p: Predicate, want: bool, context: dict[str, Any]) -> bool:
        """Set what predicate p reads so that it evaluates to `want` (False: no idea how)."""
        if p.qualifier_ref is not None:
            ref_want = self._ref_want(p, want)
            if ref_want is None or p.qualifier_ref not in self.workspace.model.qualifiers:
                return False
            sub = self.solve([(p.qualifier_ref, ref_want)], [p.qualifier_ref])
            if sub is None:
                return False
            # objects merge, anything else replaces; `context` is updated in place
            context.update(deep_merge(context, sub))
            return True
        value = self.value_for(p, want)
        if value is None:
            return False
        _set(context, p.path, value)
        return True

    def _false_only_at(self, qualifier_id: str, index: int, context: dict[str, Any]) -> bool:
        try:
            trace = self.workspace.trace_qualifier(qualifier_id, context)
        except RototoError:
            return False
        return all(t.result is (t.index != index) for t in trace.predicates)

    def _qualifier_case(
        self,
        qualifier_id: str,
        case_id: str,
        title: str,
        because: str,
        context: dict[str, Any] | None,
        want: bool,
    ) -> Case | None:
        if context is None:
            return None
        try:
            expect = observed_expectation(self.workspace, "qualifier", qualifier_id, context)
        except RototoError:
            return None
        if expect.value is not want:
            return None
        return Case(case_id, title, copy.deepcopy(context), expect, because=because, generated=True)


def observed_expectation(
    workspace: Workspace,
    kind: str,
    target_id: str,
    context: dict[str, Any],
    *,
    validate: bool = True,
) -> Expectation:
    """What resolving `context` shows for a target, as a fixture records it.

    The synthesizer writes this for the contexts it finds; `--check` compares it with
    what a suite on disk recorded. Raises RototoError when the context does not resolve.
    """
    evaluation = workspace.evaluation(context, validate_context=validate, trace=True)
    if kind == "variable":
        trace = workspace.trace_variable(target_id, context, evaluation=evaluation)
        matched = next((r for r in trace.rules if r.matched), None)
        return Expectation(
            value=trace.resolution.value,
            value_key=trace.resolution.value_key,
            matched="default" if matched is None else None,
            matched_rule=matched.index if matched else None,
            matched_qualifier=matched.qualifier if matched else None,
            buckets=bucket_expectations(trace.qualifier_traces),
        )
    qualifier = workspace.trace_qualifier(target_id, context, evaluation=evaluation)
    return Expectation(value=qualifier.value, buckets=bucket_expectations([qualifier]))


def sanitize_id(text: str) -> str:
    """Upstream's case-id form: ASCII alphanumerics lowered, `-_.` as `-`, the rest dropped."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        elif ch in "-_.":
            out.append("-")
    return "".join(out).strip("-") or "fixture"


def predicate_case_suffix(p: Predicate) -> str:
    if p.op == "bucket":
        return f"outside-{sanitize_id(p.attribute)}-bucket"
    return sanitize_id(p.qualifier_ref if p.qualifier_ref is not None else p.attribute)


def bucket_expectations(traces: list[QualifierTrace]) -> list[BucketExpectation]:
    """The bucket value of every bucket predicate evaluated in these traces."""
    return [
        BucketExpectation(
            p.attribute, p.bucket["salt"], [p.bucket["start"], p.bucket["end"]], p.bucket["value"]
        )
        for q in traces
        for p in q.predicates
        if p.kind == "bucket" and p.bucket is not None
    ]


def _get(context: dict[str, Any], path: list[str]) -> Any:
    node: Any = context
    for part in path:
        if not isinstance(node, dict) or part not in node:
            raise KeyError(part)
        node = node[part]
    return node


def _set(context: dict[str, Any], path: list[str], value: Any) -> None:
    node = context
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[path[-1]] = value


def _set_default(context: dict[str, Any], path: list[str], value: Any) -> None:
    try:
        _get(context, path)
    except KeyError:
        _set(context, path, value)


_PLACEHOLDER = {
    "string": "fixture",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "array": [],
    "object": {},
}


def _fill_required(node: dict[str, Any], schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name not in node:
            sub = properties.get(name, {})
            kind = sub.get("type") if isinstance(sub, dict) else None
            kind = kind[0] if isinstance(kind, list) and kind else kind
            node[name] = copy.deepcopy(_PLACEHOLDER.get(kind, "fixture")) if kind else "fixture"
    for name, sub in properties.items():
        if isinstance(node.get(name), dict):
            _fill_required(node[name], sub)
