"""GitLab Code Quality reports are written in pieces: the same text as the whole list
encoded at once, on both sides of the size where one issue goes on each line."""

from __future__ import annotations

import copy
import json

import pytest

from rototo_ci.render.gitlab import _fingerprinted, _issue, _pieces
from rototo_ci.render.json_text import LARGE, dumps


def _issues(count: int) -> list[dict]:
    return [
        _issue(
            "rototo/resolution-changed",
            f'v{i % 97} in context c{i % 13}: a = "x" → b = {i}',
            f"config/variables/v{i % 97}.toml",
            i % 40,
            [f"v{i % 97}", f"c{i % 13}"],  # repeated identities: fingerprints get a count
            "info",
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [0, 1, 7, LARGE - 1, LARGE, LARGE + 1, 6_000, 7_003])
def test_pieces_equal_the_whole_list_encoded_at_once(count: int) -> None:
    issues = _issues(count)
    whole = dumps(list(_fingerprinted(copy.deepcopy(issues))), record_depth=1)
    streamed = list(_pieces(iter(issues)))
    assert "".join(streamed) == whole
    assert len(json.loads(whole)) == count
    if count > LARGE:
        assert len(streamed) > 2  # written in batches, not as one string
        assert len(whole.splitlines()) == count + 2  # one issue a line


def _cell(rng, shared: list[dict], index: int) -> dict:
    from ..review.test_json_lines import _outcome  # hostile strings, shared outcome objects

    def outcome():
        return _outcome(rng, shared)

    qualifier = rng.random() < 0.2
    cell = {"qualifier" if qualifier else "variable": rng.choice(["v1", "é-v", 'q"x', "v\udcff"])}
    cell.update(
        context=rng.choice([f"contexts/c{index % 7}.json", "c\u2028 x", "fixture:v1/case"]),
        kind=rng.choice(["changed", "broken", "fixed", "added", "removed", None]),
        before=outcome(),
        after=outcome(),
        path=rng.choice([None, "", "variables/v1.toml", "qualifiers/\udcff.toml"]),
        line=rng.choice([None, 0, 1, 12, 40_000]),
    )
    return cell


def _runs(rng, count: int) -> list[dict]:
    """Cells in runs that differ only in their context, as a diff writes them."""
    shared: list[dict] = []
    cells: list[dict] = []
    while len(cells) < count:
        cell = _cell(rng, shared, len(cells))
        for i in range(rng.randrange(1, 30)):
            cells.append({**cell, "context": f"contexts/c{i}.json"} if i else cell)
    return cells[:count]


@pytest.mark.parametrize(("count", "seed"), [(0, 1), (5, 2), (LARGE + 3, 3), (9_000, 4)])
def test_diff_cells_equal_issues_built_one_by_one(count: int, seed: int) -> None:
    """The cell issues written from shared pieces are the text of issues built one by one
    (the dict form, encoded by the C encoder), fingerprints included."""
    import random

    from rototo_ci.render.gitlab import BEHAVIOUR, BROKEN, _join, _outcome, _where, iter_diff_gitlab

    rng = random.Random(seed)
    ws = {
        "path": rng.choice([".", "config", "a\udcffb"]),
        "head_loadable": True,
        "changes": [{"target": "variable://v1", "path": "variables/v1.toml", "line": 3}],
        "resolutions": _runs(rng, count),
    }
    report = {"workspaces": [ws]}
    expected = []
    for cell in ws["resolutions"]:
        kind = str(cell.get("kind") or "changed")
        target = cell.get("variable") or cell.get("qualifier")
        path, line = _where(ws, cell)
        before, after = _outcome(cell.get("before")), _outcome(cell.get("after"))
        expected.append(
            _issue(
                f"rototo/resolution-{kind}",
                f"{target} in context {cell.get('context')}: {before} → {after}",
                _join(ws["path"], path),
                line,
                [str(target), str(cell.get("context")), before, after],
                BROKEN if kind == "broken" else BEHAVIOUR,
            )
        )
    whole = dumps(list(_fingerprinted(expected)), record_depth=1)
    assert "".join(iter_diff_gitlab(report)) == whole
