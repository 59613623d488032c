"""One door per sink for untrusted text (SPEC §8).

Everything a pull request can change — file contents, file *names*, git trees,
contexts, fixture ids, Lua messages — is hostile. Every renderer and error path
sends such text through exactly one function of this module for the sink it goes
to. A reviewer checks this file, not every f-string.

Sinks:

* workflow commands (GitHub): `command_data`, `command_property`; the commands
  rototo-ci means to issue leave through `write_commands`, and every *other*
  line written to stdout or stderr goes through the line guard (`guard_line`,
  `guard_text`, `GuardedStream`, installed for the whole CLI run by
  `guarded_streams`), so that no line rototo-ci did not mean as a command can
  start one. The runner reads a line up to CR or LF, trims leading white space
  (.NET `TrimStart`: every Unicode space) and then looks for `::` or `##[`;
* one-line messages (errors, logs, terminal text): `one_line`;
* markdown / HTML in the PR comment: `md_text`, `md_cell`, `md_code`, `md_block`,
  `neutralize_markers` / `strip_markers`;
* XML (JUnit, Cobertura): `xml_text`, `xml_attr`, `xml_chars`; SARIF: `sarif_uri`;
* LCOV tracefiles: `lcov_path`;
* `$GITHUB_OUTPUT`: `github_output_entry`;
* report files written by `--output`: `report_file_text`;
* shell lists built by the Action: `nul_list`, `nul_list_bytes`.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

# --- workflow commands ----------------------------------------------------------------------

# Line breaks other than CR/LF do not end a line for the runner, but some log viewers
# break on them; in a command they become spaces so no viewer sees a second line.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def command_data(text: str) -> str:
    """The message part of `::kind props::MESSAGE`."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _OTHER_BREAKS.sub(" ", _surrogates_to_replacement(text))


def command_property(text: str) -> str:
    """A property value of `::kind name=VALUE,…::`."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


# Where a line break may be: the runner splits on CR and LF; Python's `splitlines` (and
# some viewers) also on these. Treating all of them as line ends is the safe side.
_BREAK_CHARS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAKS = re.compile(f"[{_BREAK_CHARS}]")
_EXOTIC_BREAKS = re.compile(f"[{_BREAK_CHARS[2:]}]")
# What may precede a command on its line and still be trimmed or ignored by a reader:
# every Unicode space (Python's and .NET's sets), other C0 controls, and ANSI CSI/OSC
# sequences (colour codes a log viewer strips before showing the line).
_SKIP_CLASS = "[\\s\x00-\x08\x0e-\x1b\x7f\u200b\u2060\ufeff]"
_ANSI = f"\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b{_BREAK_CHARS}]*(?:\x07|\x1b\\\\)"
_SKIP = f"(?:{_ANSI}|(?!\x1b){_SKIP_CLASS}|\x1b(?=[^\\[\\]]))*"
_SKIP_RE = re.compile(_SKIP)
_COMMAND_START = re.compile(f"^({_SKIP})(?=::|##\\[)")
# the end of a line that may still become a command start once more text arrives
_AMBIGUOUS_TAIL = re.compile("(?::|#|##|\x1b|\x1b\\[[0-?]*[ -/]*|\x1b\\][^\x07\x1b]*\x1b?)")
BREAKER = "\u200c"  # zero-width non-joiner: not white space for any reader, invisible


def guard_line(line: str) -> str:
    """A line of plain output that can never be read as a workflow command."""
    return _COMMAND_START.sub(lambda m: m.group(1) + BREAKER, line, count=1)


# A character before a `::` that proves it is not at its line's start: neither a line
# break, nor skippable, nor able to end a colour code (`@`..`~`, BEL, backslash).
def _plain(char: str) -> bool:
    code = ord(char)
    return not (
        code <= 0x20 or 0x40 <= code <= 0x7F or char.isspace() or char in "\u200b\u2060\ufeff"
    )


def guard_text(text: str) -> str:
    """`guard_line` on every line of a block of plain output (any line ending)."""
    if "::" not in text and "##[" not in text:
        return text
    # Visit each `::` / `##[` (found at C speed); most are rejected by the character before
    # them; a line is judged once. Linear in the text, however many tokens it holds.
    breaks = "\n\r" if _EXOTIC_BREAKS.search(text) is None else _BREAK_CHARS
    cuts = []
    for token in ("::", "##["):
        previous = 0
        at = text.find(token)
        while at != -1:
            if at == 0 or not _plain(text[at - 1]):
                if previous and _BREAKS.search(text, previous, at) is None:
                    start = -1  # same line as a token already seen: not its start
                else:
                    start = max(text.rfind(c, previous, at) for c in breaks) + 1
                    if start == 0 and previous:
                        start = -1  # (cannot happen: a break was found above)
                if start != -1:
                    lead = _SKIP_RE.match(text, start)
                    if lead is not None and lead.end() == at:
                        cuts.append(at)
            previous = at
            at = text.find(token, at + len(token))
    if not cuts:
        return text
    cuts.sort()
    parts, last = [], 0
    for at in cuts:
        parts += [text[last:at], BREAKER]
        last = at
    parts.append(text[last:])
    return "".join(parts)


_WORKFLOW_COMMAND = re.compile(
    r"::(?:error|warning|notice|debug|group|endgroup)"
    r"(?: [A-Za-z]+=[^,:\r\n]*(?:,[A-Za-z]+=[^,:\r\n]*)*)?::[^\r\n]*"
)


def check_commands(text: str) -> list[str]:
    """The lines of `text`, each checked to be one well-formed annotation command."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        if not _WORKFLOW_COMMAND.fullmatch(line) or _BREAKS.search(line):
            raise ValueError(f"not a workflow command built by rototo-ci: {line[:80]!r}")
    return lines


