"""What a reader of rototo-ci's output streams sees: the GitHub runner's command parser."""

from __future__ import annotations

import re

# .NET Char.IsWhiteSpace: what the runner's `TrimStart()` removes before looking for a command
DOTNET_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
DOTNET_SPACE += "\u2028\u2029\u202f\u205f\u3000"
# stricter than the runner: also controls, colour codes, zero-width space and BOM
SKIPPED = DOTNET_SPACE + "".join(map(chr, range(0x20))) + "\x7f\u200b\ufeff"
KINDS = {"error", "warning", "notice"}
PROPERTIES = {"file", "line", "col", "endLine", "endColumn", "title"}


def runner_lines(text: str) -> list[str]:
    """Lines as the runner reads a stream (CR, LF and CRLF end a line)."""
    return re.split(r"\r\n|\r|\n", text)


def is_command(line: str) -> bool:
    """Stricter than the runner: leading controls and colour codes are skipped too."""
    lead = re.compile(r"(?:\x1b\[[0-?]*[ -/]*[@-~]|[" + re.escape(SKIPPED) + "])*")
    return line[lead.match(line).end() :].startswith(("::", "##["))


def unescape_property(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """`::kind k=v,…::data` as the runner splits it (properties unescaped)."""
    match = re.fullmatch(r"::([A-Za-z-]+)(?: ([^:]*))?::(.*)", line)
    assert match, f"malformed command line: {line!r}"
    kind, props_text, data = match.groups()
    props: dict[str, str] = {}
    for part in (props_text or "").split(","):
        if not part:
            continue
        name, _, value = part.partition("=")
        assert name not in props, f"duplicate property {name} in {line!r}"
        props[name] = unescape_property(value)
    return kind, props, data


def assert_no_forged_command(
    out: str, err: str, allowed_files: set[str] | None = None
) -> list[tuple[str, dict[str, str], str]]:
    """No line of stderr is a command; on stdout only annotations rototo-ci means to make.

    `allowed_files` None: stdout carries no command at all. Otherwise every command on
    stdout is an error/warning/notice with known properties, about one of those files.
    Returns the parsed commands.
    """
    for line in runner_lines(err):
        assert not is_command(line), f"stderr line reads as a workflow command: {line!r}"
    commands = []
    for line in runner_lines(out):
        if not is_command(line):
            continue
        assert allowed_files is not None, f"stdout line reads as a workflow command: {line!r}"
        assert line.startswith("::"), f"indented command: {line!r}"
        kind, props, data = parse_command(line)
        assert kind in KINDS, f"forged command kind {kind!r}: {line!r}"
        assert set(props) <= PROPERTIES, f"unexpected properties in {line!r}"
        if "file" in props:
            assert props["file"] in allowed_files, f"annotation on a foreign file: {line!r}"
        commands.append((kind, props, data))
    return commands
