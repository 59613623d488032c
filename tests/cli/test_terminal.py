"""Output on a real pseudo-terminal 80 columns wide, and the same output piped."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

from .conftest import ROOT, run_process

BROKEN = ROOT / "fixtures" / "lint" / "qualifier-predicate-context-type-mismatch"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(*args: str, columns: int = 80) -> str:
    """Run rototo with stdout on a pty of `columns` columns; return what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rototo_ci.cli.app", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the pty closes once the child exits
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return ANSI.sub("", b"".join(chunks).decode("utf-8").replace("\r\n", "\n"))


def test_lint_on_an_80_column_terminal_and_piped() -> None:
    rel = BROKEN.relative_to(ROOT).as_posix()
    shown = on_terminal("lint", rel, "--no-cache")
    lines = shown.splitlines()
    assert lines[0].startswith(f"{rel}/qualifiers/paid.toml:6:9")
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines), shown
    assert '6 | value = "many"' in lines and "  |         ^^^^^^" in lines
    assert any(line.startswith("  help: ") for line in lines)
    piped = run_process("lint", rel, "--no-cache", cwd=ROOT)
    assert piped.out.splitlines() == [
        f"{rel}/qualifiers/paid.toml:6:9: error rototo/qualifier-predicate-context-type-mismatch"
        " eq predicate value type string is incompatible with context attribute seats "
        "declared as integer",
        "1 error, 0 warnings",
    ]


def test_resolve_and_show_fit_80_columns_and_keep_their_indent() -> None:
    example = Path("fixtures/examples/shop")
    context = f"@{example}/contexts/growth-eu.json"
    shown = on_terminal("resolve", str(example), "--variable", "checkout-theme", "-c", context)
    lines = shown.splitlines()
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines), shown
    bucket = [i for i, line in enumerate(lines) if "#0 bucket(" in line][0]
    indent = len(lines[bucket]) - len(lines[bucket].lstrip())
    assert lines[bucket + 1].startswith(" " * indent) and lines[bucket + 1].strip()
    shown = on_terminal("show", str(example), "--resource", "checkout-theme")
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
