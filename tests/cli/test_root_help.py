"""`rototo --help` is written without typer (rototo_ci.cli.root_help): it must be the page
typer and click write, at every terminal width and for any text the tables could hold."""

from __future__ import annotations

import random

import pytest

from rototo_ci.cli import app
from rototo_ci.cli.root_help import _definitions, _wrap

from .conftest import run_cli


def _typer_page() -> str:
    from rototo_ci.cli.usage import quick_help

    page = quick_help(app.build_command(), ["--help"])
    assert page is not None
    return page


@pytest.mark.parametrize("columns", [1, 20, 49, 50, 51, 52, 53, 60, 70, 79, 80, 81, 82, 83, 200])
def test_the_root_page_is_typers_at_this_width(columns: int, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert app._root_page() == _typer_page()


def test_the_root_page_is_typers_at_every_width(monkeypatch) -> None:
    for columns in range(1, 121):
        monkeypatch.setenv("COLUMNS", str(columns))
        assert app._root_page() == _typer_page(), columns


def test_help_and_h_print_the_page(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    for flag in ("--help", "-h"):
        result = run_cli(flag)
        assert result.code == 0 and result.err == ""
        assert result.out == _typer_page() + "\n"


@pytest.mark.parametrize("columns", [60, 80])
def test_the_root_page_on_a_real_terminal_is_typers(columns: int) -> None:
    """On a pseudo-terminal (no COLUMNS: the width is the terminal's), the page equals
    what typer prints for `rototo --help --`, which takes typer's own path."""
    from .test_terminal import on_terminal

    page = on_terminal("--help", columns=columns)
    assert page == on_terminal("--help", "--", columns=columns)
    if columns == 80:  # the examples are kept as written: they must fit 80 columns
        assert max(len(line) for line in page.splitlines()) <= 80, page


@pytest.mark.parametrize("command", ["lint", "resolve", "show", "inspect", "diff", "test"])
def test_command_examples_fit_an_80_column_terminal(command: str) -> None:
    from .test_terminal import on_terminal

    page = on_terminal(command, "--help", columns=80)
    assert "Examples:" in page
    assert max(len(line) for line in page.splitlines()) <= 80, page


WORDS = ["a", "rototo", "workspace", "x" * 45, "diff:", "(bash,", "zsh)", "é", "a-b-c-d"]


def _text(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randrange(1, 8)):
        roll = rng.random()
        if roll < 0.15:
            lines.append("")
        elif roll < 0.25:
            lines.append("\b")
        else:
            indent = " " * rng.choice([0, 0, 2, 4])
            tab = "\t" if rng.random() < 0.1 else ""
            words = [rng.choice(WORDS) for _ in range(rng.randrange(1, 14))]
            lines.append(indent + tab + " ".join(words))
    return "\n".join(lines)


def test_wrapping_equals_clicks_on_random_text() -> None:
    from typer._click.formatting import HelpFormatter, wrap_text

    rng = random.Random(7)
    for _ in range(600):
        width = rng.randrange(10, 90)
        indent = " " * rng.choice([0, 2, 4])
        text = _text(rng)
        expected = wrap_text(
            text, width, initial_indent=indent, subsequent_indent=indent, preserve_paragraphs=True
        )
        assert _wrap(text, width, indent) == expected, (text, width)
        rows = [
            (rng.choice(WORDS[:5]) + "-" * rng.randrange(0, 40), _text(rng))
            for _ in range(rng.randrange(1, 6))
        ]
        formatter = HelpFormatter(width=max(width, 50))
        formatter.indent()
        formatter.write_dl(rows)
        assert _definitions(rows, max(width, 50), 2) == formatter.getvalue(), rows
