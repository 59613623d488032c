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
from typing import Any

# containers this deep or deeper go on one line in a large report: in a diff that is
# one line per resolution change (report > workspaces > [i] > resolutions > [j])
RECORD_DEPTH = 4
# more values than this down to RECORD_DEPTH and the report counts as large
LARGE = 5_000

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def _one_line_encoder() -> Any:
    """The C encoder, built once (JSONEncoder.encode builds one per call)."""
    try:
        from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
    except ImportError:
        c_make_encoder = None
    if c_make_encoder is None:
        return lambda value: _ENCODER.encode(value)
    encode = c_make_encoder(
        None, _ENCODER.default, c_encode_basestring, None, ": ", ", ", False, False, True
    )
    return lambda value: "".join(encode(value, 0))


_one_line = _one_line_encoder()


def _outer_values(data: Any, depth: int, budget: int) -> int:
    """How many values sit at RECORD_DEPTH or above, counting no further than `budget`."""
    count = 1
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    if depth + 1 >= RECORD_DEPTH:
        return count + len(children)
    for child in children:
        count += _outer_values(child, depth + 1, budget - count)
        if count > budget:
            break
    return count


def _write(data: Any, depth: int, out: list[str]) -> None:
    if depth >= RECORD_DEPTH or not data or not isinstance(data, (dict, list)):
        out.append(_one_line(data))
        return
    inner = "\n" + "  " * (depth + 1)
    if isinstance(data, dict):
        out.append("{")
        first = True
        for key, value in data.items():
            out.append((inner if first else "," + inner) + _one_line(str(key)) + ": ")
            first = False
            _write(value, depth + 1, out)
        out.append("\n" + "  " * depth + "}")
    else:
        out.append("[")
        first = True
        for value in data:
            out.append(inner if first else "," + inner)
            first = False
            _write(value, depth + 1, out)
        out.append("\n" + "  " * depth + "]")


def dumps(data: Any) -> str:
    """The report as JSON text with a final newline."""
    if _outer_values(data, 0, LARGE) <= LARGE:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    out: list[str] = []
    _write(data, 0, out)
    out.append("\n")
    return "".join(out)
