"""Shared command-line plumbing: colour, selectors, step summary, error lines."""

from __future__ import annotations

import os
import sys
from typing import IO, Any


def use_color(color: str, stream: IO[str] | Any = None) -> bool:
    """--color auto|always|never; auto follows the terminal and NO_COLOR."""
    choice = (color or "auto").lower()
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def write_step_summary(markdown: str) -> bool:
    """Append to $GITHUB_STEP_SUMMARY when GitHub provides one; True when written."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    try:
        with open(target, "a", encoding="utf-8") as out:
            out.write(markdown)
            if not markdown.endswith("\n"):
                out.write("\n")
    except OSError as exc:
        from ..render.escape import one_line

        print(
            f"rototo: warning: cannot write the step summary: {one_line(str(exc.strerror))}",
            file=sys.stderr,
        )
        return False
    return True


def fail(message: str, code: int = 2) -> None:
    """Print one error line and exit."""
    import typer

    from ..render.escape import one_line

    print(f"rototo: error: {one_line(message)}", file=sys.stderr)
    raise typer.Exit(code)


def status_reporter(verb: str, delay: float = 1.0) -> Any:
    """A callback showing progress on a terminal's stderr (None when not a terminal).

    The display appears only once the work has taken `delay` seconds, so quick
    commands print nothing extra. Call it with the current item; call `.stop()` when done.
    """
    if not sys.stderr.isatty():
        return None
    import threading

    from rich.console import Console

    status = Console(stderr=True).status(f"{verb}…")
    lock = threading.Lock()
    state = {"started": False, "stopped": False}

    def start() -> None:
        with lock:
            if not state["stopped"]:
                status.start()
                state["started"] = True

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()

    def update(item: str) -> None:
        status.update(f"{verb} {item}…")

    def stop() -> None:
        timer.cancel()
        with lock:
            state["stopped"] = True
            if state["started"]:
                status.stop()

    update.stop = stop  # type: ignore[attr-defined]
    return update
