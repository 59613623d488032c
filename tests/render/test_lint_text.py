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


def test_one_finding_per_line_grouped_by_file_with_summary() -> None:
    diagnostics = [
        _diagnostic("warning", "variables/b.toml", 0),
        _diagnostic("error", "variables/a.toml", 1),
        _diagnostic("error", "variables/b.toml", 1),
    ]
    text = render_lint_text(diagnostics, lambda path: ["one", "two"], color=False)
    assert text.splitlines() == [
        "variables/a.toml:2:1: error rototo/example error here",
        "variables/b.toml:1:1: warning rototo/example warning here",
        "variables/b.toml:2:1: error rototo/example error here",
        "2 errors, 1 warning",
    ]
    assert summary_line([]) == "ok: no lint findings"
    assert render_lint_text([], lambda path: None, quiet=True) == ""


def test_terminal_shows_excerpt_caret_and_help_below_each_finding() -> None:
    finding = _diagnostic("error", "variables/a.toml", 1)
    finding.help = "Say why in more words than fit on one narrow terminal line, " * 2
    text = render_lint_text(
        [finding], lambda path: ["one", "two"], width=40, excerpts=True, path_prefix="cfg/"
    )
    lines = text.splitlines()
    assert lines[:2] == ["cfg/variables/a.toml:2:1: error", "rototo/example error here"]
    assert lines[2:4] == ["2 | two", "  | ^^^"]
    assert all(len(line) <= 40 and line == line.rstrip() for line in lines)
    assert lines[4].startswith("  help: Say why") and lines[5].startswith("  ")


def test_piped_text_is_never_wrapped() -> None:
    finding = _diagnostic("error", "variables/a.toml", 1)
    finding.message = "word " * 100
    text = render_lint_text([finding], lambda path: None)
    assert (
        text.splitlines()[0]
        == "variables/a.toml:2:1: error rototo/example " + ("word " * 100).rstrip()
    )
