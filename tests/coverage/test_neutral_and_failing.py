"""Changes that are truly behaviour-neutral yield no witness; failing resolutions cover nothing."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine.errors import RototoError
from rototo_ci.engine.workspace import Workspace
from rototo_ci.review.changes import semantic_changes
from rototo_ci.review.uncovered import differs, outcome, uncovered_changes
from rototo_ci.testing.contexts import DeclaredContext
from rototo_ci.testing.coverage import CoverageCollector
from rototo_ci.testing.runner import TestOptions as Options
from rototo_ci.testing.runner import run_tests
from tests.conformance import generator
from tests.helpers import write_files

BASE = {
    "rototo-workspace.toml": "schema_version = 1\n",
    "qualifiers/eu-paid.toml": (
        "schema_version = 1\n\n"
        '[[predicate]]\nattribute = "region"\nop = "eq"\nvalue = "eu"\n\n'
        '[[predicate]]\nattribute = "plan"\nop = "in"\nvalue = ["paid", "gold"]\n'
    ),
    "qualifiers/real.toml": (
        "schema_version = 1\n\n"
        '[[predicate]]\nattribute = "plan"\nop = "neq"\nvalue = "free"\n\n'
        '[[predicate]]\nattribute = "plan"\nop = "neq"\nvalue = "trial"\n'
    ),
    "variables/limit.toml": (
        'schema_version = 1\ntype = "int"\n\n'
        "[values]\nlow = 1\nmid = 2\nhigh = 3\nspare = 4\n\n"
        '[resolve]\ndefault = "low"\n\n'
        '[[resolve.rule]]\nqualifier = "eu-paid"\nvalue = "high"\n\n'
        '[[resolve.rule]]\nqualifier = "real"\nvalue = "mid"\n'
    ),
}


def _swap_predicates(text: str) -> str:
    head, first, second = text.split("[[predicate]]\n")
    return head + "[[predicate]]\n" + second.rstrip("\n") + "\n\n[[predicate]]\n" + first.rstrip()


NEUTRAL = {
    # AND is commutative, and a missing attribute fails the resolution whatever the order
    "reorder predicates on two attributes": {
        "qualifiers/eu-paid.toml": _swap_predicates(BASE["qualifiers/eu-paid.toml"])
    },
    "reorder predicates on one attribute": {
        "qualifiers/real.toml": _swap_predicates(BASE["qualifiers/real.toml"])
    },
    "rename a value nothing selects": {
        "variables/limit.toml": BASE["variables/limit.toml"].replace("spare = 4", "extra = 4")
    },
    "change a value nothing selects": {
        "variables/limit.toml": BASE["variables/limit.toml"].replace("spare = 4", "spare = 40")
    },
    "reorder keys": {
        "variables/limit.toml": (
            'type = "int"\nschema_version = 1\n\n'
            "[values]\nspare = 4\nhigh = 3\nlow = 1\nmid = 2\n\n"
            '[resolve]\ndefault = "low"\n\n'
            '[[resolve.rule]]\nvalue = "high"\nqualifier = "eu-paid"\n\n'
            '[[resolve.rule]]\nvalue = "mid"\nqualifier = "real"\n'
        ),
        "qualifiers/eu-paid.toml": (
            "schema_version = 1\n\n"
            '[[predicate]]\nvalue = "eu"\nop = "eq"\nattribute = "region"\n\n'
            '[[predicate]]\nop = "in"\nvalue = ["gold", "paid"]\nattribute = "plan"\n'
        ),
    },
}
NOT_NEUTRAL = {
    # controls: the same kinds of edit that do change an outcome get a witness
    "swap values between predicates": {
        "qualifiers/eu-paid.toml": BASE["qualifiers/eu-paid.toml"]
        .replace('"eu"', '"EU"')
        .replace('["paid", "gold"]', '["paid"]')
    },
    "rename a selected value": {
        "variables/limit.toml": BASE["variables/limit.toml"]
        .replace("mid = 2", "middle = 2")
        .replace('value = "mid"', 'value = "middle"')
    },
}


def _pair(tmp_path: Path, edit: dict[str, str]) -> tuple[Workspace, Workspace]:
    base = Workspace.load(str(write_files(tmp_path / "base", BASE)))
    head = Workspace.load(str(write_files(tmp_path / "head", {**BASE, **edit})))
    assert not [d for d in head.lint().diagnostics if d.severity == "error"]
    return base, head


@pytest.mark.parametrize("name", sorted(NEUTRAL))
def test_a_truly_neutral_change_yields_no_witness(tmp_path: Path, name: str) -> None:
    base, head = _pair(tmp_path, NEUTRAL[name])
    changes = semantic_changes(base.model, head.model)
    found = uncovered_changes(base, head, changes, [])
    assert [item for item in found if item["context"] is not None] == []
    # neutral indeed: on every context a brute force over the attributes tries
    for context in _grid():
        assert not differs(outcome(base, "limit", context), outcome(head, "limit", context))


@pytest.mark.parametrize("name", sorted(NOT_NEUTRAL))
def test_the_same_edits_that_do_matter_get_a_witness(tmp_path: Path, name: str) -> None:
    base, head = _pair(tmp_path, NOT_NEUTRAL[name])
    found = uncovered_changes(base, head, semantic_changes(base.model, head.model), [])
    witnesses = [item for item in found if item["context"] is not None]
    assert witnesses
    for item in witnesses:
        assert differs(
            outcome(base, "limit", item["context"]), outcome(head, "limit", item["context"])
        )


def _grid() -> list[dict[str, Any]]:
    regions = [None, "eu", "EU", "us"]
    plans = [None, "free", "trial", "paid", "gold", "other"]
    grid = []
    for region in regions:
        for plan in plans:
            context = {}
            if region is not None:
                context["region"] = region
            if plan is not None:
                context["plan"] = plan
            grid.append(context)
    return grid


# -- generated workspaces: reversing a qualifier's predicates never yields a witness -----

_PREDICATE_BLOCKS = re.compile(
    r"\A(schema_version = 1\n+)((?:\[\[predicate\]\]\n(?:(?!\[).*\n|\n)*)+)\Z"
)


def _reverse_predicates(text: str) -> str | None:
    found = _PREDICATE_BLOCKS.match(text if text.endswith("\n") else text + "\n")
    if not found or "qualifier." in text:  # a reference is evaluated lazily: order matters
        return None
    blocks = [b for b in found.group(2).split("[[predicate]]\n") if b]
    if len(blocks) < 2:
        return None
    return found.group(1) + "".join(
        "[[predicate]]\n" + b.rstrip("\n") + "\n\n" for b in reversed(blocks)
    )


def _reversed_predicates_yield_no_witness(tmp_path: Path, seeds: range) -> int:
    mutated = 0
    for seed in seeds:
        ws = generator.generate(random.Random(seed))
        head_files = dict(ws.files)
        for path, text in ws.files.items():
            swapped = _reverse_predicates(text) if path.startswith("qualifiers/") else None
            if swapped is not None:
                head_files[path] = swapped
        if head_files == ws.files:
            continue  # no qualifier with two plain predicates in this seed
        mutated += 1
        base = Workspace.load(str(write_files(tmp_path / f"{seed}" / "base", ws.files)))
        head = Workspace.load(str(write_files(tmp_path / f"{seed}" / "head", head_files)))
        changes = semantic_changes(base.model, head.model)
        assert changes, seed
        found = uncovered_changes(base, head, changes, [])
        assert [item for item in found if item["context"] is not None] == [], seed
        for context in generator.contexts(random.Random(seed), ws, count=4):
            for vid in ws.variables:
                before, after = outcome(base, vid, context), outcome(head, vid, context)
                assert not differs(before, after), (seed, vid, context)
    return mutated


def test_reversed_predicates_in_generated_workspaces_yield_no_witness(tmp_path: Path) -> None:
    assert _reversed_predicates_yield_no_witness(tmp_path, range(8)) >= 5


@pytest.mark.slow
def test_reversed_predicates_yield_no_witness_on_many_seeds(tmp_path: Path) -> None:
    assert _reversed_predicates_yield_no_witness(tmp_path, range(8, 120)) >= 80


# -- failing resolutions contribute no coverage ------------------------------------------

FIXTURES = {
    "tests/rototo-fixtures.toml": (
        "schema_version = 1\n\n"
        '[[fixture]]\npath = "limit.toml"\ntarget = "variable:limit"\n\n'
        '[[fixture]]\npath = "eu-paid.toml"\ntarget = "qualifier:eu-paid"\n'
    ),
    "tests/limit.toml": (
        'schema_version = 1\ntarget = "variable:limit"\ndescription = "d"\n\n'
        '[[case]]\nid = "no-region"\ntitle = "t"\ngenerated = false\n'
        '[case.context]\nplan = "paid"\n[case.expect]\nvalue = 3\n'
    ),
    "tests/eu-paid.toml": (
        'schema_version = 1\ntarget = "qualifier:eu-paid"\ndescription = "d"\n\n'
        '[[case]]\nid = "no-plan"\ntitle = "t"\ngenerated = false\n'
        '[case.context]\nregion = "eu"\n[case.expect]\nvalue = true\n'
    ),
}


def _coverage(root: Path, files: dict[str, str], contexts: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    workspace = Workspace.load(str(write_files(root, files)))
    collector = CoverageCollector(workspace.model)
    declared = [DeclaredContext(f"c{i}", c) for i, c in enumerate(contexts)]
    report = run_tests(workspace, Options(contexts=declared, coverage=collector))
    got = {
        (e.path, e.line): (e.hits, e.true_hits, e.false_hits) for e in collector.report().entries
    }
    return report, got


def test_failing_resolutions_contribute_no_coverage(tmp_path: Path) -> None:
    failing = [{"plan": "paid"}, {"region": "eu"}, {}]
    passing = [{"region": "eu", "plan": "gold"}, {"region": "us", "plan": "free"}]
    report, only_failing = _coverage(tmp_path / "a", {**BASE, **FIXTURES}, failing)
    # they did fail: both fixture cases and every context's resolution
    failed = {(case.suite, case.name) for case in report.failed}
    assert len(failed) == 5, failed
    assert all(counts == (0, 0, 0) for counts in only_failing.values()), only_failing
    _, mixed = _coverage(tmp_path / "b", {**BASE, **FIXTURES}, failing + passing)
    _, clean = _coverage(tmp_path / "c", BASE, passing)
    assert mixed == clean
    assert any(counts[0] for counts in clean.values())
    with pytest.raises(RototoError):  # the reference's behaviour on the failing ones
        Workspace.load(str(tmp_path / "c")).resolve_variable("limit", failing[0])
