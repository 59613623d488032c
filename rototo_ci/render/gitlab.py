"""GitLab Code Quality reports (`--format gitlab`) for lint and diff findings.

GitLab reads a JSON array of issues, each with `description`, `check_name`, a unique
`fingerprint`, a `severity` (info, minor, major, critical, blocker) and a
`location` {path (repository-relative), lines: {begin}}. The merge request widget
compares the fingerprints of the source and target branches, so a fingerprint leaves
line numbers out: a finding that only moves is not reported as new.

Both renderers read the JSON forms (a lint diagnostic's `to_json`, the diff report's
JSON contract), so saved reports render the same as fresh ones.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

# lint severities and diff findings mapped onto GitLab's scale
LINT_SEVERITY = {"error": "critical", "warning": "minor"}
NOT_LOADABLE = "blocker"
BROKEN = "critical"
UNCOVERED = "minor"
BEHAVIOUR = "info"
# a rollout that draws every unit's bucket again moves the most users
ROLLOUT = {"reshuffled": "major", "moved": "minor", "expanded": "info", "shrunk": "info"}


def _issue(
    check: str,
    description: str,
    path: str,
    line: int | None,
    identity: Iterable[str],
    severity: str,
) -> dict[str, Any]:
    return {
        "description": description,
        "check_name": check,
        "fingerprint": "",  # filled in by _fingerprinted, which also makes it unique
        "severity": severity,
        "location": {"path": path, "lines": {"begin": max(1, int(line or 1))}},
        "_identity": "\x00".join([check, path, *identity]),
    }


class _Prepared:
    """An issue whose one-line JSON text is written from pieces (the text before and after
    its fingerprint), the same text the C encoder writes for `as_dict()`."""

    __slots__ = ("identity", "head", "tail", "fields", "fingerprint")

    def __init__(
        self, identity: str, head: str, tail: str, fields: tuple[str, str, str, str, int]
    ) -> None:
        self.identity, self.head, self.tail, self.fields = identity, head, tail, fields
        self.fingerprint = ""

    def as_dict(self) -> dict[str, Any]:
        description, check, severity, path, begin = self.fields
        return {
            "description": description,
            "check_name": check,
            "fingerprint": self.fingerprint,
            "severity": severity,
            "location": {"path": path, "lines": {"begin": begin}},
        }


def _fingerprinted(issues: Iterable[Any]) -> Iterator[Any]:
    """Each issue with its unique fingerprint (a repeated identity gets its occurrence
    number), one at a time."""
    seen: dict[str, int] = {}
    sha256 = hashlib.sha256
    for issue in issues:
        prepared = type(issue) is _Prepared
        identity = issue.identity if prepared else issue.pop("_identity")
        count = seen.get(identity, 0)
        seen[identity] = count + 1
        # a non-UTF-8 file name arrives as surrogates: hash its bytes, never refuse it
        digest = sha256(f"rototo-ci\x00{identity}\x00{count}".encode("utf-8", "surrogatepass"))
        if prepared:
            issue.fingerprint = digest.hexdigest()[:32]
        else:
            issue["fingerprint"] = digest.hexdigest()[:32]
        yield issue


def _pieces(issues: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The report's JSON text in pieces, as `json_text.dumps(issues, record_depth=1)` writes
    the whole list: a large report one issue a line (C encoder), never all in memory."""
    from .json_text import LARGE, dumps, is_large, one_line

    stream = _fingerprinted(issues)
    first = list(itertools.islice(stream, LARGE))
    if not is_large(first, 1):
        whole = [issue.as_dict() if type(issue) is _Prepared else issue for issue in first]
        yield dumps(whole, record_depth=1)
        return
    separator, batch = "[\n  ", []
    for issue in itertools.chain(first, stream):
        if type(issue) is _Prepared:
            batch.append(issue.head + issue.fingerprint + issue.tail)
        else:
            batch.append(one_line(issue))
        if len(batch) == _BATCH:
            yield separator + ",\n  ".join(batch)
            separator, batch = ",\n  ", []
    if batch:
        yield separator + ",\n  ".join(batch)
    yield "\n]\n"


