"""A fast path for plain TOML: the same spanned tree as `tomlspan`, or a fallback to it.

Most workspace files are a handful of `key = "string"` / integer / boolean lines
and `[table]` / `[[array]]` headers with bare keys. Those lines are matched
whole, one regular expression each, instead of character by character. Any
line outside that subset (escapes, floats, dates, inline tables, multi-line
arrays, quoted or dotted keys, carriage returns) and any semantic problem
(duplicate keys, redefined tables) sends the whole text to the full parser,
which therefore owns every error and every unusual construct.
tests/engine/test_tomlfast.py proves the trees identical on generated files
and their mutants.
"""

from __future__ import annotations

import re

from .tomlspan import TArray, TEntry, TNode, TScalar, TTable, parse_toml

__all__ = ["parse_toml_fast", "parse_plain"]

_STR = r'"[^"\\\x00-\x08\x0a-\x1f\x7f]*"'
_INT = r"-?(?:0|[1-9][0-9]{0,17})"
_SCALAR = rf"{_STR}|{_INT}|true|false"
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
_KEY = r"[A-Za-z0-9_-]+"

_LINE = re.compile(
    r"[ \t]*(?:"
    # key = scalar | one-line array of scalars
    rf"(?P<key>{_KEY})[ \t]*=[ \t]*"
    rf"(?P<value>{_SCALAR}|\[[ \t]*(?:(?:{_SCALAR})[ \t]*,[ \t]*)*"
    rf"(?:(?:{_SCALAR})[ \t]*,?[ \t]*)?\])"
    # [table] | [[array of tables]]
    rf"|(?P<header>\[\[?)[ \t]*(?P<keys>{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*)[ \t]*(?P<close>\]\]?)"
    rf")?[ \t]*{_COMMENT}"
)
_ITEM = re.compile(_SCALAR)
_KEY_RE = re.compile(_KEY)


class _Fallback(Exception):
    pass


def _scalar(token: str, start: int) -> TNode:
    first = token[0]
    if first == '"':
        if len(token) == 2:  # "" is located on its first quote, as the full parser does
            return TScalar(start, start + 1, "", "string")
        return TScalar(start, start + len(token), token[1:-1], "string")
    if first == "t":
        return TScalar(start, start + 4, True, "boolean")
    if first == "f":
        return TScalar(start, start + 5, False, "boolean")
    return TScalar(start, start + len(token), int(token), "integer")


def _descend(parent: TTable, key: str, k_start: int, k_end: int) -> tuple[TTable, bool]:
    """The table a dotted header passes through; (table, created)."""
    entry = parent.entries.get(key)
    if entry is None:
        table = TTable(k_start, k_end, origin="implicit")
        parent.entries[key] = TEntry(k_start, k_end, table)
        return table, True
    node = entry.node
    if isinstance(node, TArray) and node.of_tables:
        last = node.items[-1]
        assert isinstance(last, TTable)
        return last, False
    if isinstance(node, TTable) and node.origin in ("root", "header", "implicit"):
        return node, False
    raise _Fallback


def parse_plain(text: str) -> TTable | None:
    """The spanned tree of a plain TOML text, or None when it needs the full parser."""
    if "\r" in text:
        return None
    try:
        return _parse(text)
    except _Fallback:
        return None


def _parse(text: str) -> TTable:
    n = len(text)
    root = TTable(0, n, origin="root")
    current = root
    holder = root  # the table whose span the entries below a header widen
    implicit: list[TTable] = []
    defined: set[int] = set()
    match = _LINE.fullmatch
    offset = 0
    for line in text.split("\n"):
        line_start = offset
        offset += len(line) + 1
        if not line:
            continue
        m = match(line)
        if m is None:
            raise _Fallback
        key, token, opening, names, close = m.groups()
        if key is not None:
            v_start = line_start + m.start(2)
            v_end = v_start + len(token)
            if token[0] == "[":
                items = [
                    _scalar(item.group(), v_start + item.start())
                    for item in _ITEM.finditer(token, 1)
                ]
                node: TNode = TArray(v_start, v_end, items)
            else:
                node = _scalar(token, v_start)
            entries = current.entries
            if key in entries:
                raise _Fallback
            k_start = line_start + m.start(1)
            entries[key] = TEntry(k_start, k_start + len(key), node)
            if holder.end < v_end:
                holder.end = v_end
            for table in implicit:
                if table.end < v_end:
                    table.end = v_end
            continue
        if opening is None:
            continue  # blank or comment
        is_array = opening == "[["
        if close != ("]]" if is_array else "]"):
            raise _Fallback
        start = line_start + m.start(3)
        header_end = line_start + m.end(5)
        table_end = offset if offset < n else n
        keys_start = line_start + m.start(4)
        if "." in names:
            keys = [
                (k.group(), keys_start + k.start(), keys_start + k.end())
                for k in _KEY_RE.finditer(names)
            ]
        else:
            keys = [(names, keys_start, keys_start + len(names))]
        parent = root
        implicit = []
        for name, k_start, k_end in keys[:-1]:
            parent, created = _descend(parent, name, k_start, k_end)
            if created:
                parent.start, parent.end = start, table_end
                implicit.append(parent)
        name, k_start, k_end = keys[-1]
        entry = parent.entries.get(name)
        if is_array:
            if entry is None:
                array = TArray(k_start, header_end, of_tables=True)
                parent.entries[name] = TEntry(k_start, k_end, array)
            else:
                found = entry.node
                if not isinstance(found, TArray) or not found.of_tables:
                    raise _Fallback
                array = found
            current = TTable(
                start, table_end, origin="aot", header_start=start, header_end=header_end
            )
            array.items.append(current)
            array.end = table_end
        elif entry is None:
            current = TTable(
                start, table_end, origin="header", header_start=start, header_end=header_end
            )
            parent.entries[name] = TEntry(k_start, k_end, current)
            defined.add(id(current))
        else:
            found = entry.node
            if not (
                isinstance(found, TTable)
                and found.origin == "implicit"
                and id(found) not in defined
            ):
                raise _Fallback
            # `[a.b]` before `[a]`: the table keeps the span of its first header, so
            # the entries below `[a]` widen nothing (as in the full parser)
            found.origin = "header"
            found.header_start, found.header_end = start, header_end
            entry.key_start, entry.key_end = k_start, k_end
            defined.add(id(found))
            current = found
            holder = TTable(start, table_end)
            continue
        holder = current
    root.end = n
    return root


def parse_toml_fast(text: str) -> TTable:
    """Parse TOML text into a spanned tree; plain files take the fast path."""
    tree = parse_plain(text)
    return tree if tree is not None else parse_toml(text)
