"""The official TOML 1.0 test suite (toml-lang/toml-test, vendored under cases/) as a
second oracle for the TOML reader.

The verdict that matters is the reference engine's (rototo==0.1.0a4), because that is
what applications load: where it departs from TOML 1.0 it wins, and every departure is
named below. Everywhere else the suite's own verdict and decoded data hold.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine.tomlspan import TArray, TNode, TomlError, TScalar, TTable, parse_toml

from .verdicts import CASES, RECORDED, case_names, ours, reference

NAMES = case_names()
RECORDED_VERDICTS: dict[str, dict[str, Any]] = json.loads(RECORDED.read_text())
_DATE_TIME_TAGS = ('"datetime"', '"datetime-local"', '"date-local"', '"time-local"')

# Where the reference engine departs from TOML 1.0, by what it does.
DEPARTURES: dict[str, list[str]] = {
    "accepts a signed hex, octal or binary integer (+0x1)": [
        "invalid/integer/positive-bin",
        "invalid/integer/positive-hex",
        "invalid/integer/positive-oct",
    ],
    "accepts line breaks inside an inline table": [
        "invalid/inline-table/linebreak-01",
        "invalid/inline-table/linebreak-02",
        "invalid/inline-table/linebreak-03",
        "invalid/inline-table/linebreak-04",
    ],
    "accepts a trailing comma in an inline table": ["invalid/inline-table/trailing-comma"],
    "accepts a DEL character in a comment": ["invalid/control/comment-del"],
    "accepts \\xHH byte escapes in basic strings": ["invalid/string/basic-byte-escapes"],
}


def _suite_valid(name: str) -> bool:
    return name.startswith("valid/")


def _has_date_time(name: str) -> bool:
    expected = (CASES / f"{name}.json").read_text()
    return any(tag in expected for tag in _DATE_TIME_TAGS)


def test_the_vendored_list_is_the_toml_1_0_list() -> None:
    assert len(NAMES) == 709
    assert set(RECORDED_VERDICTS) == set(NAMES)
    assert all((CASES / f"{name}.toml").is_file() for name in NAMES)


def test_every_case_gets_the_reference_verdict_and_range(tmp_path: Path) -> None:
    """Parse verdict and error range equal the recorded reference answers on all cases."""
    mine = ours(tmp_path / "ws", NAMES)
    differences = [
        f"{name}: ours {mine[name]}, reference {RECORDED_VERDICTS[name]}"
        for name in NAMES
        if mine[name] != RECORDED_VERDICTS[name]
    ]
    assert not differences, "\n".join(differences[:40])


def test_the_reference_rejects_every_date_and_time_value() -> None:
    """Departure: offset and local date-times, local dates and local times are all
    refused, though TOML 1.0 defines them (mostly "invalid number"; a time such as
    07:32:00 stops the reader at its first colon)."""
    dated = [name for name in NAMES if _suite_valid(name) and _has_date_time(name)]
    assert len(dated) >= 15
    assert all(not RECORDED_VERDICTS[name]["accepted"] for name in dated)
    for name in dated:
        with pytest.raises(TomlError):
            parse_toml((CASES / f"{name}.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("departure", sorted(DEPARTURES))
def test_named_departure(departure: str) -> None:
    for name in DEPARTURES[departure]:
        assert not _suite_valid(name), name
        assert RECORDED_VERDICTS[name]["accepted"], name
        parse_toml((CASES / f"{name}.toml").read_text(encoding="utf-8"))


def test_no_departure_goes_unnamed() -> None:
    """Apart from the departures named above, the reference agrees with the suite."""
    named = {name for names in DEPARTURES.values() for name in names}
    named |= {name for name in NAMES if _suite_valid(name) and _has_date_time(name)}
    departing = {
        name for name in NAMES if RECORDED_VERDICTS[name]["accepted"] != _suite_valid(name)
    }
    assert departing == named


def _tagged(node: TNode) -> Any:
    """Our parse in the suite's tagged JSON form."""
    if isinstance(node, TTable):
        return {key: _tagged(entry.node) for key, entry in node.entries.items()}
    if isinstance(node, TArray):
        return [_tagged(item) for item in node.items]
    assert isinstance(node, TScalar)
    return {"type": node.toml_type, "value": node.value}


def _same(ours_value: Any, expected: Any, where: str) -> list[str]:
    if isinstance(expected, dict) and set(expected) == {"type", "value"}:
        if not isinstance(ours_value, dict) or ours_value.get("type") != expected["type"]:
            return [f"{where}: {ours_value!r} is not {expected!r}"]
        mine, text = ours_value["value"], expected["value"]
        if expected["type"] == "float":
            want = float(text)
            good = (math.isnan(want) and math.isnan(mine)) or (
                mine == want and math.copysign(1, mine) == math.copysign(1, want)
            )
        elif expected["type"] == "integer":
            good = mine == int(text)
        elif expected["type"] == "bool":
            good = mine == (text == "true")
        else:
            good = mine == text
        return [] if good else [f"{where}: {mine!r} != {text!r}"]
    if isinstance(expected, dict):
        if not isinstance(ours_value, dict) or set(ours_value) != set(expected):
            return [f"{where}: keys {sorted(ours_value or {})} != {sorted(expected)}"]
        return [p for k in expected for p in _same(ours_value[k], expected[k], f"{where}.{k}")]
    if not isinstance(ours_value, list) or len(ours_value) != len(expected):
        return [f"{where}: {ours_value!r} is not the array {expected!r}"]
    return [p for i, e in enumerate(expected) for p in _same(ours_value[i], e, f"{where}[{i}]")]


def test_valid_cases_decode_to_the_suite_data() -> None:
    """Every valid case the reference reads decodes to the suite's expected data."""
    checked, problems = 0, []
    for name in NAMES:
        if not _suite_valid(name) or not RECORDED_VERDICTS[name]["accepted"]:
            continue
        text = (CASES / f"{name}.toml").read_bytes().decode("utf-8")
        tagged = _tagged(parse_toml(text))
        for node in _bool_fix(tagged):
            node["type"] = "bool"
        expected = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
        problems += _same(tagged, expected, name)
        checked += 1
    assert checked >= 160
    assert not problems, "\n".join(problems[:30])


def _bool_fix(tagged: Any) -> list[dict[str, Any]]:
    """Our scalars say "boolean"; the suite says "bool"."""
    found: list[dict[str, Any]] = []
    if (
        isinstance(tagged, dict)
        and set(tagged) == {"type", "value"}
        and not isinstance(tagged["value"], (dict, list))
    ):
        if tagged["type"] == "boolean":
            found.append(tagged)
        return found
    children = tagged.values() if isinstance(tagged, dict) else tagged
    for child in children:
        found += _bool_fix(child)
    return found


@pytest.mark.slow
def test_recorded_verdicts_are_the_live_reference(tmp_path: Path) -> None:
    """Recompute the reference's verdicts on every case (regenerate the file with
    `python -m tests.tomltest.verdicts` when this fails after an engine update)."""
    live = reference(tmp_path / "ws", NAMES)
    assert live == RECORDED_VERDICTS
