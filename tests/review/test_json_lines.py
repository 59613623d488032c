"""A large diff report's resolution changes are written straight from the cells: the
same text as encoding the report's JSON data."""

from __future__ import annotations

import json
import random

import pytest

from rototo_ci.render.json_text import dumps
from rototo_ci.review.report import DiffReport, LintDelta, ResolutionChange, WorkspaceDiff

_VALUES = [
    "plain",
    "é → ü",
    'quote " and \\ back',
    "\u2028 line sep",
    "\udc80 lone",
    "",
    0,
    -7,
    2**70,
    1.5,
    float("nan"),
    float("inf"),
    -0.0,
    True,
    False,
    None,
    [1, "two", None],
    {"k": [1.0, {"z": "é"}], "a": None},
]


def _outcome(rng: random.Random, shared: list[dict]) -> dict | None:
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.25:
        return {"error": rng.choice(["missing resolve context attribute: a.b", 'é " err'])}
    if roll < 0.6 and shared:
        return rng.choice(shared)  # one object shared by many cells, as the diff makes them
    outcome = {"value_key": rng.choice(["on", "off", "k\u00e9"]), "value": rng.choice(_VALUES)}
    shared.append(outcome)
    return outcome


def _report(cells: int, seed: int) -> DiffReport:
    rng = random.Random(seed)
    shared: list[dict] = []
    resolutions = [
        ResolutionChange(
            variable=rng.choice(["v1", "é-var", 'q"x']),
            context=f"contexts/c{i % 17}.json",
            before=_outcome(rng, shared),
            after=_outcome(rng, shared),
            path=rng.choice([None, "variables/v1.toml", "qualifiers/\udcff.toml"]),
            line=rng.choice([None, 1, 12, 40_000]),
            kind=rng.choice(["changed", "broken", "fixed", "added", "removed"]),
            qualifier=rng.random() < 0.2,
        )
        for i in range(cells)
    ]
    ws = WorkspaceDiff(path="config", status="modified", base_loadable=True, head_loadable=True)
    ws.resolutions = resolutions
    ws.lint = LintDelta([], [])
    return DiffReport(
        base={"rev": "a", "commit": None}, head={"rev": "b", "commit": None}, workspaces=[ws]
    )


@pytest.mark.parametrize(("cells", "seed"), [(0, 1), (40, 2), (4_990, 3), (6_000, 4), (9_001, 5)])
def test_json_pieces_equal_the_encoded_report(cells: int, seed: int) -> None:
    report = _report(cells, seed)
    expected = dumps(report.to_json())
    written = "".join(report.json_pieces())
    assert written == expected
    again = json.loads(written)
    assert len(again["workspaces"][0]["resolutions"]) == cells
