"""The diff's resolution changes agree with the reference engine resolving both sides."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ..oracle.reference import export_tree, resolve_batch
from .conftest import Repo
from .workspaces import base_workspace, int_variable, qualifier_plan, qualifier_seats

PLANS = ["free", "growth", "enterprise", "edu"]


def _mutate(rng: random.Random, files: dict[str, str]) -> dict[str, str]:
    files = dict(files)
    for _ in range(rng.randrange(1, 4)):
        choice = rng.randrange(6)
        if choice == 0:
            files["qualifiers/paid.toml"] = qualifier_plan(rng.sample(PLANS, rng.randrange(1, 4)))
        elif choice == 1:
            files["qualifiers/big.toml"] = qualifier_seats(rng.randrange(1, 600))
        elif choice == 2:
            rules = rng.sample([("paid", "large"), ("big", "small")], rng.randrange(0, 3))
            files["variables/limit.toml"] = int_variable(
                {"small": rng.randrange(5), "large": rng.randrange(20, 30)},
                rng.choice(["small", "large"]),
                rules,
            )
        elif choice == 3:
            files["variables/seats-cap.toml"] = int_variable(
                {"low": 10, "high": rng.choice([1000, 2000])},
                rng.choice(["low", "high"]),
                [("big", "high"), ("paid", "low")][: rng.randrange(0, 3)],
            )
        elif choice == 4:
            name = f"variables/new-{rng.randrange(3)}.toml"
            files[name] = int_variable({"a": 1, "b": 2}, "a", [("paid", "b")])
        else:
            files[f"contexts/random-{rng.randrange(3)}.json"] = json.dumps(
                {"account": {"plan": rng.choice(PLANS), "seats": rng.randrange(0, 700)}}
            )
    return files


def _reference_cells(repo: Repo, report, tmp_path: Path) -> set[tuple[str, str, str, str]]:
    """Resolve every (variable, context) on both sides with the reference; return diffs."""
    from rototo_ci.review.revisions import parse_range

    base_side, head_side = parse_range(repo.git, "HEAD~1..HEAD")
    ws = report.workspaces[0]
    contexts = {}
    for side in (base_side, head_side):  # head content wins
        tree = side.opened("").tree
        for path in tree.files():
            if path.startswith("contexts/"):
                contexts[path] = json.loads(tree.read(path))
    jobs, variables = [], []
    for index, side in enumerate((base_side, head_side)):
        tree = side.opened("").tree
        root = export_tree(tree, tmp_path / f"side{index}")
        ids = sorted(p[len("variables/") : -5] for p in tree.files() if p.startswith("variables/"))
        variables.append(ids)
        jobs.append(
            {
                "source": str(root),
                "queries": [["variable", v, contexts[c]] for v in ids for c in sorted(contexts)],
            }
        )
    answers = resolve_batch(jobs)
    outcomes: list[dict[tuple[str, str], str]] = []
    for ids, answer in zip(variables, answers, strict=True):
        assert "load_error" not in answer, answer
        cells = {}
        it = iter(answer["results"])
        for v in ids:
            for c in sorted(contexts):
                result = next(it)
                cells[(v, c)] = (
                    "error"
                    if "error" in result
                    else f"{result['value_key']}={json.dumps(result['value'])}"
                )
        outcomes.append(cells)
    before, after = outcomes
    keys = set(before) | set(after)
    assert ws.contexts == sorted(contexts)
    return {
        (v, c, before.get((v, c), "absent"), after.get((v, c), "absent"))
        for v, c in keys
        if before.get((v, c), "absent") != after.get((v, c), "absent")
    }


def _our_cells(report) -> set[tuple[str, str, str, str]]:
    def text(outcome):
        if outcome is None:
            return "absent"
        if "error" in outcome:
            return "error"
        return f"{outcome['value_key']}={json.dumps(outcome['value'])}"

    return {
        (r.variable, r.context, text(r.before), text(r.after))
        for r in report.workspaces[0].resolutions
    }


@pytest.mark.parametrize("seed", range(12))
def test_diff_matches_reference(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    repo = Repo(tmp_path / "repo")
    files = _mutate(rng, base_workspace())
    repo.write(files)
    repo.commit("base")
    repo.write(_mutate(rng, files))
    repo.commit("head")
    report = repo.diff("HEAD~1..HEAD")
    assert _our_cells(report) == _reference_cells(repo, report, tmp_path)


def test_oracle_cases_are_not_trivial(tmp_path: Path) -> None:
    """The seeds above must exercise real behaviour changes, or the comparison proves little."""
    changed = 0
    for seed in range(12):
        rng = random.Random(seed)
        repo = Repo(tmp_path / f"repo{seed}")
        files = _mutate(rng, base_workspace())
        repo.write(files)
        repo.commit("base")
        repo.write(_mutate(rng, files))
        repo.commit("head")
        changed += bool(repo.diff("HEAD~1..HEAD").workspaces[0].resolutions)
    assert changed >= 6


# --- scoped contexts, failures and rollouts ---------------------------------------------------

SCOPED_SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "account": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "plan": {"type": "string"},
                    "seats": {"type": "integer"},
                    "region": {"type": "string"},
                },
            }
        },
    }
)
QUALIFIERS = ["paid", "big", "eu", "roll"]
VARIABLES = ["limit", "seats-cap", "theme"]


def _scoped_qualifier(rng: random.Random, qid: str) -> str:
    if qid == "paid":
        p = {
            "attribute": "account.plan",
            "op": "in",
            "value": rng.sample(PLANS, rng.randrange(1, 4)),
        }
    elif qid == "big":
        p = {
            "attribute": "account.seats",
            "op": rng.choice(["gte", "lt"]),
            "value": rng.randrange(600),
        }
    elif qid == "eu":  # several contexts do not say: a failure for them
        p = {"attribute": "account.region", "op": "eq", "value": rng.choice(["eu", "us"])}
    else:
        a, b = sorted(rng.sample(range(0, 10_001), 2))
        salt = rng.choice(["s1", "s1", "s2"])
        p = {"attribute": "account.id", "op": "bucket", "salt": salt, "range": [a, b]}
    text = "schema_version = 1\n\n[[predicate]]\n"
    return text + "".join(f"{k} = {json.dumps(v)}\n" for k, v in p.items())


def _scoped_context(rng: random.Random) -> dict:
    account: dict = {"plan": rng.choice(PLANS)}
    if rng.random() < 0.7:
        account["seats"] = rng.randrange(700)
    if rng.random() < 0.5:
        account["region"] = rng.choice(["eu", "us"])
    if rng.random() < 0.6:
        account["id"] = f"acct-{rng.randrange(1000)}"
    return {"account": account}


def _case_table(case_id: str, context: dict, expect: object) -> str:
    text = f'\n[[case]]\nid = "{case_id}"\ntitle = "{case_id}"\n[case.context.account]\n'
    text += "".join(f"{k} = {json.dumps(v)}\n" for k, v in context["account"].items())
    return text + f"[case.expect]\nvalue = {json.dumps(expect)}\n"


def _scoped_workspace(rng: random.Random, previous: dict[str, str] | None = None) -> dict[str, str]:
    files = dict(previous or {})
    if previous is None:
        files.update(
            {
                "rototo-workspace.toml": MANIFEST_TEXT,
                "schemas/context.schema.json": SCOPED_SCHEMA,
            }
        )
        for qid in QUALIFIERS:
            files[f"qualifiers/{qid}.toml"] = _scoped_qualifier(rng, qid)
        for i in range(4):
            files[f"contexts/c{i}.json"] = json.dumps(_scoped_context(rng))
        suite = "schema_version = 1\n"
        for target, path in (
            ("variable:limit", "variables/limit.toml"),
            ("qualifier:roll", "qualifiers/roll.toml"),
            ("qualifier:eu", "qualifiers/eu.toml"),
        ):
            suite += f'\n[[fixture]]\npath = "{path}"\ntarget = "{target}"\n'
        files["tests/rototo-fixtures.toml"] = suite
        for target, path in (
            ("variable:limit", "tests/variables/limit.toml"),
            ("qualifier:roll", "tests/qualifiers/roll.toml"),
            ("qualifier:eu", "tests/qualifiers/eu.toml"),
        ):
            text = f'schema_version = 1\ntarget = "{target}"\n'
            for n in range(2):
                # partial, as fixture cases are: only some attributes
                context = _scoped_context(rng)
                text += _case_table(
                    f"case-{n}", context, 0 if target.startswith("variable") else True
                )
            files[path] = text
    changes = rng.randrange(2, 5) if previous is not None else 1
    for _ in range(changes):
        choice = rng.randrange(3)
        if choice == 0 or previous is None:
            qid = rng.choice(QUALIFIERS)
            files[f"qualifiers/{qid}.toml"] = _scoped_qualifier(rng, qid)
        if choice == 1 or previous is None:
            for vid in VARIABLES:
                if previous is not None and rng.random() < 0.5:
                    continue
                rules = [
                    (q, rng.choice(["small", "large"]))
                    for q in rng.sample(QUALIFIERS, rng.randrange(0, 3))
                ]
                files[f"variables/{vid}.toml"] = int_variable(
                    {"small": rng.randrange(3), "large": rng.randrange(20, 23)},
                    rng.choice(["small", "large"]),
                    rules,
                )
        if choice == 2:
            files[f"contexts/c{rng.randrange(5)}.json"] = json.dumps(_scoped_context(rng))
    return files


MANIFEST_TEXT = "schema_version = 1\n"


def _reference_scoped(repo: Repo, tmp_path: Path) -> tuple[set, list[str]]:
    """Every cell's outcome on both sides by the reference, under SPEC §2 scoping."""
    from rototo_ci.review.revisions import parse_range
    from rototo_ci.testing.contexts import context_set

    sides = parse_range(repo.git, "HEAD~1..HEAD")
    contexts: dict = {}
    targets: dict = {}
    side_sets = [context_set(side.opened("").tree) for side in sides]  # type: ignore[union-attr]
    for ctx, _raw, _targets in side_sets:  # union, the head side's content (and scope) wins
        contexts.update(ctx)
    for name in contexts:
        scope = side_sets[1][2] if name in side_sets[1][0] else side_sets[0][2]
        if name in scope:
            targets[name] = scope[name]
    jobs, keys = [], []
    for index, side in enumerate(sides):
        tree = side.opened("").tree  # type: ignore[union-attr]
        root = export_tree(tree, tmp_path / f"side{index}")
        variables = sorted(p[10:-5] for p in tree.files() if p.startswith("variables/"))
        qualifiers = sorted(p[11:-5] for p in tree.files() if p.startswith("qualifiers/"))
        queries, side_keys = [], []
        for name in sorted(contexts):
            target = targets.get(name)
            for vid in variables:
                if target is None or target == f"variable:{vid}":
                    queries.append(["variable", vid, contexts[name]])
                    side_keys.append(("variable", vid, name))
            for qid in qualifiers:
                if target == f"qualifier:{qid}":
                    queries.append(["qualifier", qid, contexts[name]])
                    side_keys.append(("qualifier", qid, name))
        jobs.append({"source": str(root), "queries": queries})
        keys.append(side_keys)
    answers = resolve_batch(jobs)
    loads = [a.get("load_error") for a in answers]
    if any(loads):
        return set(), [str(x) for x in loads]
    outcome = []
    for side_keys, answer in zip(keys, answers, strict=True):
        outcome.append(dict(zip(side_keys, answer["results"], strict=True)))
    before, after = outcome

    def kind(b, a) -> str | None:
        if b is None or a is None:
            return None if b is a else ("added" if b is None else "removed")
        if "error" in b and "error" in a:
            return None  # a failure either way: no change
        if "error" in a:
            return "broken"
        if "error" in b:
            return "fixed"
        same = b.get("value_key") == a.get("value_key") and json.dumps(b["value"]) == json.dumps(
            a["value"]
        )
        return None if same else "changed"

    cells = set()
    for key in set(before) | set(after):
        found = kind(before.get(key), after.get(key))
        if found:
            cells.add((*key, found))
    return cells, []


