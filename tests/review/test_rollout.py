"""Rollout impact: classification per predicate, and exact shares per variable and context.

The piecewise evaluation is checked against brute force over all 10,000 buckets (real
account ids found for every bucket, resolved by the engine's ordinary path) and against
the reference engine for a sample of real ids whose buckets we compute.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from rototo_ci.engine.resolve import bucket_of
from rototo_ci.engine.workspace import Workspace
from rototo_ci.review.rollout import bucket_impact, rollout_detail
from rototo_ci.review.sentences import rollout_sentence

from ..oracle.reference import export_tree, resolve_batch
from .conftest import Repo

SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "account": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "plan": {"type": "string"}},
            }
        },
    }
)


def _bucket(start: int, end: int, salt: str = "s1") -> dict:
    return {"attribute": "account.id", "op": "bucket", "salt": salt, "range": [start, end]}


@pytest.mark.parametrize(
    ("before", "after", "kind", "entered", "left"),
    [
        (_bucket(0, 1000), _bucket(0, 2500), "expanded", 1500, 0),
        (_bucket(0, 2500), _bucket(500, 2500), "shrunk", 0, 500),
        (_bucket(0, 1000), _bucket(500, 1500), "moved", 500, 500),
        (_bucket(0, 1000), _bucket(5000, 6000), "moved", 1000, 1000),
        # a new salt draws every bucket again: expected counts for independent draws
        (_bucket(0, 1000), _bucket(0, 1000, "s2"), "reshuffled", 900, 900),
        (_bucket(0, 5000), _bucket(0, 2000, "s2"), "reshuffled", 1000, 4000),
        # a gate that appears keeps only its range; one that disappears lets everyone in
        (None, _bucket(0, 3000), "shrunk", 0, 7000),
        (_bucket(0, 3000), None, "expanded", 7000, 0),
    ],
)
def test_rollout_detail(before, after, kind, entered, left) -> None:
    detail = rollout_detail(before, after)
    assert detail is not None
    assert (detail["kind"], detail["entered"], detail["left"]) == (kind, entered, left)


def test_rollout_sentence_and_non_bucket_changes() -> None:
    detail = rollout_detail(_bucket(0, 1000), _bucket(0, 2500))
    assert rollout_sentence(detail) == (
        "rollout on account.id: 0–10.00 % → 0–25.00 % (+1,500 buckets enter)"
    )
    plain = {"attribute": "account.plan", "op": "eq", "value": "x"}
    assert rollout_detail(plain, dict(plain, value="y")) is None
    assert rollout_detail(_bucket(0, 10), _bucket(0, 10)) is None


@cache
def preimages(salt: str) -> tuple[str, ...]:
    """An account id for every bucket of `salt` (found by hashing candidate ids)."""
    found: dict[int, str] = {}
    i = 0
    while len(found) < 10_000:
        value = f"acct-{i}"
        found.setdefault(bucket_of(salt, value), value)
        i += 1
    return tuple(found[b] for b in range(10_000))


def _qualifier(predicates: list[dict]) -> str:
    text = "schema_version = 1\n"
    for p in predicates:
        text += "\n[[predicate]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in p.items())
    return text


def _variable(rules: list[tuple[str, str]], default: str) -> str:
    text = 'schema_version = 1\ntype = "string"\n\n[values]\na = "A"\nb = "B"\nc = "C"\n'
    text += f'\n[resolve]\ndefault = "{default}"\n'
    for qualifier, value in rules:
        text += f'\n[[resolve.rule]]\nqualifier = "{qualifier}"\nvalue = "{value}"\n'
    return text


def _random_range(rng: random.Random) -> list[int]:
    a, b = sorted(rng.sample(range(0, 10_001), 2))
    return [a, b]


def _random_side(rng: random.Random, salt_choices: list[str]) -> dict[str, str]:
    salt = rng.choice(salt_choices)
    r1 = {"attribute": "account.id", "op": "bucket", "salt": salt, "range": _random_range(rng)}
    r2 = {"attribute": "account.id", "op": "bucket", "salt": salt, "range": _random_range(rng)}
    plan = {"attribute": "account.plan", "op": "in", "value": rng.sample(["free", "pro"], 1)}
    nested = {"attribute": "qualifier.roll-a", "op": "eq", "value": rng.choice([True, False])}
    rules = [("roll-a", rng.choice("abc")), ("roll-b", rng.choice("abc")), ("mixed", "c")]
    rng.shuffle(rules)
    return {
        "rototo-workspace.toml": "schema_version = 1\n",
        "schemas/context.schema.json": SCHEMA,
        "qualifiers/roll-a.toml": _qualifier([r1]),
        "qualifiers/roll-b.toml": _qualifier([r2, plan]),
        "qualifiers/mixed.toml": _qualifier([nested, plan]),
        "variables/theme.toml": _variable(rules[: rng.randrange(1, 4)], rng.choice("abc")),
        "contexts/free.json": json.dumps({"account": {"plan": "free"}}),
        "contexts/pro.json": json.dumps({"account": {"plan": "pro", "id": "x"}}),
    }


def _sides(seed: int, tmp_path: Path, reshuffle: bool = False) -> tuple[Workspace, Workspace]:
    rng = random.Random(seed)
    repo = Repo(tmp_path / f"repo{seed}")
    repo.write(_random_side(rng, ["s1"]))
    repo.commit("base")
    repo.write(_random_side(rng, ["s2"] if reshuffle else ["s1"]))
    repo.commit("head")
    from rototo_ci.review.revisions import parse_range

    base, head = parse_range(repo.git, "HEAD~1..HEAD")
    return (
        Workspace.from_tree(base.opened("").tree),  # type: ignore[union-attr]
        Workspace.from_tree(head.opened("").tree),  # type: ignore[union-attr]
    )


def _brute_force(base: Workspace, head: Workspace, context: dict, salt: str) -> Counter:
    """Resolve both sides for a real id in every bucket, the ordinary way."""
    counts: Counter = Counter()
    for value in preimages(salt):
        ctx = {"account": {**context["account"], "id": value}}
        before = base.evaluation(ctx).variable("theme")[0].value_key
        after = head.evaluation(ctx).variable("theme")[0].value_key
        if before != after:
            counts[(before, after)] += 1
    return counts


def _seeds(n: int, fast: int) -> list:
    """The first `fast` seeds run by default, the rest with the slow tests."""
    return [
        seed if seed < fast else pytest.param(seed, marks=pytest.mark.slow) for seed in range(n)
    ]


@pytest.mark.parametrize("seed", _seeds(8, 2))
def test_bucket_impact_equals_brute_force(seed: int, tmp_path: Path) -> None:
    base, head = _sides(seed, tmp_path)
    for plan in ("free", "pro"):
        context = {"account": {"plan": plan}}
        impact = bucket_impact(
            base, head, context, context, "theme", ("account.id", "s1"), ("account.id", "s1")
        )
        counts = Counter(
            {
                (t["before"]["value_key"], t["after"]["value_key"]): t["buckets"]
                for t in impact.transitions
            }
        )
        assert counts == _brute_force(base, head, context, "s1")
        assert impact.buckets_changed == sum(counts.values())


def test_brute_force_cases_are_not_trivial(tmp_path: Path) -> None:
    changed = [
        bucket_impact(
            *_sides(seed, tmp_path),
            {"account": {"plan": "pro"}},
            {"account": {"plan": "pro"}},
            "theme",
            ("account.id", "s1"),
            ("account.id", "s1"),
        ).buckets_changed
        for seed in range(4)
    ]
    assert sum(1 for n in changed if 0 < n < 10_000) >= 2, changed


def test_reshuffled_counts_are_the_expected_ones(tmp_path: Path) -> None:
    """With a new salt, the two draws of a unit are independent: counts match brute force
    over pairs of buckets, which the product of the two piecewise functions is."""
    base, head = _sides(7, tmp_path, reshuffle=True)
    context = {"account": {"plan": "pro"}}
    impact = bucket_impact(
        base, head, context, context, "theme", ("account.id", "s1"), ("account.id", "s2")
    )
    # sample real ids: the observed share of changed units is close to the expected one
    ids = [f"user-{i}" for i in range(4000)]
    changed = 0
    for value in ids:
        ctx = {"account": {"plan": "pro", "id": value}}
        changed += (
            base.evaluation(ctx).variable("theme")[0].value_key
            != head.evaluation(ctx).variable("theme")[0].value_key
        )
    assert abs(changed / len(ids) - impact.buckets_changed / 10_000) < 0.04


@pytest.mark.parametrize("seed", _seeds(6, 2))
def test_piecewise_outcomes_match_the_reference_engine(seed: int, tmp_path: Path) -> None:
    """Real ids, their buckets computed here; the reference resolves them on both sides."""
    rng = random.Random(seed)
    repo = Repo(tmp_path / "repo")
    repo.write(_random_side(rng, ["s1"]))
    repo.commit("base")
    repo.write(_random_side(rng, ["s1"]))
    repo.commit("head")
    report = repo.diff("HEAD~1..HEAD")
    from rototo_ci.review.revisions import parse_range

    sides = parse_range(repo.git, "HEAD~1..HEAD")
    ids = [f"customer-{rng.randrange(10**9)}" for _ in range(120)]
    plans = ("free", "pro")
    jobs = []
    for index, side in enumerate(sides):
        root = export_tree(side.opened("").tree, tmp_path / f"side{index}")  # type: ignore[union-attr]
        queries = [
            ["variable", "theme", {"account": {"plan": p, "id": v}}] for p in plans for v in ids
        ]
        jobs.append({"source": str(root), "queries": queries})
    before, after = (answer["results"] for answer in resolve_batch(jobs))
    from rototo_ci.review.rollout import outcome_at

    base, head = (Workspace.from_tree(s.opened("").tree) for s in sides)  # type: ignore[union-attr]
    cells = iter(zip(before, after, strict=True))
    for plan in plans:
        context = {"account": {"plan": plan}}
        for value in ids:
            b, a = next(cells)
            # predicted from the piecewise function at the bucket we compute for the id
            bucket = bucket_of("s1", value)
            pb = outcome_at(base, context, "theme", ("account.id", "s1"), bucket)
            pa = outcome_at(head, context, "theme", ("account.id", "s1"), bucket)
            assert (pb["value_key"], pa["value_key"]) == (b["value_key"], a["value_key"])
        # and the report's rollout for this context counts what brute force counts
        rollout = next(
            (r for r in report.workspaces[0].rollouts if r.context == f"contexts/{plan}.json"),
            None,
        )
        brute = _brute_force(base, head, context, "s1")
        assert (rollout.buckets_changed if rollout else 0) == sum(brute.values())
        if rollout:
            assert {
                (t["before"]["value_key"], t["after"]["value_key"]): t["buckets"]
                for t in rollout.transitions
            } == dict(brute)
