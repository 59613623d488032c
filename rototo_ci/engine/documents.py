"""Workspace documents: discovery by layout, parsing with source positions."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .jsonsyntax import check as check_json
from .tomlfast import parse_toml_fast
from .tomlspan import TomlError, TTable
from .tree import MANIFEST, Tree

KINDS = (
    "manifest",
    "qualifier",
    "variable",
    "resource",
    "resource_object",
    "schema",
    "custom_lint",
)
CONTEXT_SCHEMA = "schemas/context.schema.json"
MAX_JSON_DEPTH = 200

_OBJECTS_DIR = re.compile(r"^resources/(?P<rid>.+)-objects$")


@dataclass(frozen=True)
class Position:
    line: int
    character: int

    def to_json(self) -> dict[str, int]:
        return {"line": self.line, "character": self.character}


@dataclass(frozen=True)
class Range:
    start: Position
    end: Position

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.to_json(), "end": self.end.to_json()}


class LineIndex:
    """Offsets in decoded text -> 0-based (line, UTF-16 character) positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        prefix = self.text[self.starts[line] : offset]
        units = len(prefix) + sum(1 for ch in prefix if ord(ch) > 0xFFFF)
        return Position(line, units)

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(end))

    def offset(self, line: int, column: int) -> int:
        """1-based line and column (in characters) -> offset."""
        if line - 1 >= len(self.starts):
            return len(self.text)
        return min(self.starts[max(line - 1, 0)] + max(column - 1, 0), len(self.text))


@dataclass
class ParseFailure:
    message: str
    start: int
    end: int
    unreadable: bool = False
    located: bool = True


@dataclass
class Document:
    """One discovered workspace file, parsed once."""

    id: int
    path: str
    kind: str
    name: str  # the entity id (file stem) or, for resource objects, the object key
    text: str | None = None
    toml: TTable | None = None
    json: Any = None
    failure: ParseFailure | None = None
    resource: str | None = None  # for resource objects: the owning resource id
    _lines: LineIndex | None = field(default=None, repr=False)

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text or "")
        return self._lines

    @property
    def parsed(self) -> bool:
        return self.failure is None

    def to_json(self, root_uri: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "uri": f"{root_uri}/{self.path}",
            "version": None,
            "kind": self.kind,
        }


def classify(path: str, resource_ids: set[str]) -> tuple[str, str, str | None] | None:
    """(kind, name, resource) for a workspace path, or None when it is not a document."""
    if path == MANIFEST:
        return ("manifest", "workspace", None)
    directory, _, filename = path.rpartition("/")
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem:
        return None
    if directory == "qualifiers" and ext == "toml":
        return ("qualifier", stem, None)
    if directory == "variables" and ext == "toml":
        return ("variable", stem, None)
    if directory == "resources" and ext == "toml":
        return ("resource", stem, None)
    if directory == "schemas" and ext == "json":
        return ("schema", stem, None)
    if directory == "lint" and ext == "lua":
        return ("custom_lint", stem, None)
    if ext == "toml":
        match = _OBJECTS_DIR.match(directory)
        if match and match.group("rid") in resource_ids and "/" not in match.group("rid"):
            return ("resource_object", stem, match.group("rid"))
    return None


def discover(tree: Tree) -> list[tuple[str, str, str, str | None]]:
    """(path, kind, name, resource) for every document, manifest first, then by path."""
    files = tree.files()
    resource_ids = set()
    for path in files:
        directory, _, filename = path.rpartition("/")
        if directory == "resources" and filename.endswith(".toml") and len(filename) > 5:
            resource_ids.add(filename[:-5])
    found = []
    for path in files:
        info = classify(path, resource_ids)
        if info is not None:
            found.append((path, *info))
    found.sort(key=lambda item: (item[0] != MANIFEST, item[0]))
    return found


def _json_depth_ok(text: str) -> bool:
    depth = 0
    in_string = False
    escape = False
    for ch in text:
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON number {name}")


def _parse_int(literal: str) -> int:
    # Python refuses str->int past 4300 digits; say so plainly, without a conversion
    if len(literal) > 4300:
        raise ValueError("number out of range")
    return int(literal)


def parse_json_text(text: str) -> Any:
    """Parse strict JSON (no NaN/Infinity); raise json.JSONDecodeError or ValueError."""
    if not _json_depth_ok(text):
        raise ValueError("JSON is nested too deeply")
    return json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)


MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_CUSTOM_LINT_BYTES = 1024 * 1024  # a rule file runs in a 16 MiB VM; many may be held
# SPEC §8 Bounded: a TOML document's parse tree is bounded by its number of values
MAX_TOML_VALUES = 200_000


