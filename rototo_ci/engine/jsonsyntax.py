"""The JSON grammar the rototo engine accepts, with the error location it reports.

The reference engine reads schema files with `serde_json`, which reports a 1-based line
and a byte column; rototo turns that pair into a one-byte range by reading the column
as a UTF-16 character index on that line. `check(text)` walks the text the same way
(its acceptance, nesting limit and error positions) and returns a `SyntaxProblem` or
None; the value itself is decoded by the standard library afterwards.
"""

from __future__ import annotations

from .tomlsyntax import SyntaxProblem

__all__ = ["check"]

RECURSION_LIMIT = 128
_WS = " \n\t\r"
_DIGITS = "0123456789"
_HEX = frozenset("0123456789abcdefABCDEF")
_SIMPLE_ESCAPES = frozenset('"\\/bfnrt')


class _Refusal(Exception):
    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index  # bytes read when the error was raised (serde's position)


class _Reader:
    def __init__(self, data: str) -> None:
        self.data = data
        self.n = len(data)
        self.i = 0
        self.depth = RECURSION_LIMIT

    # serde reports `error` at the bytes consumed, `peek_error` one byte further
    def error(self, message: str) -> _Refusal:
        return _Refusal(message, self.i)

    def peek_error(self, message: str) -> _Refusal:
        return _Refusal(message, min(self.i + 1, self.n))

    def peek(self) -> str | None:
        return self.data[self.i] if self.i < self.n else None

    def whitespace(self) -> str | None:
        while self.i < self.n and self.data[self.i] in _WS:
            self.i += 1
        return self.peek()

    def next_char(self) -> str | None:
        ch = self.peek()
        if ch is not None:
            self.i += 1
        return ch

    def document(self) -> None:
        self.value()
        if self.whitespace() is not None:
            raise self.peek_error("trailing characters")

    def value(self) -> None:
        ch = self.whitespace()
        if ch is None:
            raise self.peek_error("EOF while parsing a value")
        if ch in "ntf":
            self.i += 1
            for expected in {"n": "ull", "t": "rue", "f": "alse"}[ch]:
                got = self.next_char()
                if got is None:
                    raise self.error("EOF while parsing a value")
                if got != expected:
                    raise self.error("expected ident")
        elif ch == "-":
            self.i += 1
            self.number()
        elif ch in _DIGITS:
            self.number()
        elif ch == '"':
            self.i += 1
            self.string()
        elif ch in "[{":
            self.depth -= 1
            if self.depth == 0:
                raise self.peek_error("recursion limit exceeded")
            self.i += 1
            if ch == "[":
                self.array()
            else:
                self.object()
            self.depth += 1
        else:
            raise self.peek_error("expected value")

    def number(self) -> None:
        start = self.i
        first = self.next_char()
        if first is None:
            raise self.error("EOF while parsing a value")
        if first == "0":
            if self.i < self.n and self.data[self.i] in _DIGITS:
                raise self.peek_error("invalid number")
        elif first in _DIGITS:
            while self.i < self.n and self.data[self.i] in _DIGITS:
                self.i += 1
        else:
            raise self.error("invalid number")
        if self.peek() == ".":
            self.i += 1
            digits = 0
            while self.i < self.n and self.data[self.i] in _DIGITS:
                self.i += 1
                digits += 1
            if not digits:
                if self.peek() is None:
                    raise self.peek_error("EOF while parsing a value")
                raise self.peek_error("invalid number")
        if self.peek() in ("e", "E"):
            self.i += 1
            if self.peek() in ("+", "-"):
                self.i += 1
            got = self.next_char()
            if got is None:
                raise self.error("EOF while parsing a value")
            if got not in _DIGITS:
                raise self.error("invalid number")
            while self.i < self.n and self.data[self.i] in _DIGITS:
                self.i += 1
        text = self.data[start : self.i].lstrip("-")
        if ("." in text or "e" in text or "E" in text) and float(text) == float("inf"):
            raise self.error("number out of range")
        if text.isdigit() and float(text) == float("inf"):
            raise self.error("number out of range")

    def hex4(self) -> int:
        if self.i + 4 > self.n:
            self.i = self.n
            raise self.error("EOF while parsing a string")
        digits = self.data[self.i : self.i + 4]
        self.i += 4
        if not all(ch in _HEX for ch in digits):
            raise self.error("invalid escape")
        return int(digits, 16)

    def string(self) -> None:
        data = self.data
        while True:
            while self.i < self.n and data[self.i] not in '"\\' and data[self.i] >= " ":
                self.i += 1
            if self.i >= self.n:
                raise self.error("EOF while parsing a string")
            ch = data[self.i]
            self.i += 1
            if ch == '"':
                return
            if ch != "\\":
                raise self.error("control character (\\u0000-\\u001F) found while parsing a string")
            esc = self.next_char()
            if esc is None:
                raise self.error("EOF while parsing a string")
            if esc in _SIMPLE_ESCAPES:
                continue
            if esc != "u":
                raise self.error("invalid escape")
            self.unicode_escape()

    def unicode_escape(self) -> None:
        code = self.hex4()
        if 0xDC00 <= code <= 0xDFFF:
            raise self.error("lone leading surrogate in hex escape")
        if not 0xD800 <= code <= 0xDBFF:
            return
        for expected in "\\u":
            got = self.peek()
            if got is None:
                raise self.error("EOF while parsing a string")
            self.i += 1
            if got != expected:
                raise self.error("unexpected end of hex escape")
        low = self.hex4()
        if not 0xDC00 <= low <= 0xDFFF:
            raise self.error("lone leading surrogate in hex escape")

    def array(self) -> None:
        first = True
        while True:
            ch = self.whitespace()
            if ch == "]":
                self.i += 1
                return
            if ch == "," and not first:
                self.i += 1
                ch = self.whitespace()
            elif ch is None:
                raise self.peek_error("EOF while parsing a list")
            elif first:
                first = False
            else:
                raise self.peek_error("expected `,` or `]`")
            if ch == "]":
                raise self.peek_error("trailing comma")
            if ch is None:
                raise self.peek_error("EOF while parsing a value")
            self.value()

    def object(self) -> None:
        first = True
        while True:
            ch = self.whitespace()
            if ch == "}":
                self.i += 1
                return
            if ch == "," and not first:
                self.i += 1
                ch = self.whitespace()
            elif ch is None:
                raise self.peek_error("EOF while parsing an object")
            elif first:
                first = False
            else:
                raise self.peek_error("expected `,` or `}`")
            if ch == "}":
                raise self.peek_error("trailing comma")
            if ch is None:
                raise self.peek_error("EOF while parsing a value")
            if ch != '"':
                raise self.peek_error("key must be a string")
            self.i += 1
            self.string()
            ch = self.whitespace()
            if ch is None:
                raise self.peek_error("EOF while parsing an object")
            if ch != ":":
                raise self.peek_error("expected `:`")
            self.i += 1
            self.value()


