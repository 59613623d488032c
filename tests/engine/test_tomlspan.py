"""The spanned TOML parser agrees with tomllib and keeps exact spans."""

from __future__ import annotations

import datetime
import math
import tomllib
from typing import Any

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from rototo_ci.engine.tomlspan import TomlError, TScalar, TTable, parse_toml


def _normalize(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return "<datetime>"
    if isinstance(value, float) and math.isnan(value):
        return "<nan>"
    return value


def _ours(text: str) -> Any:
    def walk(value: Any, node: Any) -> Any:
        if isinstance(node, TScalar) and node.toml_type in ("datetime", "date", "time"):
            return "<datetime>"
        if isinstance(node, TTable):
            return {k: walk(None, e.node) for k, e in node.entries.items()}
        if hasattr(node, "items") and isinstance(node.items, list):
            return [walk(None, item) for item in node.items]
        return _normalize(node.plain())

    return walk(None, parse_toml(text))


def _contains_date_time(value: Any) -> bool:
    if value == "<datetime>":
        return True
    if isinstance(value, dict):
        return any(_contains_date_time(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_date_time(v) for v in value)
    return False


def _agree(text: str) -> None:
    """Where both read the text, the data agree with tomllib. Where the verdicts differ the
    rototo engine's reader departs from TOML 1.0 (the verdict is checked against the
    reference itself in tests/conformance/test_toml_text_differential.py); a date-time
    must be the reason when tomllib reads what we refuse."""
    try:
        expected = _normalize(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        expected = None
    try:
        actual = _ours(text)
    except TomlError:
        actual = None
    if actual is not None and expected is not None:
        assert actual == expected, text
    elif expected is not None and not _contains_date_time(expected):
        # we refuse what TOML 1.0 reads: only a date-time, or a table made by dotted keys
        # that a later header extends (valid TOML 1.0; see test_known_edge_cases)
        raise AssertionError(f"refused valid TOML without a date-time: {text!r}")


scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(max_size=20),
)
keys = st.text(min_size=1, max_size=8)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=6)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_generated_documents_match_tomllib(doc: dict[str, Any]) -> None:
    _agree(tomlkit.dumps(doc))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab=[]{}\"'.,#\n 1-_:TZ+eE", max_size=40))
def test_arbitrary_text_accept_reject_matches_tomllib(text: str) -> None:
    _agree(text)


def test_known_edge_cases() -> None:
    cases = [
        "a.b = 1\n[a]\n",
        "[a.b]\n[a]\nc = 1\n",
        "[[a]]\n[a.b]\nc = 1\n[[a]]\n",
        "x = {a = 1, b.c = 2}\n[x.b]\n",
        's = """\nab\\\n   cd"""\n',
        "l = '''x''''\n",
        "x = 1__0\n",
        "x = 01\n",
        "x = 0x_1\n",
        "d = 1979-05-27T07:32:00Z\n",
        "t = 07:32:00\n",
        "d = 1979-02-30\n",
        'x = "\\u00e9\\U0001F600"\n',
        'x = "\\ud800"\n',
        "a = [1,]\n",
        "a = 1 # c\nb = 2",
        "= 1\n",
        "a = +inf\nb = -nan\n",
        "a = 1e+05\n",
        '"" = 1\n',
        "a = 'x\ny'\n",
        "a = true1\n",
    ]
    for text in cases:
        _agree(text)


def test_known_departures_from_toml_1_0() -> None:
    """The rototo engine's reader: date-times refused, TOML 1.1 additions read."""
    for text in (
        "d = 1979-05-27T07:32:00Z\n",
        "d = 1979-05-27\n",
        "t = 07:32:00\n",
        "d = 1979-05-27T07:32:00+25:00\n",
        "d = \u0661\u0669\u0667\u0669-05-27\n",
    ):
        try:
            parse_toml(text)
        except TomlError:
            continue
        raise AssertionError(text)
    assert parse_toml("a = +0x1F\nb = +0o7\nc = +0b1\n").plain() == {"a": 31, "b": 7, "c": 1}
    assert parse_toml("a = {\n b = 1, # c\n c = 2,\n}\n").plain() == {"a": {"b": 1, "c": 2}}
    assert parse_toml('a = "\\x41\\e"\n').plain() == {"a": "A\x1b"}
    assert parse_toml("# \x7f\na = 1\n").plain() == {"a": 1}


def test_dotted_key_table_extended_by_a_header() -> None:
    """`a.b = 1` then `[a.c]` is valid TOML 1.0 and read by the reference engine."""
    root = parse_toml("a.b = 1\n[a.c]\nd = 2\n")
    assert root.plain() == {"a": {"b": 1, "c": {"d": 2}}}
    with_array = parse_toml('[f]\napple.color = "red"\n[[f.apple.seeds]]\nsize = 2\n')
    assert with_array.plain() == {"f": {"apple": {"color": "red", "seeds": [{"size": 2}]}}}
    for text in ("a.b = 1\n[a]\n", "[f]\na.b.c = 1\n[f.a.b]\n"):
        try:
            parse_toml(text)
        except TomlError:
            continue
        raise AssertionError(text)


def test_hundreds_of_dotted_key_parts_are_an_error_not_a_crash() -> None:
    text = ".".join(["k"] * 5000) + " = 1\n"
    try:
        parse_toml(text)
    except TomlError:
        return
    except RecursionError as error:
        raise AssertionError("RecursionError escaped") from error


def test_spans_point_at_tokens() -> None:
    text = 'schema_version = 1\n\n[[predicate]]\nattribute = "user.tier"\nop = "eq"\n'
    root = parse_toml(text)
    predicates = root.get("predicate")
    assert predicates is not None
    table = predicates.items[0]  # type: ignore[attr-defined]
    op = table.get("op")
    assert text[op.start : op.end] == '"eq"'
    assert text[table.start : table.end] == '[[predicate]]\nattribute = "user.tier"\nop = "eq"'
    entry = table.entries["attribute"]
    assert text[entry.key_start : entry.key_end] == "attribute"
    empty = parse_toml("[resolve]\n\nx = 1\n")
    assert empty.get("resolve").start == 0  # type: ignore[union-attr]


def test_integers_beyond_64_bits_are_rejected() -> None:
    # TOML requires an error where tomllib (unbounded ints) accepts
    for text in (
        "a = 9223372036854775808\n",
        "a = -9223372036854775809\n",
        "a = 0xFFFFFFFFFFFFFFFFF\n",
    ):
        try:
            parse_toml(text)
        except TomlError:
            continue
        raise AssertionError(text)


def test_trailing_comma_in_inline_table_is_accepted() -> None:
    # the rototo engine's TOML parser accepts it, so a workspace using it is valid
    assert parse_toml("a = {b = 1,}\n").plain() == {"a": {"b": 1}}


def test_nesting_the_reference_reads_is_read() -> None:
    """The reference reads 1,500 levels (and crashes before 2,000): read them, refuse more."""
    deep = "x = " + "[" * 1500 + "]" * 1500 + "\n" + ".".join(["k"] * 1500) + " = 1\n"
    root = parse_toml(deep)
    assert root.get("x") is not None and root.plain()["k"] is not None
    try:
        parse_toml("x = " + "[" * 2000 + "]" * 2000 + "\n")
    except TomlError:
        return
    raise AssertionError("2,000 levels were read")