@pytest.mark.parametrize(
    "seed", [s if s < 10 else pytest.param(s, marks=pytest.mark.slow) for s in range(60)]
)
def test_scoped_cells_match_reference(seed: int, tmp_path: Path) -> None:
    """Reported cells are exactly the reference's outcome changes under the scope rules,
    with no error → error noise, on workspaces with failures, fixture cases and rollouts."""
    from rototo_ci.review.diff import DiffOptions, run_diff
    from rototo_ci.testing.contexts import context_set

    rng = random.Random(1000 + seed)
    repo = Repo(tmp_path / "repo")
    files = _scoped_workspace(rng)
    repo.write(files)
    repo.commit("base")
    repo.write(_scoped_workspace(rng, files))
    repo.commit("head")
    report = run_diff(DiffOptions(range="HEAD~1..HEAD", cwd=repo.root), context_set)
    ws = report.workspaces[0]
    expected, load_errors = _reference_scoped(repo, tmp_path)
    if load_errors:
        assert ws.resolutions == [] and False in (ws.base_loadable, ws.head_loadable)
        return
    ours = {
        ("qualifier" if r.qualifier else "variable", r.variable, r.context, r.kind)
        for r in ws.resolutions
    }
    assert ours == expected
    assert len(ours) == len(ws.resolutions)  # one cell per (target, context)


def test_scoped_oracle_cases_are_not_trivial(tmp_path: Path) -> None:
    """The seeds above break, fix and change cells, qualifier cells among them."""
    from collections import Counter

    from rototo_ci.review.diff import DiffOptions, run_diff
    from rototo_ci.testing.contexts import context_set

    kinds: Counter = Counter()
    seeds_with_cells = 0
    for seed in range(10):
        rng = random.Random(1000 + seed)
        repo = Repo(tmp_path / f"repo{seed}")
        files = _scoped_workspace(rng)
        repo.write(files)
        repo.commit("base")
        repo.write(_scoped_workspace(rng, files))
        repo.commit("head")
        ws = run_diff(DiffOptions(range="HEAD~1..HEAD", cwd=repo.root), context_set).workspaces[0]
        seeds_with_cells += bool(ws.resolutions)
        kinds.update(r.kind for r in ws.resolutions)
        kinds.update("qualifier" for r in ws.resolutions if r.qualifier)
    assert seeds_with_cells >= 6
    assert kinds["broken"] and kinds["fixed"] and kinds["changed"] and kinds["qualifier"], kinds
