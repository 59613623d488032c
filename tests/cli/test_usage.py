"""Flags and help read the same on every command: -h, examples, word metavars, one-line errors."""

from __future__ import annotations

import io
import json
import re

import pytest

from rototo_ci.cli.app import build_command
from rototo_ci.cli.common import use_color

from .conftest import EXAMPLE, run_cli

COMMANDS = sorted(build_command().commands)
PYTHON_TYPES = re.compile(r"<(str|int|list|Path|bool|float)|list\[|\[\[|\{[A-Z]+\}|<[a-z]")


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_help_has_examples_words_and_short_flag(command: str) -> None:
    args = [command] if command else []
    long = run_cli(*args, "--help")
    short = run_cli(*args, "-h")
    assert long.code == 0 and short.code == 0, (long, short)
    assert long.out == short.out
    assert "Examples:\n" in long.out
    examples = long.out.split("Examples:\n", 1)[1].strip().splitlines()
    assert 1 <= len(examples) <= 2
    assert all(line.strip().startswith("rototo ") for line in examples)
    assert not PYTHON_TYPES.search(long.out), PYTHON_TYPES.search(long.out)
    assert "-h, --help" in long.out
    if not command:  # the command list: one whole summary per command, none cut short
        listing = long.out.split("Commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert len(listing) == len(COMMANDS)
        assert all(line.rstrip().endswith((".", ")")) for line in listing), listing


def test_context_is_described_once_for_all_commands() -> None:
    descriptions = set()
    for command in COMMANDS:
        text = run_cli(command, "--help").out
        if "--context CONTEXT" in text:
            block = text.split("--context CONTEXT", 1)[1].split("\n  -", 1)[0]
            descriptions.add(" ".join(block.split()))
    assert len(descriptions) == 1, descriptions


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["lint", "--jsno"], "rototo: error: unknown option --jsno (did you mean --json?)"),
        (
            ["lint", "--format", "jsno"],
            "rototo: error: --format: 'jsno' is not one of text, json, github, sarif, gitlab",
        ),
        (["init"], "rototo: error: missing DIR"),
        (["lnit"], "rototo: error: unknown command 'lnit' (did you mean lint?)"),
        (["resolve", "--context"], "rototo: error: option --context needs a value"),
        (["lint", "a", "b"], "rototo: error: unexpected argument b"),
        # an option-like file name from a pull request stays on the error line
        (["lint", "--x\n::error::y"], "rototo: error: unknown option --x\\n::error::y"),
    ],
)
def test_usage_errors_are_one_line_and_a_hint(args: list[str], error: str) -> None:
    result = run_cli(*args)
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0] == error
    assert len(lines) == 2 and lines[1].startswith("rototo: hint: see 'rototo")
    assert "Value error" not in result.err and "Usage:" not in result.err


COLOR_COMMANDS = [
    name
    for name, command in build_command().commands.items()
    if any("--color" in getattr(p, "opts", []) for p in command.params)
]


@pytest.mark.parametrize("command", COLOR_COMMANDS)
def test_color_is_validated_wherever_it_exists(command: str) -> None:
    result = run_cli(command, "--color", "blue")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        "rototo: error: --color: 'blue' is not one of auto, always, never"
    )


def test_global_json_and_quiet_before_the_command() -> None:
    before = run_cli("--json", "lint", str(EXAMPLE))
    after = run_cli("lint", str(EXAMPLE), "--json")
    assert before.code == after.code == 0
    assert json.loads(before.out) == json.loads(after.out)
    quiet = run_cli("-q", "lint", str(EXAMPLE))
    assert quiet.code == 0 and quiet.out == ""
    # a command without JSON output ignores it, as upstream does
    assert run_cli("--json", "init", "--help").code == 0


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_force_color_colours_a_pipe_and_no_color_wins(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color("auto", io.StringIO()) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("auto", io.StringIO()) is True
    assert use_color("never", io.StringIO()) is False
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert use_color("auto", io.StringIO()) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", Tty()) is False


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("lint", ("--json", "-f, --format", "-q, --quiet", "--color WHEN")),
        ("resolve", ("--json", "-f, --format", "--color WHEN")),
        ("show", ("--json", "-f, --format")),
        ("inspect", ("--json", "-f, --format", "--color WHEN")),
        ("test", ("--json", "-f, --format", "-q, --quiet", "--color WHEN")),
        ("fixtures", ("--json", "-q, --quiet")),
        ("init", ("-q, --quiet",)),
    ],
)
def test_structured_output_and_quiet_flags_are_the_same_everywhere(
    command: str, flags: tuple[str, ...]
) -> None:
    text = run_cli(command, "--help").out
    for flag in flags:
        assert flag in text, (command, flag)


def test_json_and_format_json_agree(tmp_path) -> None:
    for args in (["show", str(EXAMPLE)], ["inspect", str(EXAMPLE)], ["test", str(EXAMPLE)]):
        short = run_cli(*args, "--json")
        long = run_cli(*args, "--format", "json")
        assert short.code == long.code == 0, (args, short, long)
        assert json.loads(short.out) == json.loads(long.out)
    quiet = run_cli("test", str(EXAMPLE), "-q")
    assert quiet.code == 0 and quiet.out == ""
    assert run_cli("init", str(tmp_path / "ws"), "-q").out == ""


def test_library_messages_are_reworded(tmp_path) -> None:
    bad_json = run_cli("resolve", str(EXAMPLE), "--variables", "-c", '{"a": 1,}')
    assert bad_json.err == (
        "rototo: error: context is not valid JSON: expected a property name in double quotes "
        "(no trailing commas, no single quotes), at line 1 column 9\n"
    )
    (tmp_path / "bad.yaml").write_text("a: [1,\n")
    bad_yaml = run_cli("resolve", str(EXAMPLE), "--variables", "-c", f"@{tmp_path / 'bad.yaml'}")
    assert (
        bad_yaml.code == 2
        and "\\n" not in bad_yaml.err
        and "<unicode string>" not in (bad_yaml.err)
    )
    assert bad_yaml.err.rstrip().endswith("at line 2 column 1")
    wrong_type = run_cli(
        "resolve",
        str(EXAMPLE),
        "--variables",
        "-c",
        '{"account": {"id": "a", "plan": "growth", "seats": true}, "request": {"country": "DE"}}',
    )
    assert wrong_type.err == (
        "rototo: error: context does not match the context schema at account.seats: "
        "expected an integer, got the boolean true\n"
    )
    (tmp_path / "file").write_text("")
    unwritable = run_cli("init", str(tmp_path / "file" / "ws"))
    assert unwritable.code == 2
    assert unwritable.err.startswith("rototo: error: ") and "Errno" not in unwritable.err


def test_value_coercion_errors_are_ours() -> None:
    result = run_cli("comment", "--pr", "abc", "--body-file", "x")
    assert result.code == 2
    assert result.err.splitlines() == [
        "rototo: error: --pr: expected a whole number",
        "rototo: hint: see 'rototo comment --help'",
    ]