_BATCH = 1_000  # issues joined into one piece of output


def _finish(issues: Iterable[dict[str, Any]]) -> str:
    return "".join(_pieces(issues))


def _lint_issue(d: dict[str, Any], path_prefix: str, introduced: bool = False) -> dict[str, Any]:
    location = d.get("location") or {}
    start = ((location.get("range") or {}).get("start") or {}).get("line")
    entity = json.dumps(d.get("entity") or {}, sort_keys=True)
    severity = LINT_SEVERITY.get(str(d.get("severity")), "minor")
    message = str(d.get("message", ""))
    return _issue(
        str(d.get("rule", "rototo/lint")),
        ("introduced: " if introduced else "") + message,
        path_prefix + str(location.get("path", "rototo-workspace.toml")),
        (start + 1) if isinstance(start, int) else 1,
        [entity, message],
        severity,
    )


def render_lint_gitlab(diagnostics: list[dict[str, Any]], path_prefix: str = "") -> str:
    """Lint diagnostics (JSON form) as a Code Quality report; paths get `path_prefix`."""
    return _finish([_lint_issue(d, path_prefix) for d in diagnostics])


def _outcome(outcome: Any) -> str:
    if outcome is None:
        return "absent"
    if isinstance(outcome, dict) and "error" in outcome:
        return f"error ({outcome['error']})"
    if isinstance(outcome, dict):
        value = json.dumps(outcome.get("value"), ensure_ascii=False, sort_keys=True)
        value = value if len(value) <= 60 else value[:59] + "…"
        return f"{outcome.get('value_key')} = {value}"
    return str(outcome)


def _join(workspace: str, path: str) -> str:
    return path if workspace in ("", ".") else f"{workspace}/{path}"


def _where(ws: dict[str, Any], cell: dict[str, Any]) -> tuple[str, int | None]:
    """The file and line that explain a resolution change: its own, its target's change,
    or the target's file."""
    if cell.get("path"):
        return str(cell["path"]), cell.get("line")
    kind = "qualifier" if "qualifier" in cell else "variable"
    target = f"{kind}://{cell.get(kind)}"
    for change in ws.get("changes") or []:
        if change.get("target") == target and change.get("path"):
            return str(change["path"]), change.get("line")
    return f"{kind}s/{cell.get(kind)}.toml", 1


class _Run(NamedTuple):
    """What the issues of a run of cells share: everything but the context."""

    description: tuple[str, str]  # the text before and after the context
    identity: tuple[str, str]  # likewise, for the fingerprint
    check_json: str  # the JSON text between the description and the fingerprint
    tail_json: str  # the JSON text after the fingerprint
    check: str
    severity: str
    path: str
    begin: int


def _cell_issues(
    ws: dict[str, Any], root: str, outcome: Callable[[Any], str]
) -> Iterator[_Prepared]:
    """A workspace's resolution changes as issues. A run of cells that differ only in
    their context (one variable's cells, which share their outcome objects) shares every
    piece of its issues but the context: those are described and encoded once."""
    from json.encoder import encode_basestring as encode  # what the C encoder writes

    last: tuple[Any, ...] | None = None
    run: _Run | None = None
    for cell in ws.get("resolutions") or []:
        get = cell.get
        before_outcome, after_outcome = get("before"), get("after")
        key = (
            get("kind"),
            get("variable"),
            get("qualifier"),
            id(before_outcome),
            id(after_outcome),
            get("path"),
            get("line"),
        )
        if run is None or key != last:
            kind = str(get("kind") or "changed")
            target = get("variable") or get("qualifier")
            path, line = _where(ws, cell)
            before, after = outcome(before_outcome), outcome(after_outcome)
            check, path = f"rototo/resolution-{kind}", _join(root, path)
            severity, begin = BROKEN if kind == "broken" else BEHAVIOUR, max(1, int(line or 1))
            run = _Run(
                (f"{target} in context ", f": {before} → {after}"),
                ("\x00".join([check, path, str(target), ""]), "\x00".join(["", before, after])),
                ', "check_name": ' + encode(check) + ', "fingerprint": "',
                f'", "severity": {encode(severity)}, "location": {{"path": {encode(path)}, '
                f'"lines": {{"begin": {begin}}}}}}}',
                check,
                severity,
                path,
                begin,
            )
            last = key
        context = str(get("context"))
        description = run.description[0] + context + run.description[1]
        yield _Prepared(
            run.identity[0] + context + run.identity[1],
            '{"description": ' + encode(description) + run.check_json,
            run.tail_json,
            (description, run.check, run.severity, run.path, run.begin),
        )


