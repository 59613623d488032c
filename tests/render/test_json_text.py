"""JSON report text: json.dumps(indent=2) when small; the same value, a record a line if large."""

from __future__ import annotations

import json
import random
from typing import Any

from rototo_ci.render.json_text import LARGE, dumps, write


def _value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(8 if depth < 5 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randrange(-(2**40), 2**40)
    if kind == 2:
        return rng.choice([0.5, -1e300, 3.0, float("inf")])
    if kind in (3, 4):
        return "".join(rng.choice('aé"\\\n\t\u2028😀/<') for _ in range(rng.randrange(0, 6)))
    if kind in (5, 6):
        return {f'k{i}"': _value(rng, depth + 1) for i in range(rng.randrange(0, 4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]


def _nulled(data: Any) -> Any:
    """The data with every infinity as null (JSON has none), by way of Python's lenient JSON."""
    return json.loads(json.dumps(data), parse_constant=lambda constant: None)


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_small_reports_are_exactly_the_indented_dump() -> None:
    rng = random.Random(1)
    infinite = 0
    for _ in range(300):
        data = _value(rng, 0)
        infinite += "Infinity" in json.dumps(data)
        # an infinity is written as null: the text stays JSON
        assert dumps(data) == json.dumps(_nulled(data), indent=2, ensure_ascii=False) + "\n"
    assert infinite > 10


def test_large_reports_are_the_same_value_one_record_a_line() -> None:
    rng = random.Random(2)
    records = [
        {"variable": f"v{i}", "context": "c", "before": _value(rng, 3), "after": _value(rng, 3)}
        for i in range(LARGE + 1)
    ]
    data = {"base": {"sha": "a"}, "workspaces": [{"path": ".", "resolutions": records}]}
    text = dumps(data)
    assert _strict(text) == _nulled(data)  # inf is written as null
    lines = text.splitlines()
    assert lines[:4] == ["{", '  "base": {', '    "sha": "a"', "  },"]
    record_lines = [line for line in lines if line.startswith('        {"variable": ')]
    assert len(record_lines) == len(records)
    assert _strict(record_lines[0].rstrip(",")) == _nulled(records[0])


def test_a_large_list_report_holds_one_record_a_line() -> None:
    issues = [
        {"check": "c", "location": {"path": f"p{i}", "lines": {"begin": i}}} for i in range(LARGE)
    ]
    text = dumps(issues, record_depth=1)
    lines = text.splitlines()
    assert len(lines) == LARGE + 2 and lines[0] == "[" and lines[-1] == "]"
    assert json.loads(text) == issues
    assert dumps(issues[:3], record_depth=1) == json.dumps(issues[:3], indent=2) + "\n"


def test_write_streams_the_same_text() -> None:
    import io

    data = {"workspaces": [{"resolutions": [{"v": i, "x": [i, None]} for i in range(2 * LARGE)]}]}
    stream = io.StringIO()
    write(data, stream)
    assert stream.getvalue() == dumps(data)
    assert json.loads(stream.getvalue()) == data
    small = io.StringIO()
    write({"a": [1]}, small)
    assert small.getvalue() == dumps({"a": [1]})
