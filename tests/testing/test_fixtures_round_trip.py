"""Suites round-trip between upstream alpha.4 `rototo fixtures` and ours.

fixtures/suites/seat-policy/tests is a suite written by hand in the shape upstream's
generator gives (its case ids, titles, `workspace` in the manifest, toml-rs layout with
multi-line arrays) but with other witness values and, in some files, inline tables,
dotted keys and another key order. `--check` judges by meaning, so it is current; each
kind of real staleness is reported with one line per file.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
import tomlkit

from rototo_ci.engine import Workspace
from rototo_ci.testing.generate import generate_suite, stale_files, write_suite
from rototo_ci.testing.suite import SUITE_FILE, parse_fixture_file

from ..cli.conftest import ROOT, run_cli
from ..oracle.reference import resolve_batch

SEAT_POLICY = ROOT / "fixtures" / "suites" / "seat-policy"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    target = tmp_path / "seat-policy"
    shutil.copytree(SEAT_POLICY, target)
    return target


def _check(ws: Path) -> tuple[int, list[str]]:
    result = run_cli("fixtures", str(ws), "--out", str(ws / "tests"), "--check")
    return result.code, result.out.splitlines()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_upstream_shaped_suite_is_current_and_holds_on_the_reference(ws: Path) -> None:
    assert _check(ws) == (0, ["fixtures in " + str(ws / "tests") + " are up to date (15 cases)"])
    tested = run_cli("test", str(ws), "--format", "json")
    assert tested.code == 0, tested.out
    assert json.loads(tested.out)["summary"] == {"tests": 16, "failed": 0, "passed": 16}
    # every recorded expectation agrees with the reference engine too
    queries, expects = [], []
    for rel in sorted((ws / "tests").rglob("*.toml")):
        if rel.name == SUITE_FILE:
            continue
        fixture = parse_fixture_file(rel.name, rel.read_text())
        for case in fixture.cases:
            queries.append([fixture.kind, fixture.target_id, case.context])
            expects.append(case.expect)
    [answer] = resolve_batch([{"source": str(ws), "queries": queries}])
    assert len(answer["results"]) == len(expects) == 15
    for result, expect in zip(answer["results"], expects, strict=True):
        assert result.get("value") == expect.value, result
        if expect.value_key is not None:
            assert result["value_key"] == expect.value_key


@pytest.mark.parametrize(
    ("rel", "old", "new", "reason"),
    [
        (
            "qualifiers/eu.toml",
            'region = "us"\n\n[case.expect]\nvalue = false',
            'region = "us"\n\n[case.expect]\nvalue = true',
            "case false-region: value: recorded true, resolves to false",
        ),
        (
            "qualifiers/canary.toml",
            "value = 268",
            "value = 269",
            "case matches: bucket user.id (salt editor-canary): recorded 269, resolves to 268",
        ),
        (
            "qualifiers/canary.toml",
            'salt = "editor-canary"\nrange = [\n    0,\n    500,\n]\nvalue = 268',
            'salt = "editor-canary-v2"\nrange = [\n    0,\n    500,\n]\nvalue = 268',
            "case matches: bucket user.id (salt editor-canary-v2) is recorded but not evaluated",
        ),
        (
            "variables/editor.toml",
            '[[case.expect.bucket]]\nattribute = "user.id"\nsalt = "editor-canary"\n'
            "range = [\n    0,\n    500,\n]\nvalue = 5635\n",
            "",
            "case default: bucket user.id (salt editor-canary) = 5635 is not recorded",
        ),
        (
            "variables/seat-limit.toml",
            'value_key = "unlimited"',
            'value_key = "team"',
            'case rule-0-big-team: value_key: recorded "team", resolves to "unlimited"',
        ),
        (
            "variables/editor.toml",
            'region = "apac"',
            'region = "eu"',
            'case rule-1-canary: value: recorded "fresh", resolves to "legacy"',
        ),
        (
            # the expectation holds for its context, but not for what the id means
            "qualifiers/big-team.toml",
            'plan = "free"\nseats = 80\n\n[case.expect]\nvalue = false',
            'plan = "team"\nseats = 80\n\n[case.expect]\nvalue = true',
            "case false-pro-plan: records value true, but the case of this id now expects false",
        ),
        (
            "qualifiers/pro-plan.toml",
            'context.account.plan = "team"',
            'context.account.tier = "team"',
            "case matches: its context no longer resolves: missing resolve context attribute: "
            "account.plan required by qualifier://pro-plan",
        ),
    ],
)
def test_an_expectation_that_no_longer_holds_is_stale(
    ws: Path, rel: str, old: str, new: str, reason: str
) -> None:
    _edit(ws / "tests" / rel, old, new)
    assert _check(ws) == (1, [f"{ws / 'tests' / rel}: stale: {reason}"])


def test_missing_or_unknown_generated_cases_are_stale(ws: Path) -> None:
    eu = ws / "tests" / "qualifiers" / "eu.toml"
    text = eu.read_text()
    eu.write_text(text[: text.index('[[case]]\nid = "false-region"')])
    code, lines = _check(ws)
    assert (code, lines) == (1, [f"{eu}: stale: missing generated case(s): false-region"])
    eu.write_text(text.replace('id = "false-region"', 'id = "false-country"'))
    assert _check(ws) == (
        1,
        [
            f"{eu}: stale: missing generated case(s): false-region; "
            "generated case(s) no longer produced: false-country"
        ],
    )
    # the same case marked hand-written is the author's own: it takes the generated id's place
    marker = 'generated = true\n\n[case.context]\nregion = "us"'
    eu.write_text(text.replace(marker, marker.replace("true", "false")))
    assert _check(ws)[0] == 0


def test_manifest_and_missing_files_are_stale(ws: Path) -> None:
    manifest = ws / "tests" / SUITE_FILE
    _edit(manifest, '[[fixture]]\ntarget = "variable:editor"\npath = "variables/editor.toml"\n', "")
    assert _check(ws) == (1, [f"{manifest}: stale: does not list variables/editor.toml"])
    shutil.copy(SEAT_POLICY / "tests" / SUITE_FILE, manifest)
    (ws / "tests" / "variables" / "editor.toml").unlink()
    assert _check(ws) == (1, [f"{ws / 'tests' / 'variables' / 'editor.toml'}: stale: missing"])


def test_workspace_edits_make_the_suite_stale(ws: Path) -> None:
    _edit(ws / "variables" / "seat-limit.toml", "unlimited = 1000", "unlimited = 999")
    assert _check(ws) == (
        1,
        [
            f"{ws / 'tests' / 'variables' / 'seat-limit.toml'}: stale: "
            "case rule-0-big-team: value: recorded 1000, resolves to 999"
        ],
    )


def test_regeneration_leaves_current_files_and_keeps_hand_written_cases(ws: Path) -> None:
    out = ws / "tests"
    before = {p: p.read_bytes() for p in out.rglob("*.toml")}
    result = run_cli("fixtures", str(ws), "--out", str(out))
    assert result.code == 0
    assert result.out.splitlines() == [
        f"fixtures: {out}",
        "  unchanged rototo-fixtures.toml",
        "  unchanged qualifiers/big-team.toml",
        "  unchanged qualifiers/canary.toml",
        "  unchanged qualifiers/eu.toml",
        "  unchanged qualifiers/pro-plan.toml",
        "  unchanged variables/editor.toml",
        "  unchanged variables/seat-limit.toml",
        "15 cases in 6 fixture files; 0 written, 7 unchanged (already current)",
    ]
    assert {p: p.read_bytes() for p in out.rglob("*.toml")} == before

    # a stale file is rewritten: still-current generated cases keep their witness values,
    # stale ones are synthesized again, the hand-written case stays
    seat = out / "variables" / "seat-limit.toml"
    _edit(seat, 'value_key = "small"\nvalue = 5', 'value_key = "small"\nvalue = 6')
    result = run_cli("fixtures", str(ws), "--out", str(out), "--json")
    data = json.loads(result.out)
    assert data["written"] == ["variables/seat-limit.toml"]
    assert data["files"][0] == SUITE_FILE and len(data["unchanged"]) == 6
    assert data["command"] == "fixtures" and data["workspace"] == str(ws)
    rewritten = parse_fixture_file("seat-limit.toml", seat.read_text())
    cases = {c.id: c for c in rewritten.cases}
    assert list(cases) == ["default", "rule-0-big-team", "rule-1-pro-plan", "free-plan-stays-small"]
    assert cases["rule-0-big-team"].context == {"account": {"seats": 250, "plan": "pro"}}
    assert cases["default"].expect.value == 5
    assert not cases["free-plan-stays-small"].generated
    # only the case list changed: the comment and the kept cases' own layout are still there
    text = seat.read_text()
    assert "# Upstream writes no rule-1-pro-plan case here" in text
    assert 'account = { seats = 250, plan = "pro" }' in text
    assert 'expect = { matched_qualifier = "big-team", matched_rule = 0,' in text
    assert "\n\n\n" not in text
    assert _check(ws)[0] == 0
    assert run_cli("test", str(ws)).code == 0

    # a file whose cases are an inline array cannot be edited in place: ours is written
    eu = out / "qualifiers" / "eu.toml"
    eu.write_text(
        'schema_version = 1\ntarget = "qualifier:eu"\ndescription = ""\ncase = [\n'
        '  { id = "matches", title = "t", generated = true, context = { region = "eu" },'
        " expect = { value = false } },\n]\n"
    )
    assert run_cli("fixtures", str(ws), "--out", str(out)).code == 0
    assert "[[case]]" in eu.read_text() and _check(ws)[0] == 0


def test_cases_only_our_search_finds_may_be_absent(tmp_path: Path) -> None:
    """Upstream writes a case only when its fixed witness values fit together; a qualifier
    reading one attribute twice (a range) gets none from it, and our search's cases are
    optional in a current suite, but checked when present."""
    ws = tmp_path / "ws"
    (ws / "qualifiers").mkdir(parents=True)
    (ws / "variables").mkdir()
    (ws / "rototo-workspace.toml").write_text("schema_version = 1\n")
    (ws / "qualifiers" / "mid-size.toml").write_text(
        'schema_version = 1\n\n[[predicate]]\nattribute = "seats"\nop = "gte"\nvalue = 10\n\n'
        '[[predicate]]\nattribute = "seats"\nop = "lt"\nvalue = 100\n'
    )
    (ws / "variables" / "tier.toml").write_text(
        'schema_version = 1\ntype = "string"\n\n[values]\nsmall = "s"\nmid = "m"\n\n'
        '[resolve]\ndefault = "small"\n\n[[resolve.rule]]\nqualifier = "mid-size"\nvalue = "mid"\n'
    )
    out = tmp_path / "out"
    workspace = Workspace.load(str(ws))
    suite = generate_suite(workspace, out, ["tier"], ["mid-size"])
    mid = parse_fixture_file("q", suite.files["qualifiers/mid-size.toml"])
    assert [c.id for c in mid.cases] == ["matches", "false-seats", "false-seats"]
    write_suite(suite, out)
    assert stale_files(generate_suite(workspace, out, ["tier"], ["mid-size"])) == {}
    # upstream's suite: no case at all for this qualifier and this variable
    for rel, target in (
        ("qualifiers/mid-size.toml", "qualifier:mid-size"),
        ("variables/tier.toml", "variable:tier"),
    ):
        (out / rel).write_text(f'schema_version = 1\ntarget = "{target}"\ndescription = ""\n')
    assert stale_files(generate_suite(workspace, out, ["tier"], ["mid-size"])) == {}
    # present, an extended case must still hold
    write_suite(suite, out)
    _edit(out / "variables" / "tier.toml", 'value = "m"', 'value = "s"')
    stale = stale_files(generate_suite(workspace, out, ["tier"], ["mid-size"]))
    assert stale == {
        "variables/tier.toml": 'case rule-0-mid-size: value: recorded "s", resolves to "m"'
    }


def test_witness_values_are_upstreams(ws: Path, tmp_path: Path) -> None:
    """The values upstream's generator picks, derived by hand from its rules: the first
    matching value for `in`, the value itself or one step off for comparisons,
    `fixture-other` to avoid a value, `fixture-<salt>-NNNNN` strings for buckets."""
    workspace = Workspace.load(str(ws))
    suite = generate_suite(workspace, tmp_path / "fresh", ["seat-limit"], ["big-team", "canary"])
    files = suite.synthesized
    contexts = {(rel, c.id): (c.context, c.extended) for rel, f in files.items() for c in f.cases}
    assert contexts == {
        ("qualifiers/big-team.toml", "matches"): ({"account": {"plan": "pro", "seats": 50}}, False),
        ("qualifiers/big-team.toml", "false-pro-plan"): (
            {"account": {"plan": "fixture-other", "seats": 50}},
            False,
        ),
        ("qualifiers/big-team.toml", "false-account-seats"): (
            {"account": {"plan": "pro", "seats": 49}},
            False,
        ),
        ("qualifiers/canary.toml", "matches"): (
            {"user": {"id": "fixture-editor-canary-00005"}},
            False,
        ),
        ("qualifiers/canary.toml", "false-outside-user-id-bucket"): (
            {"user": {"id": "fixture-editor-canary-00000"}},
            False,
        ),
        ("variables/seat-limit.toml", "default"): (
            {"account": {"plan": "fixture-other", "seats": 50}},
            False,
        ),
        ("variables/seat-limit.toml", "rule-0-big-team"): (
            {"account": {"plan": "pro", "seats": 50}},
            False,
        ),
        # upstream has no witness for this one (see the suite's comment): ours only
        ("variables/seat-limit.toml", "rule-1-pro-plan"): (
            {"account": {"plan": "pro", "seats": 49}},
            True,
        ),
    }


def _relayout(text: str, rng: random.Random) -> str:
    """The same suite file in another TOML layout: shuffled keys and cases, inline tables."""
    data = tomlkit.parse(text).unwrap()
    cases = data.pop("case", [])
    rng.shuffle(cases)
    doc = tomlkit.document()
    keys = list(data)
    rng.shuffle(keys)
    for key in keys:
        doc.add(key, data[key])
    out = tomlkit.aot()
    for case in cases:
        table = tomlkit.table()
        items = list(case.items())
        rng.shuffle(items)
        for key, value in items:
            if isinstance(value, dict) and key == "context":
                inline = tomlkit.inline_table()
                inline.update(value)
                table.add(key, inline)
            else:
                table.add(key, value)
        out.append(table)
    doc.add("case", out)
    return tomlkit.dumps(doc)


def test_generated_workspaces_round_trip_and_mutations_are_caught(tmp_path: Path) -> None:
    """Across generated workspaces: a suite re-laid-out stays current; changing one
    recorded expectation or dropping one generated non-extended case makes its file
    stale; and every written expectation agrees with the reference engine."""
    _round_trip(tmp_path, range(9000, 9020))


@pytest.mark.slow
def test_generated_workspaces_round_trip_sweep(tmp_path: Path) -> None:
    _round_trip(tmp_path, range(20000, 20300))


def _round_trip(tmp_path: Path, seeds: range) -> None:
    from ..conformance import generator
    from ..helpers import write_files

    rng = random.Random(1313)
    jobs, expectations = [], []
    mutated = caught = 0
    for seed in seeds:
        files = generator.generate(random.Random(seed)).files
        root = write_files(tmp_path / f"g{seed}", files)
        workspace = Workspace.load(str(root))
        out = tmp_path / f"out{seed}"
        ids = (list(workspace.model.variables), list(workspace.model.qualifiers))
        suite = generate_suite(workspace, out, *ids)
        write_suite(suite, out)
        queries = []
        for rel in suite.files:
            if rel == SUITE_FILE:
                continue
            text = (out / rel).read_text()
            fixture = parse_fixture_file(rel, text)
            for case in fixture.cases:
                queries.append([fixture.kind, fixture.target_id, case.context])
                expectations.append(case.expect)
            (out / rel).write_text(_relayout(text, rng))
        jobs.append({"source": str(root), "queries": queries})
        assert stale_files(generate_suite(workspace, out, *ids)) == {}, seed
        # one mutation per workspace, on a random fixture file with cases
        candidates = [r for r in suite.files if r != SUITE_FILE and "[[case]]" in suite.files[r]]
        if not candidates:
            continue
        rel = rng.choice(candidates)
        original = (out / rel).read_text()
        doc = tomlkit.parse(original)
        case = rng.choice(doc["case"])
        if rng.random() < 0.5:
            doc["case"].remove(case)
            mutation = "drop"
        else:
            expect = case["expect"]
            value = expect["value"]
            expect["value"] = (not value) if isinstance(value, bool) else "fixture-mutated"
            mutation = "value"
        (out / rel).write_text(tomlkit.dumps(doc))
        stale = stale_files(generate_suite(workspace, out, *ids))
        extended = {c.id for c in suite.synthesized[rel].cases if c.extended}
        mutated += 1
        if stale:
            caught += 1
            assert list(stale) == [rel], (seed, stale)
            assert "\n" not in stale[rel]
        else:
            # only dropping a case upstream would not write goes unnoticed
            assert mutation == "drop" and case["id"] in extended
        # regenerating repairs it, editing the re-laid-out file in place
        write_suite(generate_suite(workspace, out, *ids), out)
        assert stale_files(generate_suite(workspace, out, *ids)) == {}, seed
        (out / rel).write_text(original)
    print(f"mutations {mutated}, caught {caught}")
    # the uncaught ones dropped an optional case (asserted above)
    assert mutated >= 0.75 * len(seeds) and caught >= 0.6 * mutated
    answers = resolve_batch(jobs)
    results = [r for answer in answers for r in answer["results"]]
    assert len(results) == len(expectations) > 7 * len(seeds)
    for result, expect in zip(results, expectations, strict=True):
        assert "error" not in result, result
        assert json.dumps(result["value"], sort_keys=True) == json.dumps(
            expect.value, sort_keys=True
        )
        if expect.value_key is not None:
            assert result["value_key"] == expect.value_key


def test_stale_files_holding_unparsable_hand_work_are_not_overwritten(ws: Path) -> None:
    out = ws / "tests"
    eu = out / "qualifiers" / "eu.toml"
    eu.write_text(eu.read_text() + "<<<<<<< HEAD\n")  # a merge left half-done
    seat = out / "variables" / "seat-limit.toml"
    seat.write_text(
        seat.read_text()
        .replace('expect = { value = 5, value_key = "small" }', "")
        .replace("value = 5\n", "value = 6\n")  # and the generated default is stale too
    )
    before = {p: p.read_bytes() for p in (eu, seat)}
    result = run_cli("fixtures", str(ws), "--out", str(out))
    assert result.code == 1
    assert (
        "  kept qualifiers/eu.toml (stale, not rewritten: qualifiers/eu.toml is not valid TOML"
        in (result.out)
    )
    assert (
        "  kept variables/seat-limit.toml (stale, not rewritten: hand-written case "
        "free-plan-stays-small: case has no usable expect" in result.out
    )
    assert "were not rewritten, to keep what they hold" in result.err
    assert {p: p.read_bytes() for p in (eu, seat)} == before
    assert _check(ws)[0] == 1