def _toml_value_bound(text: str) -> int:
    """An upper bound on the values a TOML text can hold: each follows '=', ',', '[' or '{'."""
    return text.count("=") + text.count(",") + text.count("[") + text.count("{")


def parse_document(doc: Document, data: bytes) -> None:
    """Decode and parse `data` into `doc`, recording a ParseFailure instead of raising."""
    limit = MAX_CUSTOM_LINT_BYTES if doc.kind == "custom_lint" else MAX_DOCUMENT_BYTES
    if len(data) > limit:
        doc.text = ""
        doc.failure = ParseFailure(f"file is larger than {limit} bytes", 0, 0, located=False)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        doc.text = data.decode("utf-8", errors="replace")
        doc.failure = ParseFailure(
            f"file is not valid UTF-8 (byte {exc.start})", 0, 0, located=False
        )
        return
    if doc.kind == "custom_lint":
        doc.text = text[1:] if text.startswith("\ufeff") else text
        return
    # a byte order mark stays in the text: the reference counts it as a character
    doc.text = text
    if doc.kind == "schema":
        problem = check_json(text)
        if problem is not None:
            doc.failure = ParseFailure(problem.message, problem.start, problem.end)
            return
        try:
            doc.json = parse_json_text(text)
        except (ValueError, RecursionError) as exc:
            doc.failure = ParseFailure(str(exc), 0, 0, located=False)
        return
    if _toml_value_bound(text) > MAX_TOML_VALUES:
        # every value costs a few hundred bytes of spanned tree: refuse before building it
        doc.failure = ParseFailure(
            f"file holds more than {MAX_TOML_VALUES} values", 0, 0, located=False
        )
        return
    try:
        doc.toml = parse_toml_fast(text)
    except TomlError as exc:
        doc.failure = ParseFailure(
            exc.message, exc.offset, min(exc.end, len(text)), located=exc.located
        )
        return
    except RecursionError:
        doc.failure = ParseFailure("document is nested too deeply", 0, 0, located=False)
        return
    if doc.kind == "manifest":
        doc.failure = _strict_manifest_failure(doc, text)
        if doc.failure is not None:
            doc.toml = None


# One line of a manifest that is TOML 1.0 whatever else it holds: blank, a comment, or a
# bare key with a decimal integer, a boolean or a one-line basic string without escapes.
_PLAIN_MANIFEST_LINE = re.compile(
    r"[ \t]*(?:([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    r'(?:[+-]?(?:0|[1-9](?:_?[0-9])*)|true|false|"[^"\\\x00-\x1f\x7f\ud800-\udfff]*")'
    r"[ \t]*)?(?:#[^\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]*)?"
)


def plainly_toml10(text: str) -> bool:
    """Whether a strict TOML 1.0 reader certainly accepts `text`: only plain lines (as
    above), no key twice, LF line ends. False says nothing (the reader then decides)."""
    if "\r" in text:
        return False
    keys: set[str] = set()
    for line in text.split("\n"):
        found = _PLAIN_MANIFEST_LINE.fullmatch(line)
        if found is None:
            return False
        key = found.group(1)
        if key is not None:
            if key in keys:
                return False
            keys.add(key)
    return True


def _strict_manifest_failure(doc: Document, text: str) -> ParseFailure | None:
    """The reference reads the manifest a second time with a strict TOML 1.0 reader and
    refuses the workspace when that fails (a line break inside an inline table, say).
    A plainly valid manifest (`schema_version = 1`) spares the reader's import."""
    body = text[1:] if text.startswith("\ufeff") else text
    if plainly_toml10(body):
        return None
    import tomllib

    try:
        tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        start = doc.lines.offset(int(found.group(1)), int(found.group(2))) if found else 0
        message = f"not valid TOML 1.0: {str(exc).split(' (at line')[0]}"
        return ParseFailure(message, start, min(start + 1, len(text)))
    return None


def read_and_parse(doc: Document, tree: Tree) -> None:
    """Parse a document, recording an unreadable file (e.g. a link leaving the workspace)."""
    from .errors import SourceError

    try:
        data = tree.read(doc.path)
    except SourceError as error:
        doc.text = ""
        doc.failure = ParseFailure(str(error), 0, 0, unreadable=True)
        return
    parse_document(doc, data)


def load_documents(tree: Tree) -> list[Document]:
    """Discover and parse every document of a tree."""
    documents: list[Document] = []
    for index, (path, kind, name, resource) in enumerate(discover(tree)):
        doc = Document(id=index, path=path, kind=kind, name=name, resource=resource)
        read_and_parse(doc, tree)
        documents.append(doc)
    return documents