def write_commands(stream: Any, text: str) -> None:
    """Write workflow commands rototo-ci means to issue (each line is checked)."""
    lines = check_commands(text)
    if not lines:
        return
    if isinstance(stream, GuardedStream):
        stream.write_commands(lines)
    else:
        stream.write("".join(line + "\n" for line in lines))


class _Guard:
    """Line state shared by a text stream and its binary `buffer`."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self.emit = emit
        self.at_start = True  # the current line has no non-skippable text yet
        self.held = ""  # a line start that may still become `::` / `##[`

    def write(self, text: str) -> None:
        if not text:
            return
        if self.at_start:
            if self.held:
                text, self.held = self.held + text, ""
        else:
            found = _BREAKS.search(text)
            if found is None:
                self.emit(text)
                return
            self.emit(text[: found.end()])
            text = text[found.end() :]
            self.at_start = True
        # `text` starts at a line start
        if text and text[-1] == "\n":
            body, tail = text, ""
        else:
            cut = max(text.rfind(c) for c in _BREAK_CHARS) + 1  # after the last line break
            body, tail = text[:cut], text[cut:]
        if body:
            self.emit(guard_text(body))
        if not tail:
            self.at_start = True
            return
        lead = _SKIP_RE.match(tail)
        skipped = lead.end() if lead else 0
        rest = tail[skipped:]
        if rest.startswith(("::", "##[")):
            self.emit(tail[:skipped] + BREAKER + rest)
            self.at_start = False
        elif not rest:
            self.emit(tail)
            self.at_start = True
        elif _AMBIGUOUS_TAIL.fullmatch(rest):
            self.emit(tail[:skipped])
            self.held = rest
            self.at_start = True
        else:
            self.emit(tail)
            self.at_start = False

    def write_commands(self, lines: list[str]) -> None:
        self.finish()
        if not self.at_start:
            self.emit("\n")
        self.emit("".join(line + "\n" for line in lines))
        self.at_start = True

    def finish(self) -> None:
        """Emit a held line start, broken, because nothing more may follow it."""
        if self.held:
            self.emit(BREAKER + self.held)
            self.held = ""
            self.at_start = False


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogates_to_replacement(text: str) -> str:
    """Lone surrogates (undecodable file-name bytes) cannot be encoded: show U+FFFD."""
    if text.isascii():
        return text
    try:  # UTF-8 refuses exactly the surrogates, and says so faster than a search
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


class _GuardedBuffer(io.RawIOBase):
    """The binary side of a `GuardedStream`: bytes pass the same line guard."""

    def __init__(self, owner: GuardedStream) -> None:
        self._owner = owner
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raw = bytes(data)
        self._owner._guard.write(self._decoder.decode(raw))
        return len(raw)

    def flush(self) -> None:
        self._owner.flush()


class GuardedStream(io.TextIOBase):
    """A text stream whose every line passes `guard_line`; commands go through
    `write_commands`. Undecodable characters never crash a write."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._guard = _Guard(self._emit_text)
        self._buffer: _GuardedBuffer | None = None

    def _emit_text(self, text: str) -> None:
        text = _surrogates_to_replacement(text)
        try:
            self.raw.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self.raw, "encoding", None) or "ascii"
            self.raw.write(text.encode(encoding, "backslashreplace").decode(encoding))

    def write(self, text: Any) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._guard.write(text)
        return len(text)

    def write_commands(self, lines: list[str]) -> None:
        self._guard.write_commands(lines)

    def flush(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.flush()

    def finish(self) -> None:
        self._guard.finish()
        self.flush()

    @property
    def buffer(self) -> Any:  # for code that writes bytes: guarded as well
        if self._buffer is None:
            self._buffer = _GuardedBuffer(self)
        return self._buffer

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(getattr(self.raw, "isatty", lambda: False)())

    def fileno(self) -> int:
        return int(self.raw.fileno())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.raw, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.raw, "errors", None)


