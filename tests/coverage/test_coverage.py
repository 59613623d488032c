"""Coverage of configuration: numbers by hand, file formats, and a brute-force oracle."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pycobertura  # type: ignore[import-untyped]
import pytest
from lxml import etree

from rototo_ci.engine.errors import RototoError
from rototo_ci.engine.workspace import Workspace
from rototo_ci.render.coverage_cobertura import render_cobertura
from rototo_ci.render.coverage_lcov import render_lcov
from rototo_ci.testing.contexts import DeclaredContext
from rototo_ci.testing.coverage import CoverageCollector, CoverageReport
from rototo_ci.testing.runner import TestOptions as Options
from rototo_ci.testing.runner import run_tests
from tests.cli.conftest import run_cli
from tests.conformance import generator
from tests.helpers import write_files

DTD = Path(__file__).parent / "data" / "coverage-04.dtd"

FILES = {
    "rototo-workspace.toml": "schema_version = 1\n",
    "qualifiers/paid.toml": (
        'schema_version = 1\n\n[[predicate]]\nattribute = "plan"\nop = "eq"\nvalue = "paid"\n'
    ),
    "qualifiers/eu.toml": (
        "schema_version = 1\n"  # 1
        "\n"
        "[[predicate]]\n"  # 3
        'attribute = "region"\nop = "eq"\nvalue = "eu"\n'
        "\n"
        "[[predicate]]\n"  # 8
        'attribute = "qualifier.paid"\nop = "eq"\nvalue = true\n'
    ),
    "variables/limit.toml": (
        "schema_version = 1\n"  # 1
        'type = "int"\n'
        "\n"
        "[values]\n"  # 4
        "low = 1\n"  # 5
        "mid = 2\n"  # 6
        "high = 3\n"  # 7
        "\n"
        "[resolve]\n"  # 9
        'default = "low"\n'  # 10
        "\n"
        "[[resolve.rule]]\n"  # 12
        'qualifier = "eu"\nvalue = "high"\n'
        "\n"
        "[[resolve.rule]]\n"  # 16
        'qualifier = "paid"\nvalue = "mid"\n'
    ),
    "contexts/free-us.json": '{"plan": "free", "region": "us"}\n',
}


def _report(tmp_path: Path, files: dict[str, str]) -> CoverageReport:
    workspace = Workspace.load(str(write_files(tmp_path, files)))
    collector = CoverageCollector(workspace.model, workspace.root)
    report = run_tests(workspace, Options(coverage=collector))
    assert not report.failed, [c.message for c in report.failed]
    return collector.report()


def _by_line(report: CoverageReport) -> dict[tuple[str, int], tuple[int, int, int]]:
    return {(e.path, e.line): (e.hits, e.true_hits, e.false_hits) for e in report.entries}


def test_numbers_by_hand_one_context(tmp_path: Path) -> None:
    report = _report(tmp_path, FILES)
    # free-us: rule 0 (eu) false, rule 1 (paid) false, the default; eu's second predicate
    # (qualifier.paid) is never evaluated because its first one is false
    assert _by_line(report) == {
        ("variables/limit.toml", 5): (1, 0, 0),
        ("variables/limit.toml", 6): (0, 0, 0),
        ("variables/limit.toml", 7): (0, 0, 0),
        ("variables/limit.toml", 10): (1, 0, 0),
        ("variables/limit.toml", 12): (1, 0, 1),
        ("variables/limit.toml", 16): (1, 0, 1),
        ("qualifiers/eu.toml", 3): (1, 0, 1),
        ("qualifiers/eu.toml", 8): (0, 0, 0),
        ("qualifiers/paid.toml", 3): (1, 0, 1),
    }
    total = report.totals
    assert (total.lines_covered, total.lines_valid) == (6, 9)
    assert (total.branches_covered, total.branches_valid) == (4, 10)
    assert total.percent == pytest.approx(100 * 10 / 19)


def test_numbers_by_hand_two_contexts_and_a_fixture(tmp_path: Path) -> None:
    files = dict(FILES)
    files["contexts/paid-eu.json"] = '{"plan": "paid", "region": "eu"}\n'
    files["tests/rototo-fixtures.toml"] = (
        'schema_version = 1\n\n[[fixture]]\npath = "paid.toml"\ntarget = "qualifier:paid"\n'
    )
    files["tests/paid.toml"] = (
        'schema_version = 1\ntarget = "qualifier:paid"\ndescription = "d"\n\n'
        '[[case]]\nid = "free"\ntitle = "free"\ngenerated = false\n'
        '[case.context]\nplan = "free"\n[case.expect]\nvalue = false\n'
    )
    by_line = _by_line(_report(tmp_path, files))
    # paid-eu: rule 0 matches (eu: region true, qualifier.paid true -> paid true) -> high
    assert by_line[("variables/limit.toml", 7)] == (1, 0, 0)
    assert by_line[("variables/limit.toml", 12)] == (2, 1, 1)
    assert by_line[("variables/limit.toml", 16)] == (1, 0, 1)  # not evaluated after a match
    assert by_line[("variables/limit.toml", 6)] == (0, 0, 0)
    assert by_line[("qualifiers/eu.toml", 3)] == (2, 1, 1)
    assert by_line[("qualifiers/eu.toml", 8)] == (1, 1, 0)
    # free-us false (rule 1), paid-eu true (reached through eu), the fixture case false
    assert by_line[("qualifiers/paid.toml", 3)] == (3, 1, 2)


def test_cli_writes_cobertura_text_and_gates(tmp_path: Path) -> None:
    ws = write_files(tmp_path / "ws", FILES)
    out = tmp_path / "coverage.xml"
    result = run_cli("test", str(ws), "--coverage", str(out), "--fail-under", "50")
    assert result.code == 0, result.err
    assert "variables/limit.toml:6: variable:limit value mid (never selected)" in result.err
    assert "qualifiers/eu.toml:8: qualifier:eu predicate 1" in result.err
    assert "coverage: 52.6%" in result.err
    assert out.read_text().startswith("<?xml")
    result = run_cli("test", str(ws), "--coverage", str(out), "--fail-under", "60")
    assert result.code == 1
    assert "below --fail-under 60%" in result.err
    lcov = tmp_path / "coverage.info"
    result = run_cli("test", str(ws), "--coverage", str(lcov), "--coverage-format", "lcov")
    assert result.code == 0
    assert "SF:" in lcov.read_text()


def test_cobertura_is_valid_against_the_dtd(tmp_path: Path) -> None:
    report = _report(tmp_path, FILES)
    text = render_cobertura(report, prefix='we<ird"&/', timestamp=1)
    dtd = etree.DTD(str(DTD))
    doc = etree.fromstring(text.encode())
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()
    assert doc.get("lines-covered") == "6" and doc.get("lines-valid") == "9"
    assert doc.get("branches-covered") == "4" and doc.get("branches-valid") == "10"
    names = [c.get("filename") for c in doc.iter("class")]
    assert 'we<ird"&/variables/limit.toml' in names


def test_cobertura_numbers_through_pycobertura(tmp_path: Path) -> None:
    report = _report(tmp_path, FILES)
    path = tmp_path / "coverage.xml"
    path.write_text(render_cobertura(report))
    cobertura = pycobertura.Cobertura(str(path))
    assert cobertura.total_statements() == 9
    # pycobertura counts a partly covered branch line as missed: 3 never hit + 4 partial
    assert cobertura.total_misses() == 7
    assert cobertura.line_rate() == pytest.approx(6 / 9, abs=1e-4)
    assert cobertura.branch_rate() == pytest.approx(4 / 10, abs=1e-4)
    assert cobertura.line_rate("variables/limit.toml") == pytest.approx(4 / 6, abs=1e-4)
    assert dict(cobertura.line_statuses("variables/limit.toml")) == {
        5: "hit",
        6: "miss",
        7: "miss",
        10: "hit",
        12: "partial",
        16: "partial",
    }
    assert dict(cobertura.line_statuses("qualifiers/eu.toml")) == {3: "partial", 8: "miss"}


LCOV_RECORD = re.compile(
    r"TN:[^\n]*\n"
    r"SF:[^\n]+\n"
    r"(?:BRDA:\d+,\d+,\d+,(?:\d+|-)\n)*"
    r"BRF:\d+\nBRH:\d+\n"
    r"(?:DA:\d+,\d+\n)*"
    r"LF:\d+\nLH:\d+\n"
    r"end_of_record\n"
)


def parse_lcov(text: str) -> dict[str, dict[str, object]]:
    """A small reader for the geninfo grammar; checks every record's counts add up."""
    assert re.fullmatch(f"(?:{LCOV_RECORD.pattern})*", text), text
    files: dict[str, dict[str, object]] = {}
    for record in LCOV_RECORD.findall(text):
        fields = [line.split(":", 1) for line in record.splitlines() if ":" in line]
        source = next(v for k, v in fields if k == "SF")
        da = {int(v.split(",")[0]): int(v.split(",")[1]) for k, v in fields if k == "DA"}
        brda = [v.split(",") for k, v in fields if k == "BRDA"]
        counts = {k: int(v) for k, v in fields if k in ("LF", "LH", "BRF", "BRH")}
        assert counts["LF"] == len(da) and counts["LH"] == sum(1 for h in da.values() if h)
        assert counts["BRF"] == len(brda)
        assert counts["BRH"] == sum(1 for b in brda if b[3] not in ("-", "0"))
        files[source] = {"da": da, "brda": brda, **counts}
    return files


