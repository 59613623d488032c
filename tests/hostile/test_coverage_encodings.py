"""Coverage files can come from a pull request's artifact (the fork pattern's second
workflow reads them to put a total in the comment): an entity declaration is refused in
any encoding the XML parser would accept, not only where its bytes read `<!ENTITY`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rototo_ci.engine.errors import RototoError
from rototo_ci.testing.coverage_totals import read_coverage_files

EXPANDING = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<!DOCTYPE coverage [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
    '<coverage><packages><package><classes><class filename="&c;"><lines>'
    '<line number="1" hits="1"/></lines></class></classes></package></packages></coverage>\n'
)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_entities_in_utf16_are_not_expanded(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "coverage-1.xml"
    path.write_bytes(EXPANDING.encode(codec))
    try:
        totals = read_coverage_files([path])
    except RototoError:
        return  # refused: fine
    # read as something else (LCOV, say): then nothing of the entities was expanded
    assert all("aaaaaaaaaa" not in name for name in totals.files), list(totals.files)


def test_the_comment_body_refuses_such_a_file_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "diff.md").write_text("## rototo diff\n\nNo changes.\n", encoding="utf-8")
    (tmp_path / "coverage-1.xml").write_bytes(EXPANDING.encode("utf-16-le"))
    proc = subprocess.run(
        [sys.executable, "-m", "rototo_ci.github.action", "comment-body"]
        + ["diff.md", "body.md", "coverage-1.xml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc
    assert proc.stderr.startswith("rototo: error: coverage-1.xml:"), proc.stderr
    assert not (tmp_path / "body.md").exists()