@contextlib.contextmanager
def guarded_streams() -> Iterator[None]:
    """Guard sys.stdout and sys.stderr for the duration (the CLI's whole run)."""
    saved = sys.stdout, sys.stderr
    out = saved[0] if isinstance(saved[0], GuardedStream) else GuardedStream(saved[0])
    err = saved[1] if isinstance(saved[1], GuardedStream) else GuardedStream(saved[1])
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        for stream in (out, err):
            if stream is not saved[0] and stream is not saved[1]:
                stream.finish()
        sys.stdout, sys.stderr = saved


def _html_escape(text: str, quote: bool = True) -> str:
    """`html.escape` without importing the entity tables on the CLI's start path."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&#x27;") if quote else text


# --- one-line messages ----------------------------------------------------------------------

# controls, line and paragraph separators, and bidirectional overrides (text that would
# read differently from what it is)
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _show_invisible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _show_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return "\ufffd"


def one_line(text: str) -> str:
    """Untrusted text inside a one-line message: line breaks and controls made visible."""
    text = str(text)
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ")
    text = _INVISIBLE.sub(_show_invisible, text)
    return _LONE_SURROGATE.sub(_show_surrogate, text)


# --- markdown / HTML ------------------------------------------------------------------------

MARKER_PREFIX = "<!-- rototo-ci"
_MARKER_LIKE = re.compile(r"<!--(?=\s*rototo-ci)", re.IGNORECASE)
_MARKER_LINE = re.compile(r"[ \t]*<!--\s*rototo-ci[^\n]*?-->[ \t]*", re.IGNORECASE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
# a block construct can only start where the (one-line) text starts: a list item, a
# setext underline, an ordered-list number
_BLOCK_START = re.compile(r"^([ \t]*(?:\d+)?)(-|=|\.)")
_WJ = "\u2060"  # word joiner: `@<WJ>name` renders as @name and pings nobody
# `@name`, `@org/team`; `#123` and `GH-123` cross-reference other issues
_MENTION = re.compile(r"@(?=[A-Za-z0-9_-])")
_REFERENCE = re.compile(r"(#|(?i:gh)-)(?=\d)")
_AUTOLINK = re.compile(r":(?=//)")  # `https://…` never becomes a link (nor an embed)


def _inert_words(text: str) -> str:
    """No mention that pings, no issue cross-reference, no marker look-alike."""
    text = _MENTION.sub("@" + _WJ, text)
    text = _REFERENCE.sub(lambda m: m.group(1) + _WJ, text)
    return _MARKER_LIKE.sub("<!-" + _WJ + "-", text)


# Inside `<code>` and `<pre>` every markdown-active character is an entity: even where
# markdown is parsed (inline HTML content is), nothing in it forms a construct.
_BLOCK_ENTITY = {c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-=.!|~:"}
_CODE_ENTITY = {c: f"&#{ord(c)};" for c in "\\`*[]|"}


def md_text(text: str) -> str:
    """Untrusted text in running markdown: inert, one line, no HTML, no mention, no link."""
    text = one_line(text).lstrip(" ")  # (leading spaces could make an indented code block)
    text = _html_escape(text, quote=False)  # < > & : no raw HTML, no comment, no entity
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _BLOCK_START.sub(r"\1\\\2", text, count=1)
    text = _AUTOLINK.sub(lambda m: m.group() + _WJ, text)
    return _inert_words(text)


def md_cell(text: str) -> str:
    """Untrusted text in a table cell: `md_text` (its `|` is escaped as `\\|`)."""
    return md_text(text)


def md_code(text: str, *, cell: bool = True, limit: int | None = None) -> str:
    """Untrusted text as inline code, safe in running text and in a table cell alike.

    An HTML `<code>` element (its content is parsed as markdown) with HTML escaped and
    the characters that could open a construct as entities: no backtick can close it,
    no `|` can split a cell, no link, image or `*` emphasis can form inside it.
    (`cell` is accepted for symmetry; the result is the same.)
    """
    text = one_line(text)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    text = _html_escape(_inert_words(text), quote=True)
    return "<code>" + "".join(_CODE_ENTITY.get(c, c) for c in text) + "</code>"


def md_block(text: str) -> str:
    """Untrusted multi-line text shown verbatim in a `<pre>` block (put it on its own lines)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        line = _inert_words(one_line(line.replace("\t", "    ")))
        lines.append(
            "".join(_BLOCK_ENTITY.get(c, c) for c in line) or "&#32;"
        )  # no blank line ends the block
    return "<pre>" + "\n".join(lines) + "</pre>"


