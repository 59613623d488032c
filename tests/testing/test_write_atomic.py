"""Files written atomically (fixture suites, scaffolds) get ordinary modes, not mkstemp's 0600."""

from __future__ import annotations

import os
from pathlib import Path

from rototo_ci.files import write_atomic


def test_a_new_file_gets_the_mode_a_plain_create_gives(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.toml", "a = 1\n")
        (tmp_path / "plain.toml").write_text("a = 1\n")
    finally:
        os.umask(old)
    made = (tmp_path / "new.toml").stat().st_mode & 0o7777
    assert made == (tmp_path / "plain.toml").stat().st_mode & 0o7777 == 0o644
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_rewritten_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "suite.toml"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o7777 == 0o640
