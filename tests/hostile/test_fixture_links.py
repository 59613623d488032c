"""`rototo fixtures` reads and rewrites files under the suite directory, which a pull
request can fill with symbolic links: no link takes a read or a write outside the suite
directory (SPEC §8, "No escape"). Links that stay inside it are followed."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..cli.conftest import EXAMPLE, run_cli

SECRET = "OUTSIDE-THE-SUITE-7f3a"


def _suite(tmp_path: Path) -> tuple[Path, Path]:
    ws = tmp_path / "repo" / "ws"
    shutil.copytree(EXAMPLE, ws)
    outside = tmp_path / "outside"
    outside.mkdir()
    return ws, outside


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_a_linked_directory_is_not_written_through(tmp_path: Path) -> None:
    ws, outside = _suite(tmp_path)
    shutil.rmtree(ws / "tests" / "variables")
    (ws / "tests" / "variables").symlink_to(outside, target_is_directory=True)
    result = run_cli("fixtures", str(ws), "--out", str(ws / "tests"))
    assert "Traceback" not in result.err
    assert _files(outside) == {}, "a fixture file was written outside the suite"
    assert result.code == 1 and "symbolic link" in result.out + result.err
    check = run_cli("fixtures", str(ws), "--out", str(ws / "tests"), "--check")
    assert check.code == 1 and "variables/max-projects.toml" in check.out + check.err


def test_a_linked_file_is_neither_read_nor_replaced(tmp_path: Path) -> None:
    ws, outside = _suite(tmp_path)
    target = ws / "tests" / "variables" / "max-projects.toml"
    secret = outside / "notes.toml"
    # a fixture file of the right shape, so that reading it would show what it records
    secret.write_text(
        target.read_text(encoding="utf-8").replace("id = ", f'description = "{SECRET}"\nid = ', 1),
        encoding="utf-8",
    )
    before = _files(outside)
    target.unlink()
    target.symlink_to(secret)
    for extra in (["--check"], [], ["--json"]):
        result = run_cli("fixtures", str(ws), "--out", str(ws / "tests"), *extra)
        assert "Traceback" not in result.err
        assert result.code == 1, (extra, result)
        assert SECRET not in result.out + result.err
        assert "symbolic link" in result.out + result.err
    assert _files(outside) == before
    assert target.is_symlink()


def test_a_link_inside_the_suite_is_followed(tmp_path: Path) -> None:
    ws, _ = _suite(tmp_path)
    tests = ws / "tests"
    (tests / "variables").rename(tests / "variables-real")
    (tests / "variables").symlink_to("variables-real", target_is_directory=True)
    result = run_cli("fixtures", str(ws), "--out", str(tests), "--check")
    assert result.code == 0, result
