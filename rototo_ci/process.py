"""Process-wide settings applied once at an entry point (the CLI, the pre-commit hook)."""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

# A run builds hundreds of thousands of small, long-lived objects (parsed trees,
# spans, model entities) and frees them only at exit. With the default threshold
# (700) the collector scans them again and again: about 15 % of a cold lint.
GEN0_THRESHOLD = 100_000
# A full collection walks every live object, so on a large workspace the full passes
# grow with the workspace. Young objects are still collected; full passes wait for
# 1,000 middle-generation passes (cold lint of 50,000 variables: 0.92x the CPU time of
# the default threshold, median of 4 paired runs).
GEN2_THRESHOLD = 1_000


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
    _, gen1, _ = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, GEN2_THRESHOLD)


def exit_now(code: int) -> NoReturn:
    """Exit with `code`, skipping the interpreter's teardown when nothing waits for it.

    Teardown frees every module and object one by one, about 8 % of a `rototo --help`
    or of a pre-commit run, work the kernel does at once. It is skipped only when no
    atexit handler is registered and no other thread runs, after the standard streams
    are flushed; if a flush fails, the ordinary exit reports it as it always has.
    Callers make sure every file they wrote is closed (`with` blocks).
    """
    import atexit

    threading = sys.modules.get("threading")
    ncallbacks = getattr(atexit, "_ncallbacks", None)
    quiet = ncallbacks is not None and ncallbacks() == 0
    if quiet and (threading is None or threading.active_count() == 1):
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            pass
        else:
            os._exit(code)
    sys.exit(code)
