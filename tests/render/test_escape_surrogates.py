"""Lone surrogates leave as U+FFFD, whatever surrounds them (the check is UTF-8's own)."""

from __future__ import annotations

import random
import re

from rototo_ci.render.escape import _surrogates_to_replacement

_POOL = ["a", "é", "→", "\ud800", "\udfff", "\udc80", "\U0001f600", "\ud7ff", "\ue000", "\x00"]


def test_every_surrogate_and_only_surrogates_are_replaced() -> None:
    rng = random.Random(3)
    for _ in range(5_000):
        text = "".join(rng.choice(_POOL) for _ in range(rng.randint(0, 8)))
        assert _surrogates_to_replacement(text) == re.sub("[\ud800-\udfff]", "\ufffd", text)
    plain = "ascii only :: text"
    assert _surrogates_to_replacement(plain) is plain
