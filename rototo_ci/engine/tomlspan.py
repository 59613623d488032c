"""A TOML parser that keeps the source span of every key, value and table.

It reads the TOML the rototo engine reads: `parse_toml` first asks tomlsyntax for the
engine's verdict and error span (date-times refused; +0x1, inline-table line breaks and
\\xHH escapes accepted), then builds the tree. Values come out as plain JSON-compatible
Python data; spans are character offsets into the decoded text, placed where the
engine locates them, so any check can point at the exact token.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TomlError", "TNode", "TTable", "TArray", "TScalar", "parse_toml"]

MAX_NESTING = 1600  # as tomlsyntax.MAX_DEPTH: the rototo engine reads 1,500 levels
# Python frames per nesting level while parsing, projecting and validating deep values
_RECURSION_HEADROOM = 12 * MAX_NESTING
if sys.getrecursionlimit() < _RECURSION_HEADROOM:  # set once, when the engine loads
    sys.setrecursionlimit(_RECURSION_HEADROOM)


class TomlError(ValueError):
    """A TOML syntax or semantic error at a character offset."""

    def __init__(
        self, message: str, offset: int, end: int | None = None, located: bool = True
    ) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        # the span of the offending token; `located` is false for errors at end of input
        self.end = end if end is not None else offset + 1
        self.located = located


@dataclass(eq=False)
class TNode:
    start: int
    end: int

    def plain(self) -> Any:
        raise NotImplementedError


@dataclass(eq=False)
class TScalar(TNode):
    value: Any = None
    toml_type: str = "string"

    def plain(self) -> Any:
        return self.value


@dataclass(eq=False)
class TArray(TNode):
    items: list[TNode] = field(default_factory=list)
    of_tables: bool = False

    def plain(self) -> Any:
        return [item.plain() for item in self.items]


@dataclass(eq=False)
class TEntry:
    key_start: int
    key_end: int
    node: TNode


@dataclass(eq=False)
class TTable(TNode):
    entries: dict[str, TEntry] = field(default_factory=dict)
    # how the table came to be: "root", "header", "implicit", "dotted", "inline", "aot"
    origin: str = "implicit"
    header_start: int = -1
    header_end: int = -1

    def plain(self) -> Any:
        return {key: entry.node.plain() for key, entry in self.entries.items()}

    def get(self, key: str) -> TNode | None:
        entry = self.entries.get(key)
        return entry.node if entry else None


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WS = re.compile(r"[ \t]*")
_DEC_INT = re.compile(r"[+-]?(?:0|[1-9](?:_?[0-9])*)")
_FLOAT = re.compile(
    r"[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
)
_HEX = re.compile(r"0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*")
_OCT = re.compile(r"0o[0-7](?:_?[0-7])*")
_BIN = re.compile(r"0b[01](?:_?[01])*")
_SPECIAL_FLOAT = re.compile(r"[+-]?(?:inf|nan)")
_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:(?P<sep>[Tt ])(?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})?)?"
)
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(?:\.\d+)?")
_PLAIN_BASIC = re.compile(r'[^"\\\x00-\x08\x0a-\x1f\x7f]*')
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def _valid_date(text: str) -> bool:
    year, month, day = (int(part) for part in text.split("-"))
    if not 1 <= month <= 12 or day < 1:
        return False
    days = [
        31,
        29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return day <= days[month - 1]


def _valid_time(text: str) -> bool:
    hour, minute, second = text[:8].split(":")
    return int(hour) <= 23 and int(minute) <= 59 and int(second) <= 60


_PUNCTUATION = {
    "\n": "a newline",
    "\r": "a newline",
    " ": "whitespace",
    "\t": "whitespace",
    "#": "a comment",
    "=": "an equals",
    ".": "a period",
    ",": "a comma",
    ":": "a colon",
    "+": "a plus",
    "{": "a left brace",
    "}": "a right brace",
    "[": "a left bracket",
    "]": "a right bracket",
    '"': "a string",
    "'": "a string",
}


def _describe(text: str, at: int) -> str:
    ch = text[at]
    if ch in _PUNCTUATION:
        return _PUNCTUATION[ch]
    if ch.isalnum() or ch in "_-":
        return "an identifier"
    return "a character"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith("\ufeff") else 0  # a byte order mark is skipped
        self.n = len(text)
        self.root = TTable(0, len(text), origin="root")
        # tables defined by a [header] (cannot be defined twice)
        self.defined: set[int] = set()
        self._implicit: list[TTable] = []
        self._rehomed: set[int] = set()  # dotted-key tables a sub-table header extended

    # -- low level -------------------------------------------------------
    def error(self, message: str, offset: int | None = None) -> TomlError:
        at = self.pos if offset is None else offset
        if at >= self.n:
            return TomlError(message, at, located=False)
        return TomlError(message, at, self._token_end(at))

    def line_error(
        self, message: str, offset: int | None = None, blank_is_eof: bool = False
    ) -> TomlError:
        """An unexpected token: located from the token to the end of its line."""
        at = self.pos if offset is None else offset
        if at >= self.n or (blank_is_eof and not self.text[at:].strip()):
            return TomlError(message, at, located=False)
        # rototo's parser sizes this span by the description of the token it found
        # ("an identifier", "a string", …), cut at the end of the line
        newline = self.text.find("\n", at)
        line_end = self.n if newline < 0 else newline + 1
        return TomlError(message, at, min(line_end, at + len(_describe(self.text, at))))

    _TOKEN = re.compile(r"[A-Za-z0-9_+-]+")

    def _token_end(self, at: int) -> int:
        if self.text[at] == ".":
            return at + 1
        match = self._TOKEN.match(self.text, at)
        return match.end() if match else at + 1

    def peek(self, k: int = 0) -> str:
        p = self.pos + k
        return self.text[p] if p < self.n else ""

    def skip_ws(self) -> None:
        m = _WS.match(self.text, self.pos)
        if m:
            self.pos = m.end()

    def skip_comment(self) -> None:
        if self.peek() == "#":
            end = self.pos + 1
            while end < self.n and self.text[end] not in "\n":
                ch = self.text[end]
                if ch == "\r" and end + 1 < self.n and self.text[end + 1] == "\n":
                    break
                if ord(ch) < 0x20 and ch != "\t":  # DEL is allowed, as the rototo engine does
                    raise self.error("control character in comment", end)
                end += 1
            self.pos = end

    def expect_line_end(self) -> None:
        self.skip_ws()
        self.skip_comment()
        if self.pos >= self.n:
            return
        if self.text.startswith("\r\n", self.pos):
            self.pos += 2
        elif self.peek() == "\n":
            self.pos += 1
        else:
            raise self.line_error("expected a newline after the value")

    def skip_ws_comments_newlines(self) -> None:
        while self.pos < self.n:
            self.skip_ws()
            self.skip_comment()
            if self.text.startswith("\r\n", self.pos):
                self.pos += 2
            elif self.peek() == "\n":
                self.pos += 1
            else:
                return

    # -- document --------------------------------------------------------
    def parse(self) -> TTable:
        current = self.root
        current_end_holder: TTable = self.root
        implicit: list[TTable] = []
        while True:
            self.skip_ws_comments_newlines()
            if self.pos >= self.n:
                break
            ch = self.peek()
            if ch == "[":
                current, current_end_holder = self.parse_header()
                implicit = self._implicit
            else:
                entry_end = self.parse_keyval(current)
                current_end_holder.end = max(current_end_holder.end, entry_end)
                for table in implicit:
                    table.end = max(table.end, entry_end)
                self.expect_line_end()
        self.root.end = self.n
        self.root.start = 0
        return self.root

    def parse_header(self) -> tuple[TTable, TTable]:
        """(the table the header opens, the table whose span its entries extend)."""
        start = self.pos
        is_array = self.text.startswith("[[", self.pos)
        self.pos += 2 if is_array else 1
        self.skip_ws()
        keys = self.parse_key()
        self.skip_ws()
        closing = "]]" if is_array else "]"
        if not self.text.startswith(closing, self.pos):
            at = self.pos + 1 if is_array and self.peek() == "]" else self.pos
            raise self.line_error("expected a right bracket", at)
        self.pos += len(closing)
        header_end = self.pos
        self.expect_line_end()
        table_end = self.pos
        parent = self.root
        self._implicit = []
        for key, k_start, k_end in keys[:-1]:
            existed = key in parent.entries
            parent = self.descend(parent, key, k_start, k_end, creating="implicit")
            rehomed = parent.origin == "dotted" and id(parent) not in self._rehomed
            if (not existed and parent.origin == "implicit") or rehomed:
                # the first sub-table header gives the table its span (for a table made
                # by dotted keys too, as the rototo engine locates it)
                parent.start, parent.end = start, table_end
                self._implicit.append(parent)
                self._rehomed.add(id(parent))
        key, k_start, k_end = keys[-1]
        entry = parent.entries.get(key)
        if is_array:
            if entry is None:
                array = TArray(k_start, header_end, of_tables=True)
                parent.entries[key] = TEntry(k_start, k_end, array)
            else:
                array_node = entry.node
                if not isinstance(array_node, TArray) or not array_node.of_tables:
                    raise self.error(f"duplicate key: {key}", k_start)
                array = array_node
            table = TTable(
                start, table_end, origin="aot", header_start=start, header_end=header_end
            )
            array.items.append(table)
            array.end = table_end
            return table, table
        if entry is None:
            table = TTable(
                start, table_end, origin="header", header_start=start, header_end=header_end
            )
            parent.entries[key] = TEntry(k_start, k_end, table)
            self.defined.add(id(table))
            return table, table
        node = entry.node
        if isinstance(node, TTable) and node.origin == "implicit" and id(node) not in self.defined:
            # a table first created by a sub-table header (`[a.b]` before `[a]`) keeps the
            # span of that first header, as the rototo engine locates it
            node.origin = "header"
            node.header_start, node.header_end = start, header_end
            entry.key_start, entry.key_end = k_start, k_end
            self.defined.add(id(node))
            return node, TTable(start, table_end)
        raise self.line_error(f"redefinition of table: {key}", start)

    def descend(
        self,
        parent: TTable,
        key: str,
        k_start: int,
        k_end: int,
        creating: str,
        span: TNode | None = None,
    ) -> TTable:
        entry = parent.entries.get(key)
        if entry is None:
            start, end = (span.start, span.end) if span is not None else (k_start, k_end)
            table = TTable(start, end, origin=creating)
            parent.entries[key] = TEntry(k_start, k_end, table)
            return table
        node = entry.node
        if isinstance(node, TArray) and node.of_tables and creating == "implicit":
            last = node.items[-1]
            assert isinstance(last, TTable)
            return last
        if isinstance(node, TTable):
            if node.origin == "inline":
                raise self.error(f"cannot extend inline table: {key}", k_start)
            if creating == "dotted" and node.origin in ("header", "aot"):
                raise self.error(f"duplicate key: {key}", k_start)
            # a header may add sub-tables to a table made by dotted keys (`a.b = 1` then
            # `[a.c]`): valid TOML 1.0, and the rototo engine reads it
            return node
        raise self.error(f"duplicate key: {key}", k_start)

    # -- keys ------------------------------------------------------------
    def parse_key(self) -> list[tuple[str, int, int]]:
        parts: list[tuple[str, int, int]] = []
        while True:
            start = self.pos
            ch = self.peek()
            if ch == '"':
                if self.text.startswith('"""', self.pos):
                    raise self.error("multi-line strings are not valid keys")
                key = self.parse_basic_string()
            elif ch == "'":
                if self.text.startswith("'''", self.pos):
                    raise self.error("multi-line strings are not valid keys")
                key = self.parse_literal_string()
            else:
                m = _BARE_KEY.match(self.text, self.pos)
                if not m:
                    raise self.line_error("expected a key")
                key = m.group(0)
                self.pos = m.end()
            parts.append((key, start, self.pos))
            self.skip_ws()
            if self.peek() == ".":
                self.pos += 1
                self.skip_ws()
                continue
            return parts

    def parse_keyval(self, table: TTable, depth: int = 0, inline: bool = False) -> int:
        keys = self.parse_key()
        gap = self.skip_ws_comments_newlines if inline else self.skip_ws
        gap()
        if self.peek() != "=":
            raise self.line_error("expected an equals sign")
        self.pos += 1
        gap()
        node = self.parse_value(depth)
        target = table
        for key, k_start, k_end in keys[:-1]:
            # a table made by dotted keys spans the first value assigned through it, as
            # the rototo engine locates it
            target = self.descend(
                target, key, k_start, k_end, creating="dotted", span=self._raw_span(node)
            )
        key, k_start, k_end = keys[-1]
        if key in target.entries:
            raise self.error(f"duplicate key: {key}", k_start)
        target.entries[key] = TEntry(k_start, k_end, node)
        return self.pos  # the value's true end (an empty string's span is shorter)

    def _raw_span(self, node: TNode) -> TNode:
        """A value's span as the rototo engine's reader records it: a string without its
        quotes (and without the newline that may follow opening triple quotes)."""
        if not (isinstance(node, TScalar) and node.toml_type == "string"):
            return node
        text, start, end = self.text, node.start, node.end
        if end - start <= 1:  # "" and '' are already located on their first quote
            return node
        if text.startswith(('"""', "'''"), start) and end - start >= 6:
            skip = 3
            if text.startswith("\r\n", start + 3):
                skip = 5
            elif text.startswith("\n", start + 3):
                skip = 4
            return TNode(start + skip, end - 3)
        return TNode(start + 1, end - 1)

    # -- values ----------------------------------------------------------
    def parse_value(self, depth: int) -> TNode:
        if depth > MAX_NESTING:
            raise self.error("value is nested too deeply")
        start = self.pos
        ch = self.peek()
        if ch == '"':
            if self.text.startswith('"""', self.pos):
                value = self.parse_ml_basic_string()
            else:
                value = self.parse_basic_string()
                if self.pos - start == 2:  # "" is located on its first quote, as rototo does
                    return TScalar(start, start + 1, value, "string")
            return TScalar(start, self.pos, value, "string")
        if ch == "'":
            if self.text.startswith("'''", self.pos):
                value = self.parse_ml_literal_string()
            else:
                value = self.parse_literal_string()
                if self.pos - start == 2:  # '' is located on its first quote, as "" is
                    return TScalar(start, start + 1, value, "string")
            return TScalar(start, self.pos, value, "string")
        if ch == "[":
            return self.parse_array(depth)
        if ch == "{":
            return self.parse_inline_table(depth)
        if self.text.startswith("true", self.pos) and not self._word_continues(4):
            self.pos += 4
            return TScalar(start, self.pos, True, "boolean")
        if self.text.startswith("false", self.pos) and not self._word_continues(5):
            self.pos += 5
            return TScalar(start, self.pos, False, "boolean")
        return self.parse_number_or_date(start)

    def _word_continues(self, length: int) -> bool:
        nxt = self.peek(length)
        return bool(nxt) and (nxt.isalnum() or nxt in "_-")

    def parse_number_or_date(self, start: int) -> TNode:
        text = self.text
        m = _DATETIME.match(text, start)
        if m and (m.group("time") or not self._digit_follows(m.end())):
            date, time_part = m.group("date"), m.group("time")
            if not _valid_date(date) or (time_part and not _valid_time(time_part)):
                raise self.error("invalid number", start)
            self.pos = m.end()
            kind = "datetime" if time_part else "date"
            return TScalar(start, self.pos, text[start : self.pos], kind)
        m = _TIME.match(text, start)
        if m and not self._digit_follows(m.end()):
            if not _valid_time(m.group(0)):
                raise self.error("invalid time", start)
            self.pos = m.end()
            return TScalar(start, self.pos, m.group(0), "time")
        # `+0x1`: a signed hex/octal/binary integer is read by the rototo engine
        signed = 1 if text.startswith("+", start) else 0
        for pattern, base in ((_HEX, 16), (_OCT, 8), (_BIN, 2)):
            m = pattern.match(text, start + signed)
            if m:
                self.pos = m.end()
                self._check_value_end(start)
                value = int(m.group(0)[2:].replace("_", ""), base)
                if value > _INT_MAX:
                    raise self.error("invalid number", start)
                return TScalar(start, self.pos, value, "integer")
        m = _SPECIAL_FLOAT.match(text, start)
        if m:
            self.pos = m.end()
            self._check_value_end(start)
            word = m.group(0)
            special = math.nan if "nan" in word else float(word)
            return TScalar(start, self.pos, special, "float")
        m = _FLOAT.match(text, start)
        if m and m.end() > start:
            literal = m.group(0)
            self.pos = m.end()
            self._check_value_end(start)
            clean = literal.replace("_", "")
            if "." in clean or "e" in clean or "E" in clean:
                return TScalar(start, self.pos, float(clean), "float")
            if not _DEC_INT.fullmatch(literal):
                digits = start + (1 if literal[0] in "+-" else 0)
                raise TomlError("invalid number", digits + 1, digits + 2)
            # past 20 digits it cannot be a 64-bit integer; never convert a huge one
            value = int(clean) if len(clean) <= 21 else _INT_MAX + 1
            if not _INT_MIN <= value <= _INT_MAX:
                raise self.error("invalid number", start)
            return TScalar(start, self.pos, value, "integer")
        raise self.error("expected a value", start)

    def _digit_follows(self, pos: int) -> bool:
        return pos < self.n and (self.text[pos].isdigit() or self.text[pos] in ":-_.")

    def _check_value_end(self, start: int) -> None:
        ch = self.peek()
        digits = start + (1 if self.text[start] in "+-" else 0)
        if self.text[digits] == "0" and ch.isdigit():
            raise TomlError("invalid number: leading zero", digits + 1, digits + 2)
        if ch and (ch.isalnum() or ch in "._+"):
            raise self.error("invalid number", start)

    def parse_array(self, depth: int) -> TArray:
        start = self.pos
        self.pos += 1
        items: list[TNode] = []
        while True:
            self.skip_ws_comments_newlines()
            if self.peek() == "]":
                self.pos += 1
                return TArray(start, self.pos, items)
            if self.pos >= self.n:
                raise self.error("unterminated array")
            items.append(self.parse_value(depth + 1))
            self.skip_ws_comments_newlines()
            if self.peek() == ",":
                self.pos += 1
                continue
            if self.peek() == "]":
                self.pos += 1
                return TArray(start, self.pos, items)
            raise self.line_error("expected a comma or a right bracket", blank_is_eof=True)

    def parse_inline_table(self, depth: int) -> TTable:
        start = self.pos
        self.pos += 1
        table = TTable(start, start, origin="inline")
        # line breaks and comments inside are accepted by the rototo engine (TOML 1.1)
        self.skip_ws_comments_newlines()
        if self.peek() == "}":
            self.pos += 1
            table.end = self.pos
            return table
        while True:
            self.skip_ws_comments_newlines()
            self.parse_keyval(table, depth + 1, inline=True)
            self.skip_ws_comments_newlines()
            ch = self.peek()
            if ch == ",":
                self.pos += 1
                self.skip_ws_comments_newlines()
                if self.peek() == "}":  # accepted, as the rototo engine's parser does
                    self.pos += 1
                    table.end = self.pos
                    self._seal_inline(table)
                    return table
                continue
            if ch == "}":
                self.pos += 1
                table.end = self.pos
                self._seal_inline(table)
                return table
            raise self.line_error("expected a comma or a right brace", blank_is_eof=True)

    def _seal_inline(self, table: TTable) -> None:
        # dotted keys inside an inline table build tables that are part of it
        for entry in table.entries.values():
            if isinstance(entry.node, TTable) and entry.node.origin == "dotted":
                entry.node.origin = "inline"
                self._seal_inline(entry.node)

    # -- strings ---------------------------------------------------------
    def _check_char(self, ch: str, offset: int, allow_newline: bool = False) -> None:
        code = ord(ch)
        if ch == "\t" or (allow_newline and ch in "\n"):
            return
        if code < 0x20 or code == 0x7F:
            raise self.error("control character in string", offset)

    def _escape(self) -> str:
        # self.pos is at the backslash
        esc = self.peek(1)
        if esc in _ESCAPES:
            self.pos += 2
            return _ESCAPES[esc]
        if esc == "e":  # accepted by the rototo engine (TOML 1.1)
            self.pos += 2
            return "\x1b"
        if esc in ("u", "U", "x"):  # \xHH is accepted by the rototo engine (TOML 1.1)
            length = {"u": 4, "U": 8, "x": 2}[esc]
            digits = self.text[self.pos + 2 : self.pos + 2 + length]
            if len(digits) != length or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.error("invalid unicode escape")
            code = int(digits, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.error("invalid unicode scalar value")
            self.pos += 2 + length
            return chr(code)
        raise self.error("invalid escape character in string", self.pos + 1)

    def parse_basic_string(self) -> str:
        self.pos += 1
        out: list[str] = []
        text = self.text
        while True:
            if self.pos >= self.n:
                raise self.error("unterminated string")
            plain = _PLAIN_BASIC.match(text, self.pos)
            if plain is not None and plain.end() > self.pos:  # ordinary characters in one step
                out.append(plain.group(0))
                self.pos = plain.end()
                continue
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                out.append(self._escape())
                continue
            if ch == "\n":
                raise self.error("newline in basic string")
            self._check_char(ch, self.pos)
            out.append(ch)
            self.pos += 1

    def parse_literal_string(self) -> str:
        self.pos += 1
        end = self.text.find("'", self.pos)
        newline = self.text.find("\n", self.pos)
        if 0 <= newline and (end < 0 or newline < end):
            raise TomlError("invalid character in string: newline", newline, newline + 1)
        if end < 0:
            raise self.error("unterminated literal string", self.pos - 1)
        value = self.text[self.pos : end]
        for i, ch in enumerate(value):
            self._check_char(ch, self.pos + i)
        self.pos = end + 1
        return value

    def _skip_first_newline(self) -> None:
        if self.text.startswith("\r\n", self.pos):
            self.pos += 2
        elif self.peek() == "\n":
            self.pos += 1

    def parse_ml_basic_string(self) -> str:
        opening = self.pos
        self.pos += 3
        self._skip_first_newline()
        out: list[str] = []
        text = self.text
        while True:
            if self.pos >= self.n:
                raise TomlError("unterminated string", opening, opening + 1)
            if text.startswith('"""', self.pos):
                # up to two extra quotes belong to the content
                extra = 0
                while extra < 2 and text.startswith('"', self.pos + 3 + extra):
                    extra += 1
                out.append('"' * extra)
                self.pos += 3 + extra
                return "".join(out)
            ch = text[self.pos]
            if ch == "\\":
                # line ending backslash
                probe = self.pos + 1
                while probe < self.n and text[probe] in " \t":
                    probe += 1
                if probe < self.n and (text[probe] == "\n" or text.startswith("\r\n", probe)):
                    self.pos = probe
                    while self.pos < self.n and text[self.pos] in " \t\r\n":
                        if text[self.pos] == "\r" and not text.startswith("\r\n", self.pos):
                            raise self.error("control character in string")
                        self.pos += 1
                    continue
                out.append(self._escape())
                continue
            if ch == "\r" and text.startswith("\r\n", self.pos):
                out.append("\r\n")
                self.pos += 2
                continue
            self._check_char(ch, self.pos, allow_newline=True)
            out.append(ch)
            self.pos += 1

    def parse_ml_literal_string(self) -> str:
        self.pos += 3
        self._skip_first_newline()
        end = self.text.find("'''", self.pos)
        if end < 0:
            raise self.error("unterminated multi-line literal string")
        extra = 0
        while extra < 2 and self.text.startswith("'", end + 3 + extra):
            extra += 1
        value = self.text[self.pos : end + extra]
        for i, ch in enumerate(value):
            if ch == "\r" and value.startswith("\r\n", i):
                continue
            self._check_char(ch, self.pos + i, allow_newline=True)
        self.pos = end + 3 + extra
        return value


def parse_toml(text: str) -> TTable:
    """Parse TOML text into a spanned tree; raise TomlError with an offset.

    The verdict and the error span are the rototo engine's (see tomlsyntax); the tree
    is built only for text that engine reads.
    """
    from .tomlsyntax import check

    problem = check(text)
    if problem is not None:
        raise TomlError(problem.message, problem.start, problem.end, located=problem.located)
    return _Parser(text).parse()
