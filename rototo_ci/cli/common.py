"""Shared command-line plumbing: colour, selectors, step summary, error lines."""

from __future__ import annotations

import os
import sys
from typing import IO, Any


def use_color(color: str, stream: IO[str] | Any = None) -> bool:
    """--color auto|always|never; auto follows NO_COLOR, then FORCE_COLOR, then the terminal.

    An explicit --color wins over both variables; NO_COLOR wins over FORCE_COLOR
    (https://no-color.org, https://force-color.org).
    """
    choice = (color or "auto").lower()
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    stream = stream or sys.stdout
    return is_terminal(stream)


def is_terminal(stream: IO[str] | Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def output_width(stream: IO[str] | Any = None) -> int | None:
    """The width text written to `stream` may use: the terminal's, or None (no wrapping).

    On a terminal, COLUMNS (when set) overrides the size the terminal reports.
    """
    import shutil

    stream = stream or sys.stdout
    if not is_terminal(stream):
        return None
    return max(20, shutil.get_terminal_size((80, 24)).columns)


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


def merge_contexts(inputs: list[str] | None, workspace: Any = None) -> dict[str, Any]:
    """Merge `--context` values left to right.

    An `@FILE` that does not exist relative to the current directory is read relative
    to the (local) workspace directory, so `@contexts/eu.json` names the workspace's
    own declared context from anywhere.
    """
    from pathlib import Path

    from ..engine.context import merge_context_inputs

    root = getattr(getattr(workspace, "source", None), "root", None)
    resolved: list[str] = []
    for text in inputs or []:
        stripped = text.strip()
        if root is not None and stripped.startswith("@") and len(stripped) > 1:
            name = Path(stripped[1:])
            if not name.is_absolute() and not name.exists() and (Path(root) / name).exists():
                resolved.append("@" + str(Path(root) / name))
                continue
        resolved.append(text)
    return merge_context_inputs(resolved)


def no_contexts_warning(workspace: str) -> str:
    """The warning for a review that had no context to resolve a workspace on."""
    where = "the repository root" if workspace in ("", ".") else workspace
    return (
        f"workspace {where} declares no contexts, so no resolution was compared: add "
        "contexts/*.json or fixture suites, or pass --contexts DIR or --context"
    )


def warn_without_contexts(report: Any) -> None:
    """One stderr warning per reviewed workspace that had no declared context."""
    for ws in getattr(report, "workspaces", []):
        if not ws.contexts and ws.status != "removed":
            print(f"rototo: warning: {no_contexts_warning(ws.path)}", file=sys.stderr)
