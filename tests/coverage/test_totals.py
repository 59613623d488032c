"""Coverage totals read back from saved Cobertura and LCOV files (the PR comment's line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rototo_ci.engine.errors import RototoError
from rototo_ci.engine.workspace import Workspace
from rototo_ci.render.coverage_cobertura import render_cobertura
from rototo_ci.render.coverage_lcov import render_lcov
from rototo_ci.render.coverage_summary import coverage_line, with_coverage
from rototo_ci.testing.coverage import CoverageCollector
from rototo_ci.testing.coverage_totals import read_coverage_files
from rototo_ci.testing.runner import TestOptions as Options
from rototo_ci.testing.runner import run_tests
from tests.helpers import write_files

from .test_coverage import FILES


def _report(root: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    workspace = Workspace.load(str(write_files(root, files)))
    collector = CoverageCollector(workspace.model, workspace.root)
    run_tests(workspace, Options(coverage=collector))
    return collector.report()


def test_both_formats_read_back_to_the_totals_rototo_test_computed(tmp_path: Path) -> None:
    report = _report(tmp_path / "ws", FILES)
    xml, info = tmp_path / "c.xml", tmp_path / "c.info"
    xml.write_text(render_cobertura(report, "a/"))
    info.write_text(render_lcov(report, "a/"))
    expected = report.totals
    for path in (xml, info):
        got = read_coverage_files([path]).totals
        assert got == expected, path
    # the hand-counted workspace of test_coverage: 6/9 lines, 4/10 branch outcomes
    assert (expected.lines_covered, expected.lines_valid) == (6, 9)
    assert coverage_line(expected) == (
        "configuration coverage: 52.6 % (lines 6/9, branch outcomes 4/10)"
    )
    # the same files twice (e.g. two workspaces extending one parent) count once
    assert read_coverage_files([xml, info]).totals == expected


def test_several_workspaces_add_up(tmp_path: Path) -> None:
    one = _report(tmp_path / "one", FILES)
    files = dict(FILES, **{"contexts/paid-eu.json": '{"plan": "paid", "region": "eu"}\n'})
    two = _report(tmp_path / "two", files)
    (tmp_path / "one.xml").write_text(render_cobertura(one, "one/"))
    (tmp_path / "two.info").write_text(render_lcov(two, "two/"))
    got = read_coverage_files([tmp_path / "one.xml", tmp_path / "two.info"]).totals
    a, b = one.totals, two.totals
    assert (got.lines_valid, got.lines_covered) == (
        a.lines_valid + b.lines_valid,
        a.lines_covered + b.lines_covered,
    )
    assert (got.branches_valid, got.branches_covered) == (
        a.branches_valid + b.branches_valid,
        a.branches_covered + b.branches_covered,
    )


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        b"<coverage>&b;</coverage>",
        b"<coverage><packages><package><classes><class filename='x'><lines>"
        b"<line number='x' hits='1'/></lines></class></classes></package></packages></coverage>",
        b"<coverage><unclosed></coverage>",
        b"<html/>",
        b"SF:x\nDA:1\nend_of_record\n",
        b"SF:x\nBRDA:1,0,0\nend_of_record\n",
        b"SF:x\nDA:-3,1\nend_of_record\n",
    ],
)
def test_a_broken_or_hostile_file_is_one_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(RototoError) as error:
        read_coverage_files([path])
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_the_line_goes_under_the_headline() -> None:
    body = "<!-- rototo-ci -->\n## rototo diff `a` → `b` — ok\n\ncounts\n\n### ws\n\nrest\n"
    got = with_coverage(body, "COV")
    assert (
        got
        == "<!-- rototo-ci -->\n## rototo diff `a` → `b` — ok\n\ncounts\n\nCOV\n\n### ws\n\nrest\n"
    )
    assert with_coverage("<!-- m -->\nbody\n", "COV") == "<!-- m -->\n\nCOV\n\nbody\n"
    line = coverage_line(read_coverage_files([]).totals, markdown=True)
    assert line.startswith("**Configuration coverage: 100.0 %** (lines 0/0")