def test_lcov_follows_the_grammar(tmp_path: Path) -> None:
    report = _report(tmp_path, FILES)
    files = parse_lcov(render_lcov(report, prefix="ws/"))
    limit = files["ws/variables/limit.toml"]
    assert limit["da"] == {5: 1, 6: 0, 7: 0, 10: 1, 12: 1, 16: 1}
    assert limit["brda"] == [
        ["12", "0", "0", "0"],
        ["12", "0", "1", "1"],
        ["16", "0", "0", "0"],
        ["16", "0", "1", "1"],
    ]
    assert files["ws/qualifiers/eu.toml"]["brda"][2:] == [
        ["8", "0", "0", "-"],
        ["8", "0", "1", "-"],
    ]
    hostile = render_lcov(report, prefix="a\nSF:evil\n")
    parse_lcov(hostile)
    assert "\nSF:evil" not in hostile


# -- brute force on generated workspaces --------------------------------------------------

_VALUE_KEY = re.compile(r"^(?:values\.)?(k\d+)\s*=")


def _scan_lines(text: str) -> dict[str, list[int]]:
    """Independently of the engine's spans: where each coverable thing starts, by text."""
    found: dict[str, list[int]] = {"rule": [], "predicate": [], "value": [], "default": []}
    section = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
            if stripped == "[[resolve.rule]]":
                found["rule"].append(number)
            elif stripped == "[[predicate]]":
                found["predicate"].append(number)
            continue
        if (section in ("", "[values]")) and _VALUE_KEY.match(stripped):
            if section == "[values]" or stripped.startswith("values."):
                found["value"].append(number)
        if re.match(r"^(?:resolve\.)?default\s*=", stripped) and (
            section == "[resolve]" or stripped.startswith("resolve.")
        ):
            found["default"].append(number)
    return found


