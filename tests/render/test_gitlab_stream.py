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
