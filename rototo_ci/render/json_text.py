"""JSON reports as text: indented for people, and fast when the report is large.

`json.dumps(indent=2)` runs the pure-Python encoder: three seconds and hundreds
of megabytes for a diff with 300,000 changed cells. A report with few values
is written exactly as `json.dumps(data, indent=2, ensure_ascii=False)`; a large
one keeps that indentation for its outer levels and writes each deeper record
(a diagnostic's location, a resolution change, a document) on one line with the
C encoder. Both are the same JSON value: the contract is the data, not the
whitespace.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any, TextIO

# containers this deep or deeper go on one line in a large report: in a diff that is
# one line per resolution change (report > workspaces > [i] > resolutions > [j])
RECORD_DEPTH = 4
# more values than this down to RECORD_DEPTH and the report counts as large
LARGE = 5_000

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


def _finite(value: Any) -> Any:
    """`value` with every NaN and infinity as null: JSON has no such numbers, and a
    workspace can hold them (TOML `nan`, `inf`)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _one_line_encoder() -> Any:
    """The C encoder, built once (JSONEncoder.encode builds one per call)."""
    try:
        from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
    except ImportError:
        c_make_encoder = None
    if c_make_encoder is None:
        return lambda value: _ENCODER.encode(value)
    encode = c_make_encoder(
        None, _ENCODER.default, c_encode_basestring, None, ": ", ", ", False, False, False
    )
    return lambda value: "".join(encode(value, 0))


_strict_one_line = _one_line_encoder()


def _one_line(value: Any) -> str:
    try:
        return _strict_one_line(value)  # type: ignore[no-any-return]
    except ValueError:  # a NaN or an infinity somewhere (never in a valid report's common case)
        return _strict_one_line(_finite(value))  # type: ignore[no-any-return]


def _outer_values(data: Any, depth: int, budget: int, records: int) -> int:
    """How many values sit at the record depth or above, counting no further than `budget`."""
    count = 1
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    if depth + 1 >= records:
        return count + len(children)
    for child in children:
        count += _outer_values(child, depth + 1, budget - count, records)
        if count > budget:
            break
    return count


BATCH = 1_000  # records joined into one piece of output


def _pieces(data: Any, depth: int, records: int) -> Iterator[str]:
    if depth >= records or not data or not isinstance(data, (dict, list)):
        yield _one_line(data)
        return
    inner = "\n" + "  " * (depth + 1)
    closing = "\n" + "  " * depth
    if isinstance(data, list) and depth + 1 >= records:  # a list of records, in batches
        separator = "," + inner
        # a list may write its own records (`lines(start, stop)`: the same text, made faster)
        lines = getattr(data, "lines", None)
        for start in range(0, len(data), BATCH):
            stop = start + BATCH
            if lines is not None:
                batch = separator.join(lines(start, stop))
            else:
                try:
                    batch = separator.join(map(_strict_one_line, data[start:stop]))
                except ValueError:
                    batch = separator.join(map(_one_line, data[start:stop]))
            yield ("[" + inner if start == 0 else separator) + batch
        yield closing + "]"
        return
    if isinstance(data, dict):
        first = True
        for key, value in data.items():
            yield ("{" + inner if first else "," + inner) + _one_line(str(key)) + ": "
            first = False
            yield from _pieces(value, depth + 1, records)
        yield closing + "}"
    else:
        first = True
        for value in data:
            yield "[" + inner if first else "," + inner
            first = False
            yield from _pieces(value, depth + 1, records)
        yield closing + "]"


def _large(data: Any, record_depth: int) -> bool:
    return _outer_values(data, 0, LARGE, record_depth) > LARGE


def is_large(data: Any, record_depth: int = RECORD_DEPTH) -> bool:
    """Whether `dumps` writes this report one record a line (else as json.dumps(indent=2))."""
    return _large(data, record_depth)


def one_line(value: Any) -> str:
    """One value on one line, as a large report's records are written (C encoder)."""
    return _one_line(value)


def indented(data: Any) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False)`, a NaN or an infinity as null."""
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(data), indent=2, ensure_ascii=False, allow_nan=False)


def dumps(data: Any, record_depth: int = RECORD_DEPTH) -> str:
    """The report as JSON text with a final newline; `record_depth`: where lines hold a record."""
    if not _large(data, record_depth):
        return indented(data) + "\n"
    return "".join(_pieces(data, 0, record_depth)) + "\n"


def pieces(data: Any, record_depth: int = RECORD_DEPTH) -> Iterator[str]:
    """`dumps` piece by piece: a large report is never one string in memory."""
    if not _large(data, record_depth):
        yield indented(data) + "\n"
        return
    yield from _pieces(data, 0, record_depth)
    yield "\n"


def write(data: Any, stream: TextIO, record_depth: int = RECORD_DEPTH) -> None:
    """`dumps` written piece by piece."""
    for piece in pieces(data, record_depth):
        stream.write(piece)
