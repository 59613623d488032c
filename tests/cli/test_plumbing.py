"""Shared command-line plumbing: colour choice, step summary, error lines, interrupts."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rototo_ci.cli.common import use_color, write_step_summary
from rototo_ci.engine.workspace import Workspace

from .conftest import EXAMPLE, Result, run_cli, run_process


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color_follows_flag_terminal_and_no_color(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color("auto", Tty()) is True
    assert use_color("auto", io.StringIO()) is False
    assert use_color("never", Tty()) is False
    assert use_color("always", io.StringIO()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", Tty()) is False
    assert use_color("always", Tty()) is True  # an explicit flag wins


def test_step_summary_appends_only_when_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert write_step_summary("# nothing") is False
    summary = tmp_path / "summary.md"
    summary.write_text("before\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert write_step_summary("# one") is True
    assert write_step_summary("# two\n") is True
    assert summary.read_text() == "before\n# one\n# two\n"


def test_unwritable_step_summary_is_a_warning(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing-dir" / "summary.md"))
    assert write_step_summary("# x") is False
    assert "warning" in capsys.readouterr().err


def _cpu_of(*args: str) -> tuple[float, Result]:
    """The child's CPU seconds (user + system), best of three: a busy machine inflates wall
    time, not the work done."""
    import resource

    best, result = float("inf"), None
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = run_process(*args) if args else None
        if not args:
            subprocess.run([sys.executable, "-c", "pass"], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, spent)
    return best, result  # type: ignore[return-value]


def test_version_and_help_answer_quickly() -> None:
    bare, _ = _cpu_of()
    timings = {}
    for args in (["--version"], ["-V"], ["--help"], ["lint", "--help"], ["resolve", "--help"]):
        best, result = _cpu_of(*args)
        timings[" ".join(args)] = best - bare
        assert result.code == 0, result
        assert "Traceback" not in result.err
    assert timings["--version"] < 0.15, timings
    assert max(timings.values()) < 0.5, timings


def test_help_lists_every_command() -> None:
    out = run_process("--help").out
    for name in ("lint", "resolve", "show", "init", "diff", "fixtures", "test", "comment"):
        assert name in out


def test_unexpected_exception_is_one_line(monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Workspace, "load", boom)
    result = run_cli("resolve", str(EXAMPLE), "--variables")
    assert result.code == 2
    assert result.err == "rototo: internal error: RuntimeError: boom\n"


def test_keyboard_interrupt_exits_130(monkeypatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Workspace, "load", interrupted)
    result = run_cli("resolve", str(EXAMPLE), "--variables")
    assert result.code == 130
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "--no-such-flag"],
        ["no-such-command"],
        ["resolve", str(EXAMPLE), "--variable"],
        ["lint", str(EXAMPLE), "--color", "sometimes"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.code == 2
    assert "Traceback" not in result.err and result.err.strip()


def test_rototo_error_is_one_line() -> None:
    result = run_cli("resolve", "/nonexistent/ws", "--variables")
    assert result.code == 2
    assert result.err.startswith("rototo: error: ") and result.err.count("\n") == 1


def test_progress_appears_only_on_a_terminal_and_after_the_delay(monkeypatch) -> None:
    from rototo_ci.cli.common import status_reporter

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert status_reporter("working") is None  # not a terminal
    quick_sink, slow_sink = Tty(), Tty()
    monkeypatch.setattr("sys.stderr", quick_sink)
    quick = status_reporter("working", delay=0.5)
    quick("a")
    quick.stop()
    time.sleep(0.6)
    assert quick_sink.getvalue() == ""
    monkeypatch.setattr("sys.stderr", slow_sink)
    slow = status_reporter("working", delay=0.01)
    time.sleep(0.3)
    slow("item")
    slow.stop()
    assert "working" in slow_sink.getvalue()
