"""The caret excerpt under a diagnostic's range: UTF-16 offsets, tabs, ranges past the line."""

from __future__ import annotations

from rototo_ci.engine.diagnostics import Diagnostic
from rototo_ci.engine.documents import Position, Range
from rototo_ci.render.lint_text import excerpt, render_lint_text, summary_line


def test_plain_range() -> None:
    assert excerpt('default = "b"', 10, 13) == ('default = "b"', "          ^^^")


def test_astral_characters_count_two_utf16_units() -> None:
    line = 'note = "🚀🚀" x = 1'
    # "x" sits after two rockets: code point 13, UTF-16 unit 15
    shown, caret = excerpt(line, 15, 16)
    assert shown == line
    assert caret == " " * 13 + "^"


def test_tabs_are_expanded_on_both_lines() -> None:
    shown, caret = excerpt("\tvalue = 1", 1, 6)
    assert shown == "    value = 1"
    assert caret == "    ^^^^^"


def test_a_range_running_past_the_line_marks_to_its_end() -> None:
    assert excerpt("[values]", 1, None) == ("[values]", " ^^^^^^^")


def test_an_empty_range_still_shows_one_caret() -> None:
    assert excerpt("key =", 5, 5) == ("key =", "     ^")


def _diagnostic(severity: str, path: str, line: int) -> Diagnostic:
    return Diagnostic(
        rule="rototo/example",
        severity=severity,
        stage="project",
        entity={"kind": "variable", "id": "x"},
        message=f"{severity} here",
        help="",
        path=path,
        range=Range(Position(line, 0), Position(line, 3)),
    )


def test_grouped_by_file_with_summary() -> None:
    diagnostics = [
        _diagnostic("warning", "variables/b.toml", 0),
        _diagnostic("error", "variables/a.toml", 1),
        _diagnostic("error", "variables/b.toml", 1),
    ]
    text = render_lint_text(diagnostics, lambda path: ["one", "two"], color=False)
    lines = text.splitlines()
    assert lines.index("variables/a.toml") < lines.index("variables/b.toml")
    assert lines[-1] == "2 errors, 1 warning"
    assert text.count("| ^^^") == 3
    assert summary_line([]) == "ok: no lint findings"
    assert render_lint_text([], lambda path: None, quiet=True) == ""
