"""One door per sink for untrusted text (SPEC §8).

Everything a pull request can change — file contents, file *names*, git trees,
contexts, fixture ids, Lua messages — is hostile. Every renderer and error path
sends such text through exactly one function of this module for the sink it goes
to. A reviewer checks this file, not every f-string.

Sinks:

* workflow commands (GitHub): `command_data`, `command_property`, and
  `guard_line` / `guard_text` for every *other* line written to stdout or
  stderr, so that no line rototo-ci did not mean as a command can start one
  (the runner trims leading white space, then looks for `::` or `##[`);
* one-line messages (errors, logs): `one_line`;
* markdown / HTML in the PR comment: `md_text`, `md_code`, `md_cell`,
  `strip_markers`;
* XML (JUnit, Cobertura): `xml_text`, `xml_attr`;
* `$GITHUB_OUTPUT`: `github_output_entry`;
* shell lists built by the Action: `nul_list`.
"""

from __future__ import annotations

import html
import re

# --- workflow commands ----------------------------------------------------------------------


def command_data(text: str) -> str:
    """The message part of `::kind props::MESSAGE`."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """A property value of `::kind name=VALUE,…::`."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


_COMMAND_START = re.compile(r"^[ \t\f\v]*(::|##\[)")


def guard_line(line: str) -> str:
    """A line of plain output that can never be read as a workflow command."""
    if _COMMAND_START.match(line):
        # a zero-width space keeps the text readable and breaks the `::` / `##[` prefix
        stripped = line.lstrip(" \t\f\v")
        return line[: len(line) - len(stripped)] + "\u200b" + stripped
    return line


def guard_text(text: str) -> str:
    """`guard_line` on every line of a block of plain output (any line ending)."""
    if "::" not in text and "##[" not in text:
        return text
    parts = re.split(r"(\r\n|\r|\n)", text)
    return "".join(p if i % 2 else guard_line(p) for i, p in enumerate(parts))


# --- one-line messages ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]")


def one_line(text: str) -> str:
    """Untrusted text inside a one-line message: line breaks and controls made visible."""
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# --- markdown / HTML ------------------------------------------------------------------------

MARKER_PREFIX = "<!-- rototo-ci"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9_-])")
_ZWJ = "\u2060"  # word joiner: `@<WJ>name` renders as @name and pings nobody


def md_text(text: str) -> str:
    """Untrusted text in running markdown: inert, one line, no HTML, no mention."""
    text = one_line(text)
    text = html.escape(text, quote=False)  # < > & : no raw HTML, no comment, no marker
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _MENTION.sub("@" + _ZWJ, text)


def md_code(text: str) -> str:
    """Untrusted text shown as code: an HTML code element, so backticks cannot close it."""
    text = html.escape(one_line(text), quote=True).replace("|", "&#124;")
    return "<code>" + _MENTION.sub("@" + _ZWJ, text) + "</code>"


def md_cell(text: str) -> str:
    """Untrusted text in a table cell: `md_text` with the cell separator escaped."""
    return md_text(text).replace("\\|", "&#124;")


def md_block(text: str) -> str:
    """Untrusted multi-line text shown verbatim in a `<pre>` block."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\n", "\x00"))
    text = text.replace("\\x00", "\n")
    return "<pre>" + _MENTION.sub("@" + _ZWJ, html.escape(text, quote=False)) + "</pre>"


def strip_markers(body: str, marker: str) -> str:
    """Remove every line of `body` that looks like the sticky-comment marker."""
    lines = [line for line in body.split("\n") if marker not in line]
    return "\n".join(lines)


# --- XML ------------------------------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Character data for XML 1.0: escaped, characters XML cannot hold replaced."""
    return html.escape(_XML_INVALID.sub("\ufffd", text), quote=False)


def xml_attr(text: str) -> str:
    """An attribute value for XML 1.0 (double-quoted)."""
    text = _XML_INVALID.sub("\ufffd", text)
    text = html.escape(text, quote=True)
    return text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


# --- $GITHUB_OUTPUT and shell lists ---------------------------------------------------------

_OUTPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def github_output_entry(name: str, value: str) -> str:
    """One `$GITHUB_OUTPUT` entry; multi-line safe with a delimiter the value cannot hold."""
    if not _OUTPUT_NAME.match(name):
        raise ValueError(f"invalid output name: {name!r}")
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    while True:
        import secrets

        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def nul_list(items: list[str]) -> str:
    """A NUL-separated list for `xargs -0` / `read -d ''`; items cannot contain NUL."""
    for item in items:
        if "\x00" in item:
            raise ValueError("a list item contains NUL")
    return "".join(item + "\x00" for item in items)
