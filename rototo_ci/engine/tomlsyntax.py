"""The TOML grammar the rototo engine accepts, with the error span it reports.

The reference engine parses workspace TOML with the `toml-span` reader, which departs
from TOML 1.0 in both directions: it rejects every date and time value ("invalid
number"), and it accepts signed hex/octal/binary integers (`+0x1`), line breaks, comments
and a trailing comma inside inline tables, `\\e` and `\\xHH` escapes, and a DEL character
in comments. Its errors are located by byte spans that rototo clips to the first line.

`check(text)` answers "would the reference refuse this document, and where": it walks
the text as that reader does (a tokenizer, a line parser, then the assembly of tables
that finds duplicate keys and tables) and returns a `SyntaxProblem` or None. The spanned
tree itself is built by `tomlspan`; this module only decides the verdict.

Offsets are bytes of the UTF-8 text while walking (the text is viewed as Latin-1 over
its UTF-8 bytes, so one character is one byte), and characters in the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SyntaxProblem", "check"]

# the reference reads values and dotted keys nested 1,500 deep and crashes (stack
# overflow) before 2,000; deeper documents are refused here instead
MAX_DEPTH = 1600
_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_KEYLIKE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_HEX = frozenset("0123456789abcdefABCDEF")
_KEYLIKE_RUN = re.compile(r"[A-Za-z0-9_-]*")
_BLANK_RUN = re.compile(r"[ \t]*")
_COMMENT_RUN = re.compile(r"[^\x00-\x08\x0a-\x1f]*")  # tab and DEL are allowed
_PLAIN_RUNS = {
    '"': re.compile(r'[^"\\\x00-\x08\x0a-\x1f\x7f]+'),
    "'": re.compile(r"[^'\x00-\x08\x0a-\x1f\x7f]+"),
}
_SINGLE = {
    "=": "=",
    ".": ".",
    ",": ",",
    ":": ":",
    "+": "+",
    "{": "{",
    "}": "}",
    "[": "[",
    "]": "]",
}
_DESCRIBE = {
    "key": "an identifier",
    "=": "an equals",
    ".": "a period",
    "comment": "a comment",
    "nl": "a newline",
    "ws": "whitespace",
    ",": "a comma",
    "}": "a right brace",
    "{": "a left brace",
    "]": "a right bracket",
    "[": "a left bracket",
    ":": "a colon",
    "+": "a plus",
}
_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPES["e"] = "\x1b"


@dataclass(frozen=True)
class SyntaxProblem:
    """A refusal: message, and the character span rototo reports (None: no range)."""

    message: str
    start: int
    end: int
    located: bool


class _Refusal(Exception):
    def __init__(self, message: str, start: int, end: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = start + 1 if end is None else end


@dataclass
class _Token:
    kind: str  # "ws" "nl" "comment" "key" "str" or a punctuation character
    start: int
    end: int
    text: str = ""  # keylike text, or a string's decoded value (Latin-1 view)
    multiline: bool = False
    src_start: int = 0

    def describe(self) -> str:
        if self.kind == "str":
            return "a multiline string" if self.multiline else "a string"
        return _DESCRIBE[self.kind]


def _shown(ch: str) -> str:
    return ch.encode("latin-1").decode("utf-8", errors="replace") if ord(ch) >= 0x80 else ch


class _Tokenizer:
    def __init__(self, data: str, pos: int | None = None) -> None:
        self.data = data
        self.n = len(data)
        if pos is None:  # a new document: a UTF-8 byte order mark is skipped
            pos = 3 if data.startswith("\xef\xbb\xbf") else 0
        self.pos = pos
        # (position, token, position after it) of the last peek, so a peek followed by
        # a step at the same place tokenizes once
        self._peeked: tuple[int, _Token | None, int] | None = None

    # characters, with CR LF folded into one newline at the CR
    def peek_char(self) -> tuple[int, str] | None:
        if self.pos >= self.n:
            return None
        ch = self.data[self.pos]
        if ch == "\r" and self.pos + 1 < self.n and self.data[self.pos + 1] == "\n":
            return self.pos, "\n"
        return self.pos, ch

    def one(self) -> tuple[int, str] | None:
        got = self.peek_char()
        if got is not None:
            self.pos += 2 if self.data[got[0]] == "\r" and got[1] == "\n" else 1
        return got

    def eatc(self, ch: str) -> bool:
        got = self.peek_char()
        if got is not None and got[1] == ch:
            self.one()
            return True
        return False

    def current(self) -> int:
        return self.pos  # never past the end

    # tokens
    def step(self) -> _Token | None:
        data, start = self.data, self.pos
        if start >= self.n:
            return None
        ch = data[start]
        if ch == "\r" and data.startswith("\n", start + 1):
            self.pos = start + 2
            return _Token("nl", start, start + 2)
        self.pos = start + 1
        if ch == "\n":
            return _Token("nl", start, start + 1)
        if ch in _KEYLIKE:
            self.pos = _KEYLIKE_RUN.match(data, self.pos).end()  # type: ignore[union-attr]
            return _Token("key", start, self.pos, data[start : self.pos])
        if ch in _SINGLE:
            return _Token(ch, start, start + 1)
        if ch in " \t":
            self.pos = _BLANK_RUN.match(data, self.pos).end()  # type: ignore[union-attr]
            return _Token("ws", start, self.pos)
        if ch == "#":
            self._comment_body()
            return _Token("comment", start, self.pos)
        if ch == "'" or ch == '"':
            return self._string(ch, start)
        raise _Refusal(f"unexpected character found: `{_shown(ch)}`", start)

    def peek(self) -> _Token | None:
        saved = self.pos
        if self._peeked is not None and self._peeked[0] == saved:
            return self._peeked[1]
        try:
            token = self.step()
            self._peeked = (saved, token, self.pos)
            return token
        finally:
            self.pos = saved

    def _take_peeked(self) -> bool:
        """Step over a token already read by peek() at this position."""
        if self._peeked is not None and self._peeked[0] == self.pos:
            self.pos = self._peeked[2]
            return True
        return False

    def eat(self, kind: str) -> _Token | None:
        token = self.peek()
        if token is None or token.kind != kind:
            return None
        self._take_peeked()
        return token

    def expect(self, kind: str, describe: str) -> _Token:
        at = self.current()
        token = self.step()
        if token is None:
            raise _Refusal(f"expected {describe}, found eof", self.n, self.n + 3)
        if token.kind != kind:
            found = token.describe()
            raise _Refusal(f"expected {describe}, found {found}", at, at + len(found))
        return token

    def table_key(self) -> tuple[str, int, int]:
        at = self.current()
        token = self.step()
        if token is None:
            raise _Refusal("expected a table key, found eof", self.n, self.n + 3)
        if token.kind == "key":
            return token.text, token.start, token.end
        if token.kind == "str":
            if token.multiline:
                raise _Refusal(
                    "multiline strings are not allowed for key",
                    token.src_start,
                    token.src_start + len(token.text),
                )
            return token.text, token.start, token.end
        found = token.describe()
        raise _Refusal(f"expected a table key, found {found}", at, at + len(found))

    def eat_whitespace(self) -> None:
        self.pos = _BLANK_RUN.match(self.data, self.pos).end()  # type: ignore[union-attr]

    def _comment_body(self) -> None:
        self.pos = _COMMENT_RUN.match(self.data, self.pos).end()  # type: ignore[union-attr]

    def eat_comment(self) -> bool:
        if not self.eatc("#"):
            return False
        self._comment_body()
        self.eat_newline_or_eof()
        return True

    def eat_newline_or_eof(self) -> None:
        at = self.current()
        token = self.step()
        if token is not None and token.kind != "nl":
            found = token.describe()
            raise _Refusal(f"expected newline, found {found}", at, at + len(found))

    def skip_to_newline(self) -> None:
        while True:
            got = self.one()
            if got is None or got[1] == "\n":
                return

    # strings
    def _string(self, delim: str, start: int) -> _Token:
        multiline = False
        if self.eatc(delim):
            if not self.eatc(delim):
                return _Token("str", start, start + 1, "", False, start)
            multiline = True
        out: list[str] = []
        first = True
        plain = _PLAIN_RUNS[delim]
        while True:
            run = plain.match(self.data, self.pos)
            if run is not None:  # ordinary characters in one step
                out.append(run.group())
                self.pos = run.end()
                first = False
            got = self.one()
            if got is None:
                raise _Refusal("unterminated string", start)
            i, ch = got
            if ch == "\n":
                if not multiline:
                    raise _Refusal("invalid character in string: `\\n`", i)
                if not first:
                    out.append("\n")
            elif ch == delim:
                if multiline:
                    if not self.eatc(delim):
                        out.append(delim)
                        first = False
                        continue
                    if not self.eatc(delim):
                        out.append(delim * 2)
                        first = False
                        continue
                    for _ in range(2):
                        if self.eatc(delim):
                            out.append(delim)
                    skip = {"\n": 4, "\r": 5}.get(self.data[start + 3], 3)
                    span = (start + skip, self.current() - 3)
                else:
                    span = (start + 1, self.current() - 1)
                return _Token("str", span[0], span[1], "".join(out), multiline, start)
            elif ch == "\\" and delim == '"':
                self._escape(out, multiline, start)
            elif ch == "\t" or (ch >= " " and ch != "\x7f"):
                out.append(ch)
            else:
                raise _Refusal(f"invalid character in string: `{_shown(ch)}`", i)
            first = False

    def _escape(self, out: list[str], multiline: bool, start: int) -> None:
        got = self.one()
        if got is None:
            raise _Refusal("unterminated string", start)
        i, esc = got
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
        elif esc in "uUx":
            digits = {"u": 4, "U": 8, "x": 2}[esc]
            buf = []
            for _ in range(digits):
                got = self.one()
                if got is None:
                    raise _Refusal("unterminated string", start)
                at, ch = got
                if ch not in _HEX:
                    raise _Refusal(f"invalid hex escape character in string: `{_shown(ch)}`", at)
                buf.append(ch)
            value = int("".join(buf), 16)
            if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise _Refusal(f"invalid escape value: `{value}`", i, i + digits)
            out.append(chr(value).encode("utf-8").decode("latin-1"))
        elif multiline and esc in " \t\n":
            if esc != "\n":
                while True:
                    nxt = self.peek_char()
                    if nxt is None:
                        break
                    if nxt[1] in " \t":
                        self.one()
                    elif nxt[1] == "\n":
                        self.one()
                        break
                    else:
                        raise _Refusal(f"invalid escape character in string: `{esc}`", i)
            while True:
                nxt = self.peek_char()
                if nxt is None or nxt[1] not in " \t\n":
                    break
                self.one()
        else:
            raise _Refusal(f"invalid escape character in string: `{_shown(esc)}`", i)


# -- values and lines -------------------------------------------------------


@dataclass
class _Val:
    kind: str  # "scalar" "array" "inline" "dotted"
    start: int
    end: int
    items: list[_Val] = field(default_factory=list)
    pairs: list[tuple[tuple[str, int, int], _Val]] = field(default_factory=list)


@dataclass
class _RawTable:
    at: int
    end: int
    header: list[tuple[str, int, int]]
    pairs: list[tuple[tuple[str, int, int], _Val]] | None
    array: bool


class _Reader:
    def __init__(self, data: str) -> None:
        self.data = data
        self.tokens = _Tokenizer(data)

    def tables(self) -> list[_RawTable]:
        tables: list[_RawTable] = []
        current = _RawTable(0, 0, [], None, False)
        while True:
            line = self.line()
            if line is None:
                break
            if isinstance(line, _RawTable):
                if current.header or current.pairs is not None:
                    tables.append(current)
                current = line
            else:
                keys, value = line
                if current.pairs is None:
                    current.pairs = []
                self.add_dotted(keys, value, current.pairs)
        if current.header or current.pairs is not None:
            tables.append(current)
        return tables

    def line(self) -> _RawTable | tuple[list[tuple[str, int, int]], _Val] | None:
        tokens = self.tokens
        while True:
            tokens.eat_whitespace()
            if tokens.eat_comment():
                continue
            if tokens.eat("nl"):
                continue
            break
        token = tokens.peek()
        if token is None:
            return None
        if token.kind == "[":
            return self.header()
        return self.key_value()

    def header(self) -> _RawTable:
        tokens = self.tokens
        at = tokens.current()
        tokens.expect("[", "a left bracket")
        array = tokens.eat("[") is not None
        reader = _Tokenizer(self.data, tokens.pos)
        tokens.skip_to_newline()
        keys: list[tuple[str, int, int]] = []
        first = True
        while True:
            reader.eat_whitespace()
            if first or reader.eat("."):
                first = False
                reader.eat_whitespace()
                keys.append(reader.table_key())
                continue
            reader.expect("]", "a right bracket")
            if array:
                reader.expect("]", "a right bracket")
            reader.eat_whitespace()
            if not reader.eat_comment():
                reader.eat_newline_or_eof()
            break
        return _RawTable(at, reader.current(), keys, [], array)

    def key_value(self) -> tuple[list[tuple[str, int, int]], _Val]:
        tokens = self.tokens
        keys = self.dotted_key()
        tokens.eat_whitespace()
        tokens.expect("=", "an equals")
        tokens.eat_whitespace()
        value = self.value(0)
        tokens.eat_whitespace()
        if not tokens.eat_comment():
            tokens.eat_newline_or_eof()
        return keys, value

    def dotted_key(self) -> list[tuple[str, int, int]]:
        tokens = self.tokens
        keys = [tokens.table_key()]
        tokens.eat_whitespace()
        while tokens.eat("."):
            tokens.eat_whitespace()
            keys.append(tokens.table_key())
            tokens.eat_whitespace()
        return keys

    def value(self, depth: int) -> _Val:
        tokens = self.tokens
        at = tokens.current()
        if depth > MAX_DEPTH:
            raise _Refusal("value is nested too deeply", at)
        token = tokens.step()
        if token is None:
            raise _Refusal("unexpected eof encountered", len(self.data))
        if token.kind == "str":
            return _Val("scalar", token.start, token.end)
        if token.kind == "key":
            if token.text in ("true", "false"):
                return _Val("scalar", token.start, token.end)
            if token.text in ("inf", "nan") or token.text[0] in "-0123456789":
                return self.number(token.start, token.end, token.text, token.start)
            raise _Refusal(
                "invalid TOML value, did you mean to use a quoted string?", at, token.end
            )
        if token.kind == "+":
            after = tokens.current()
            nxt = tokens.step()
            if nxt is not None and nxt.kind == "key":
                return self.number(token.start, nxt.end, nxt.text, nxt.start)
            raise _Refusal("invalid number", after, token.end)
        if token.kind == "{":
            return self.inline_table(token.start, depth)
        if token.kind == "[":
            return self.array(token.start, depth)
        found = token.describe()
        raise _Refusal(f"expected a value, found {found}", at, token.end)

    def number(self, start: int, end: int, text: str, text_at: int) -> _Val:
        tokens = self.tokens
        for prefix, radix in (("0x", 16), ("0o", 8), ("0b", 2)):
            if text.startswith(prefix):
                self.integer(text[2:], text_at + 2, radix)
                return _Val("scalar", start, end)
        if "e" in text or "E" in text:
            self.float(text, text_at, None)
            return _Val("scalar", start, tokens.current())
        if tokens.eat("."):
            at = tokens.current()
            nxt = tokens.step()
            if nxt is not None and nxt.kind == "key":
                self.float(text, text_at, (nxt.text, nxt.start))
                return _Val("scalar", start, tokens.current())
            raise _Refusal("invalid number", at, end)
        if text in ("inf", "-inf", "nan", "-nan"):
            return _Val("scalar", start, end)
        self.integer(text, text_at, 10)
        return _Val("scalar", start, end)

    def integer(self, text: str, at: int, radix: int) -> int:
        prefix, suffix = self.split_integer(text, at, radix == 10, radix != 10, radix)
        if suffix:
            raise _Refusal("invalid number", at, at + len(text))
        digits = prefix.replace("_", "").lstrip("+")
        if len(digits.lstrip("-0")) > 64:  # beyond any 64-bit integer; never convert it
            raise _Refusal("invalid number", at, at + len(text))
        try:
            value = int(digits, radix)
        except ValueError:
            raise _Refusal("invalid number", at, at + len(text)) from None
        if not _I64_MIN <= value <= _I64_MAX:
            raise _Refusal("invalid number", at, at + len(text))
        return value

    def split_integer(
        self, text: str, at: int, allow_sign: bool, allow_leading_zeros: bool, radix: int
    ) -> tuple[str, str]:
        digits = "0123456789abcdefABCDEF"[: radix if radix <= 10 else 10 + 2 * (radix - 10)]
        first, first_zero, underscore = True, False, False
        end = len(text)
        stop = at + len(text)
        for i, ch in enumerate(text):
            if i == 0 and ch in "+-" and allow_sign:
                continue
            if ch == "0" and first:
                first_zero = True
            elif ch in digits:
                if not first and first_zero and not allow_leading_zeros:
                    raise _Refusal("invalid number", at + i, stop)
                underscore = False
            elif ch == "_" and first:
                raise _Refusal("invalid number", at + i, stop)
            elif ch == "_" and not underscore:
                underscore = True
            else:
                end = i
                break
            first = False
        if first or underscore:
            raise _Refusal("invalid number", at, stop)
        return text[:end], text[end:]

    def float(self, text: str, at: int, fraction_token: tuple[str, int] | None) -> None:
        integral, suffix = self.split_integer(text, at, True, False, 10)
        stop = at + len(text)
        number = integral.lstrip("+").replace("_", "")
        if fraction_token is not None:
            if suffix:
                raise _Refusal("invalid number", at, stop)
            after, after_at = fraction_token
            fraction, suffix = self.split_integer(after, after_at, False, True, 10)
            number += "." + fraction.replace("_", "")
            suffix_at = after_at + len(fraction)
        else:
            suffix_at = at + len(integral)
        if suffix[:1] in ("e", "E"):
            if len(suffix) == 1:
                self.tokens.eat("+")
                nxt = self.tokens.step()
                if nxt is None or nxt.kind != "key":
                    raise _Refusal("invalid number", at, stop)
                exponent, rest = self.split_integer(nxt.text, nxt.start, False, True, 10)
            else:
                exponent, rest = self.split_integer(suffix[1:], suffix_at + 1, True, True, 10)
            if rest:
                raise _Refusal("invalid number", at, stop)
            number += "E" + exponent.replace("_", "")
        elif suffix:
            raise _Refusal("invalid number", at, stop)
        try:
            value = float(number)
        except ValueError:
            raise _Refusal("invalid number", at, stop) from None
        if value in (float("inf"), float("-inf")):
            raise _Refusal("invalid number", at, stop)

    def _between(self) -> None:
        tokens = self.tokens
        while True:
            tokens.eat_whitespace()
            if not tokens.eat("nl") and not tokens.eat_comment():
                return

    def inline_table(self, start: int, depth: int) -> _Val:
        tokens = self.tokens
        table = _Val("inline", start, start)
        self._between()
        closing = tokens.eat("}")
        while closing is None:
            keys = self.dotted_key()
            self._between()
            tokens.expect("=", "an equals")
            self._between()
            value = self.value(depth + 1)
            self.add_dotted(keys, value, table.pairs)
            self._between()
            closing = tokens.eat("}")
            if closing is not None:
                break
            tokens.expect(",", "a comma")
            self._between()
            closing = tokens.eat("}")
        table.end = closing.end
        return table

    def array(self, start: int, depth: int) -> _Val:
        tokens = self.tokens
        array = _Val("array", start, start)
        while True:
            self._between()
            closing = tokens.eat("]")
            if closing is not None:
                array.end = closing.end
                return array
            array.items.append(self.value(depth + 1))
            self._between()
            if not tokens.eat(","):
                break
        self._between()
        array.end = tokens.expect("]", "a right bracket").end
        return array

    def add_dotted(
        self,
        keys: list[tuple[str, int, int]],
        value: _Val,
        pairs: list[tuple[tuple[str, int, int], _Val]],
    ) -> None:
        if len(keys) > MAX_DEPTH:
            raise _Refusal("dotted key has too many parts", keys[MAX_DEPTH][1])
        for depth, key in enumerate(keys):
            if depth == len(keys) - 1:
                pairs.append((key, value))
                return
            found = next((v for k, v in pairs if k[0] == key[0]), None)
            if found is None:
                found = _Val("dotted", value.start, value.end)
                pairs.append((key, found))
            elif found.kind != "dotted":
                raise _Refusal("dotted key attempted to extend non-table type", key[1], value.end)
            pairs = found.pairs


# -- assembly: duplicate keys and tables ------------------------------------


class _Assembler:
    def __init__(self, tables: list[_RawTable]) -> None:
        self.tables = tables
        self.exact: dict[tuple[str, ...], list[int]] = {}
        self.under: dict[tuple[str, ...], list[int]] = {}
        for index, table in enumerate(tables):
            names = tuple(key[0] for key in table.header)
            self.exact.setdefault(names, []).append(index)
            for length in range(len(names)):
                self.under.setdefault(names[:length], []).append(index)

    @staticmethod
    def _within(indices: list[int], lo: int, hi: int) -> list[int]:
        return [i for i in indices if lo <= i < hi]

    def entry(
        self, table_idx: int, depth: int, lo: int, hi: int, extra: list[Any], level: int
    ) -> None:
        if level > MAX_DEPTH:
            raise _Refusal("table is nested too deeply", self.tables[table_idx].at)
        header = tuple(key[0] for key in self.tables[table_idx].header[:depth]) if depth else ()
        matching = self._within(self.exact.get(header, []), lo, hi)
        if matching and all(self.tables[i].array for i in matching):
            if table_idx < matching[0]:
                first = self.tables[matching[0]]
                raise _Refusal("table redefined as array", first.at, first.end)
            for n, index in enumerate(matching):
                upper = matching[n + 1] if n + 1 < len(matching) else hi
                entries = self.tables[index].pairs or []
                self.tables[index].pairs = None
                self.as_table(header, index, upper, entries, level)
            return
        if len(matching) > 1:
            second = self.tables[matching[1]]
            raise _Refusal(f"redefinition of table `{header[-1]}`", second.at, second.end)
        pairs: list[Any] = []
        if matching:
            pairs = self.tables[matching[0]].pairs or []
            self.tables[matching[0]].pairs = None
        self.as_table(header, lo, hi, pairs + extra, level)

    def as_table(
        self, header: tuple[str, ...], lo: int, hi: int, pairs: list[Any], level: int
    ) -> None:
        names: set[str] = set()
        dotted: dict[str, tuple[tuple[str, int, int], _Val]] = {}
        for key, val in pairs:
            if val.kind == "dotted":
                dotted[key[0]] = (key, val)
            else:
                self.insert(names, key, val, level)
        for index in self._within(self.under.get(header, []), lo, hi):
            table = self.tables[index]
            if table.pairs is None:
                continue
            name, k_start, k_end = table.header[len(header)]
            extra: list[Any] = []
            if name in dotted:
                if len(table.header) == len(header) + 1:
                    raise _Refusal(f"duplicate key: `{_shown_key(name)}`", k_start, k_end)
                extra = dotted.pop(name)[1].pairs
            if name in names:
                raise _Refusal(f"duplicate key: `{_shown_key(name)}`", k_start, k_end)
            names.add(name)
            self.entry(index, len(header) + 1, lo, hi, extra, level + 1)
        for name in sorted(dotted):
            key, val = dotted[name]
            self.insert(names, key, val, level)

    def insert(self, names: set[str], key: tuple[str, int, int], val: _Val, level: int) -> None:
        if key[0] in names:
            raise _Refusal(f"duplicate key: `{_shown_key(key[0])}`", key[1], key[2])
        names.add(key[0])
        self.plain(val, level + 1)

    def plain(self, val: _Val, level: int) -> None:
        if level > MAX_DEPTH:
            raise _Refusal("value is nested too deeply", val.start)
        for item in val.items:
            self.plain(item, level + 1)
        if val.kind in ("inline", "dotted"):
            names: set[str] = set()
            for key, inner in val.pairs:
                self.insert(names, key, inner, level)


def _shown_key(name: str) -> str:
    return name.encode("latin-1").decode("utf-8", errors="replace")


# -- entry point ------------------------------------------------------------


def _char_offset(data: str, offset: int) -> int:
    """A byte offset (on a character boundary) -> the character offset."""
    prefix = data[:offset]
    return len(prefix.encode("latin-1").decode("utf-8", errors="replace"))


def check(text: str) -> SyntaxProblem | None:
    """None when the reference engine reads `text`; else its refusal and span (characters
    of `text`, rototo's clipping applied)."""
    data = text.encode("utf-8").decode("latin-1")
    try:
        reader = _Reader(data)
        tables = reader.tables()
        if tables:
            _Assembler(tables).entry(0, 0, 0, len(tables), [], 0)
        return None
    except _Refusal as refusal:
        return _locate(data, refusal)


def _is_boundary(data: str, offset: int) -> bool:
    return offset >= len(data) or not 0x80 <= ord(data[offset]) <= 0xBF


def _locate(data: str, refusal: _Refusal) -> SyntaxProblem:
    n = len(data)
    start = min(refusal.start, n)
    while start > 0 and not _is_boundary(data, start):
        start -= 1
    end = min(refusal.end, n)
    while end < n and not _is_boundary(data, end):
        end += 1
    end = max(end, start)
    newline = data.find("\n", start, end)
    if newline >= 0:
        end = newline + 1
    message = refusal.message
    if start == end:
        return SyntaxProblem(message, _char_offset(data, start), _char_offset(data, start), False)
    return SyntaxProblem(message, _char_offset(data, start), _char_offset(data, end), True)
