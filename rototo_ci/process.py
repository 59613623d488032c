"""Process-wide settings applied once at an entry point (the CLI, the pre-commit hook)."""

from __future__ import annotations

import gc
import sys

# A run builds hundreds of thousands of small, long-lived objects (parsed trees,
# spans, model entities) and frees them only at exit. With the default threshold
# (700) the collector scans them again and again: about 15 % of a cold lint.
GEN0_THRESHOLD = 100_000


# Evaluating a qualifier that reads another recurses (two frames a link): a chain of
# 2,000 qualifiers needs more than the default 1,000 frames. Python-to-Python calls
# do not grow the C stack in 3.11+, so a higher limit is safe.
RECURSION_LIMIT = 20_000


def tune_gc() -> None:
    """Move what is already imported out of the collector's sight and collect less often;
    allow the recursion depth long qualifier chains need."""
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
