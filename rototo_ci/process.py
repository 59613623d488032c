"""Process-wide settings applied once at an entry point (the CLI, the pre-commit hook)."""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

# The thresholds for the commands that keep the collector on (test, fixtures, resolve,
# inspect, the pre-commit hook); lint and diff pause it (`collection_paused`). Both
# were measured on cold lint while it still ran with the collector on.
# A run builds hundreds of thousands of small, long-lived objects (parsed trees,
# spans, model entities) and frees them only at exit. With the default threshold
# (700) the collector scans them again and again: about 15 % of that cold lint.
GEN0_THRESHOLD = 100_000
# A full collection walks every live object, so on a large workspace the full passes
# grow with the workspace. Young objects are still collected; full passes wait for
# 1,000 middle-generation passes (that cold lint of 50,000 variables: 0.92x the CPU time
# of the default threshold, median of 4 paired runs).
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


# young objects above which a finished run is frozen rather than walked once more
FREEZE_ABOVE = 200_000


class collection_paused:  # noqa: N801 - used as `with collection_paused():`
    """Cyclic garbage collection off for the duration, then as it was.

    Linting or diffing builds graphs of parsed documents and entities that point at
    each other and keeps them to the end: the collector only walks them again and
    again, and the larger the workspace the larger each pass (cold lint of 50,000
    variables: 2.5 s of its 8 s CPU in 28 passes, 0.2 s for 10,000 variables).
    A lint makes almost no cyclic garbage of its own: 14 objects a lint, whatever the
    workspace, over 300 generated broken workspaces, and none from failed parses of
    100 one-megabyte files; schema errors, which do point at one another, are cut loose
    once described (schema_validation.first_error_text). tests/cli/test_collection_paused.py
    and tests/review/test_collection.py keep the counts.
    Afterwards a large run's objects are frozen (the process is about to exit), a small
    one's are left to the next collection (a test session runs many in one process).
    """

    # a class, not contextlib.contextmanager: every command imports this module, the
    # pre-commit hook included, and none of them needs contextlib for it

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            if gc.get_count()[0] > FREEZE_ABOVE:
                gc.freeze()
            gc.enable()


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