def render_diff_gitlab(report: dict[str, Any]) -> str:
    """A diff report (JSON contract) as a Code Quality report (see `diff_issues`)."""
    return "".join(iter_diff_gitlab(report))


def iter_diff_gitlab(report: dict[str, Any]) -> Iterator[str]:
    """`render_diff_gitlab` in pieces: a report of many cells is never one string."""
    return _pieces(diff_issues(report))


def diff_issues(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A diff report's Code Quality issues, one at a time (fingerprints not yet set).

    Introduced lint findings keep their lint severity; a head that cannot load is a
    blocker; a broken context is critical; a reshuffled rollout is major, a moved one
    minor; an uncovered change is minor; any other resolution change or rollout is
    info (a behaviour change a reviewer should see).
    """
    # cells that select the same value share one outcome object: describe it once
    described: dict[int, tuple[Any, str]] = {}

    def outcome(value: Any) -> str:
        found = described.get(id(value))
        if found is None or found[0] is not value:
            found = described[id(value)] = (value, _outcome(value))
        return found[1]

    for ws in report.get("workspaces") or []:
        root = str(ws.get("path") or ".")
        prefix = "" if root in ("", ".") else root + "/"
        if ws.get("head_loadable") is False:
            yield (
                _issue(
                    "rototo/workspace-not-loadable",
                    f"workspace {root}: the head side has lint errors; applications would "
                    "refuse it and its resolutions were not computed",
                    _join(root, "rototo-workspace.toml"),
                    1,
                    [],
                    NOT_LOADABLE,
                )
            )
        for d in (ws.get("lint") or {}).get("introduced") or []:
            yield _lint_issue(d, prefix, introduced=True)
        yield from _cell_issues(ws, root, outcome)
        for change in ws.get("changes") or []:
            rollout = (change.get("detail") or {}).get("rollout")
            if not isinstance(rollout, dict):
                continue
            kind = str(rollout.get("kind") or "changed")
            summary = change.get("summary") or f"rollout {kind} on {rollout.get('attribute')}"
            yield (
                _issue(
                    f"rototo/rollout-{kind}",
                    f"{change.get('target')}: {summary}",
                    _join(root, str(change.get("path") or "rototo-workspace.toml")),
                    change.get("line"),
                    [str(change.get("target")), json.dumps(rollout, sort_keys=True)],
                    ROLLOUT.get(kind, "info"),
                )
            )
        for item in ws.get("uncovered") or []:
            witness = item.get("context")
            shown = (
                f"a context where it differs: {json.dumps(witness, sort_keys=True)}"
                if witness is not None
                else "no context found where it differs"
            )
            yield (
                _issue(
                    "rototo/uncovered-change",
                    f"{item.get('target')} changes for no declared context ({shown})",
                    _join(root, str(item.get("path") or "rototo-workspace.toml")),
                    item.get("line"),
                    [str(item.get("target")), str(item.get("variable"))],
                    UNCOVERED,
                )
            )