def check(text: str) -> SyntaxProblem | None:
    """None when the reference engine reads `text` as JSON; else its refusal, located as
    rototo locates it (characters of `text`)."""
    data = text.encode("utf-8").decode("latin-1")
    try:
        _Reader(data).document()
        return None
    except _Refusal as refusal:
        return _locate(text, data, refusal)


def _locate(text: str, data: str, refusal: _Refusal) -> SyntaxProblem:
    before = data[: refusal.index]
    line = before.count("\n")  # 0-based
    column = refusal.index - (before.rfind("\n") + 1)  # serde's 1-based column, in bytes
    lines = text.split("\n")
    message = f"{refusal.message} at line {line + 1} column {column}"
    # rototo reads the column as a UTF-16 index into the line (newline included)
    line_start = sum(len(part) + 1 for part in lines[:line])
    line_text = lines[line] + ("\n" if line + 1 < len(lines) else "")
    wanted = max(column - 1, 0)
    units, start = 0, line_start + len(line_text)
    for index, ch in enumerate(line_text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > wanted:
            start = line_start + index
            break
        if units + width == wanted:
            start = line_start + index + 1
            break
        units += width
    if wanted == 0:
        start = line_start
    end = min(start + 1, len(text))
    return SyntaxProblem(message, start, end, True)