@pytest.mark.parametrize("seed", range(12))
def test_against_brute_force_on_generated_workspaces(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    ws = generator.generate(rng)
    contexts = generator.contexts(rng, ws, count=10)
    workspace = Workspace.load(str(write_files(tmp_path, ws.files)))
    collector = CoverageCollector(workspace.model)
    declared = [DeclaredContext(f"c{i}", c) for i, c in enumerate(contexts)]
    run_tests(workspace, Options(contexts=declared, coverage=collector))
    report = collector.report()

    # the oracle: resolve every (context, variable) afresh from trace JSON, count by hand
    expected: dict[tuple[str, int], list[int]] = {}
    scans = {path: _scan_lines(text) for path, text in ws.files.items() if path.endswith(".toml")}
    for path, scan in scans.items():
        for kind, numbers in scan.items():
            if path.startswith("variables/res") and kind == "value":
                continue
            for number in numbers:
                expected[(path, number)] = [0, 0, 0]
    for context in contexts:
        for vid in ws.variables:
            try:
                trace = workspace.trace_variable(vid, context).to_json()
            except RototoError:
                continue
            vpath = f"variables/{vid}.toml"
            rule_lines = scans[vpath]["rule"]
            for rule in trace["rules"]:
                cell = expected[(vpath, rule_lines[rule["index"]])]
                cell[0] += 1
                cell[1 if rule["matched"] else 2] += 1
            if not any(rule["matched"] for rule in trace["rules"]):
                expected[(vpath, scans[vpath]["default"][0])][0] += 1
            if vid != "res":
                keys = [
                    _VALUE_KEY.match(line.strip()).group(1)  # type: ignore[union-attr]
                    for line in ws.files[vpath].splitlines()
                    if _VALUE_KEY.match(line.strip())
                ]
                key_line = scans[vpath]["value"][keys.index(trace["resolution"]["value_key"])]
                expected[(vpath, key_line)][0] += 1
            for qualifier in trace["qualifier_traces"]:
                qpath = f"qualifiers/{qualifier['id']}.toml"
                for predicate in qualifier["predicates"]:
                    cell = expected[(qpath, scans[qpath]["predicate"][predicate["index"]])]
                    cell[0] += 1
                    cell[1 if predicate["result"] else 2] += 1
    got = {(e.path, e.line): [e.hits, e.true_hits, e.false_hits] for e in report.entries}
    assert got == expected
    lcov = parse_lcov(render_lcov(report))
    lines_covered = sum(1 for cell in expected.values() if cell[0])
    assert sum(f["LH"] for f in lcov.values()) == lines_covered  # type: ignore[misc]
    assert report.totals.lines_covered == lines_covered


# -- a workspace that extends a parent ----------------------------------------------------

PARENT = {
    "rototo-workspace.toml": "schema_version = 1\n",
    "qualifiers/paid.toml": FILES["qualifiers/paid.toml"],
    "variables/limit.toml": (
        "schema_version = 1\n"
        'type = "int"\n'
        "# a parent's comment shifts its lines: the child has no such file\n"
        "\n"
        "[values]\n"  # 5
        "low = 1\n"  # 6
        "high = 3\n"  # 7
        "\n"
        "[resolve]\n"
        'default = "low"\n'  # 10
        "\n"
        "[[resolve.rule]]\n"  # 12
        'qualifier = "paid"\nvalue = "high"\n'
    ),
}
CHILD = {
    "rototo-workspace.toml": 'schema_version = 1\nextends = ["../parent"]\n',
    "variables/own.toml": (
        'schema_version = 1\ntype = "bool"\n\n[values]\non = true\noff = false\n\n'
        '[resolve]\ndefault = "off"\n'
    ),
    "contexts/paid.json": '{"plan": "paid"}\n',
}


def _cobertura_files(path: Path) -> dict[str, dict[int, tuple[int, str | None]]]:
    doc = etree.parse(str(path))
    return {
        c.get("filename"): {
            int(line.get("number")): (int(line.get("hits")), line.get("condition-coverage"))
            for line in c.iter("line")
        }
        for c in doc.iter("class")
    }


@pytest.mark.parametrize("in_git", [True, False])
def test_files_of_an_extended_parent_are_reported_where_they_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_git: bool
) -> None:
    from tests.helpers import commit_all, init_repo

    repo = tmp_path / "repo"
    if in_git:
        init_repo(repo)
    write_files(repo / "configs" / "parent", PARENT)
    write_files(repo / "configs" / "child", CHILD)
    if in_git:
        commit_all(repo, "parent and child")
    monkeypatch.chdir(repo / "configs" / "child")
    out, lcov = tmp_path / "coverage.xml", tmp_path / "coverage.info"
    result = run_cli("test", ".", "--coverage", str(out))
    assert result.code == 0, result.err
    assert run_cli("test", ".", "--coverage", str(lcov), "--coverage-format", "lcov").code == 0
    # repository-relative in git (what GitHub, GitLab and Codecov map), else relative to
    # the workspace directory; the parent's lines are its own (the comment shifts them)
    parent = "configs/parent/" if in_git else "../parent/"
    child = "configs/child/" if in_git else ""
    assert _cobertura_files(out) == {
        f"{child}variables/own.toml": {5: (0, None), 6: (1, None), 9: (1, None)},
        f"{parent}qualifiers/paid.toml": {3: (1, "50% (1/2)")},
        f"{parent}variables/limit.toml": {
            6: (0, None),
            7: (1, None),
            10: (0, None),
            12: (1, "50% (1/2)"),
        },
    }
    assert set(parse_lcov(lcov.read_text())) == set(_cobertura_files(out))
    # the text report's `path:line` opens the real file from the current directory
    assert "../parent/variables/limit.toml:10: variable:limit default low" in result.err
    assert "\nvariables/own.toml:5: variable:own value on (never selected)" in result.err
    for line in result.err.splitlines()[1:]:
        if ".toml:" in line:
            name, number = line.split(":")[:2]
            assert Path(name).is_file(), line
            assert int(number) <= len(Path(name).read_text().splitlines())