def neutralize_markers(body: str) -> str:
    """Every sticky-comment marker look-alike in `body` broken so no search finds it."""
    return _MARKER_LIKE.sub("<!-" + _WJ + "-", body)


def strip_markers(body: str, marker: str | None = None) -> str:
    """`body` without marker look-alikes: lines holding only one are dropped, others broken.

    `marker` is accepted for compatibility; every `<!-- rototo-ci…` form counts.
    """
    lines = [line for line in body.split("\n") if not _MARKER_LINE.fullmatch(line)]
    return neutralize_markers("\n".join(lines))


# --- XML and SARIF --------------------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(text: str) -> str:
    """Text XML 1.0 can hold (for a serializer that escapes markup itself, e.g. ElementTree)."""
    text = str(text)
    return _XML_INVALID.sub("\ufffd", text) if _XML_INVALID.search(text) else text


def xml_text(text: str) -> str:
    """Character data for XML 1.0: escaped, characters XML cannot hold replaced."""
    return _html_escape(xml_chars(text), quote=False)


def xml_attr(text: str) -> str:
    """An attribute value for XML 1.0 (double-quoted)."""
    text = _html_escape(xml_chars(text), quote=True)
    return text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


_LCOV_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")


def lcov_path(path: str) -> str:
    """A path for an LCOV `SF:` record: one line, so no name can start another record."""
    return _LCOV_BREAKS.sub("\ufffd", str(path))


def sarif_uri(path: str) -> str:
    """A relative path as a SARIF `uri`: percent-encoded, undecodable bytes kept."""
    from urllib.parse import quote

    return quote(path.encode("utf-8", "surrogateescape"), safe="/-._~")


# --- $GITHUB_OUTPUT and shell lists ---------------------------------------------------------

_OUTPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def github_output_entry(name: str, value: object) -> str:
    """One `$GITHUB_OUTPUT` entry; multi-line safe with a delimiter the value cannot hold."""
    if not _OUTPUT_NAME.match(name):
        raise ValueError(f"invalid output name: {name!r}")
    text = _surrogates_to_replacement(str(value))
    if "\n" not in text and "\r" not in text:
        return f"{name}={text}\n"
    import secrets

    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in text:
            return f"{name}<<{delimiter}\n{text}\n{delimiter}\n"


def report_file_text(text: str) -> str:
    """Text for a UTF-8 report file (`--output FORMAT=PATH`): what stdout shows, with a
    lone surrogate (an undecodable file-name byte) as U+FFFD instead of a failed write."""
    return _surrogates_to_replacement(text)


def nul_list_bytes(items: list[str]) -> bytes:
    """`nul_list` as the bytes a shell reads back: a name that is not UTF-8 (held as
    lone surrogates) gets its own bytes again, so the path still names its directory."""
    return nul_list(items).encode("utf-8", "surrogateescape")


def nul_list(items: list[str]) -> str:
    """A NUL-separated list for `xargs -0` / `read -d ''`; items cannot contain NUL."""
    for item in items:
        if "\x00" in item:
            raise ValueError("a list item contains NUL")
    return "".join(item + "\x00" for item in items)
