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


def test_small_reports_are_exactly_the_indented_dump() -> None:
    rng = random.Random(1)
    for _ in range(300):
        data = _value(rng, 0)
        assert dumps(data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_large_reports_are_the_same_value_one_record_a_line() -> None:
    rng = random.Random(2)
    records = [
        {"variable": f"v{i}", "context": "c", "before": _value(rng, 3), "after": _value(rng, 3)}
        for i in range(LARGE + 1)
    ]
    data = {"base": {"sha": "a"}, "workspaces": [{"path": ".", "resolutions": records}]}
    text = dumps(data)
    assert json.loads(text) == json.loads(json.dumps(data))  # inf round-trips as Infinity
    lines = text.splitlines()
    assert lines[:4] == ["{", '  "base": {', '    "sha": "a"', "  },"]
    record_lines = [line for line in lines if line.startswith('        {"variable": ')]
    assert len(record_lines) == len(records)
    assert json.loads(record_lines[0].rstrip(",")) == json.loads(json.dumps(records[0]))


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
