"""`rototo lint`: every built-in and custom rule, rendered for people or CI."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .selectors import (
    AllowExternalOpt,
    AuthoritiesOpt,
    AuthorityOpt,
    ColorOpt,
    LinterOpt,
    LintersOpt,
    LintRuleOpt,
    LintRulesOpt,
    QualifierOpt,
    QualifiersOpt,
    ResourceOpt,
    ResourcesOpt,
    RevOpt,
    SourceArg,
    VariableOpt,
    VariablesOpt,
    make_selection,
)

if TYPE_CHECKING:
    from ..engine.diagnostics import Diagnostic
    from ..engine.workspace import LintReport
    from .selectors import Selection


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"


def repo_prefix(root: Path | None) -> str:
    """The workspace directory relative to its git repository root, with a trailing slash.

    Annotations and SARIF locations are read against the repository root, so a
    workspace in a subdirectory prefixes its paths; outside git there is no prefix.
    """
    if root is None:
        return ""
    import pygit2

    try:
        found = pygit2.discover_repository(str(root))
        workdir = pygit2.Repository(found).workdir if found else None
        if not workdir:
            return ""
        rel = root.resolve().relative_to(Path(workdir).resolve()).as_posix()
    except (pygit2.GitError, ValueError, OSError):
        return ""
    return "" if rel == "." else rel + "/"


def command(
    source: SourceArg = None,
    variable: VariableOpt = None,
    variables: VariablesOpt = False,
    qualifier: QualifierOpt = None,
    qualifiers: QualifiersOpt = False,
    resource: ResourceOpt = None,
    resources: ResourcesOpt = False,
    lint_rule: LintRuleOpt = None,
    lint_rules: LintRulesOpt = False,
    lint_authority: AuthorityOpt = None,
    lint_authorities: AuthoritiesOpt = False,
    linter: LinterOpt = None,
    linters: LintersOpt = False,
    rev: RevOpt = None,
    allow_external_extends: AllowExternalOpt = False,
    format_: Annotated[
        LintFormat, typer.Option("--format", "-f", help="Output format.")
    ] = LintFormat.text,
    json_: Annotated[bool, typer.Option("--json", help="Short for --format json.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing when there are no findings.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the lint cache.")
    ] = False,
    color: ColorOpt = "auto",
) -> int:
    """Lint a workspace with every built-in rule and its custom Lua rules (exit 1 on errors)."""
    from ..engine.sources import open_source
    from ..engine.workspace import LintReport, Workspace
    from ..lint import cache

    fmt = LintFormat.json if json_ else format_
    missing = _not_a_workspace(source, fmt is LintFormat.json) if rev is None else None
    if missing is not None:
        findings = _not_a_workspace_findings(missing, fmt is LintFormat.json)
        report = LintReport(str(missing.resolve()), [], findings)
        prefix = repo_prefix(missing)
        return _render(
            fmt, report, report.diagnostics, None, prefix, [], color, quiet, _relative(missing)
        )
    opened = open_source(source, rev=rev, allow_external_extends=allow_external_extends)
    # SARIF carries custom rule metadata, which only a fresh lint knows
    use_cache = not no_cache and fmt is not LintFormat.sarif
    key = cache.source_key(opened) if use_cache else None
    hit = cache.load(key) if key else None
    custom: list[dict[str, object]] = []
    if hit is not None:
        report = LintReport(opened.display, hit[0], hit[1])
    else:
        from ..process import collection_paused
        from .common import status_reporter

        progress = status_reporter("linting")
        try:
            with collection_paused():
                workspace = Workspace.from_source(opened)
                report = workspace.lint()
        finally:
            if progress is not None:
                progress.stop()
        custom = list(workspace.model.custom_rules)
        if key:
            cache.store(key, report.documents, report.diagnostics)
    selection = make_selection(
        variable,
        variables,
        qualifier,
        qualifiers,
        resource,
        resources,
        lint_rule,
        lint_rules,
        lint_authority,
        linter,
        linters,
        lint_authorities,
    )
    _require_selected(selection, report, custom)
    diagnostics = [d for d in report.diagnostics if selection.selects_diagnostic(d)]

    def lines_of(path: str) -> list[str] | None:
        try:
            return opened.tree.read(path).decode("utf-8", errors="replace").splitlines()
        except Exception:  # noqa: BLE001 - an excerpt is optional
            return None

    prefix = ""
    local = opened.root or (_local_directory(source) if rev else None)
    if fmt in (LintFormat.github, LintFormat.sarif, LintFormat.gitlab):
        prefix = repo_prefix(local)
    shown = _relative(local) if local is not None else ""
    return _render(fmt, report, diagnostics, lines_of, prefix, custom, color, quiet, shown)


def _relative(root: Path) -> str:
    """The workspace directory as a path prefix for people: relative to the current directory
    when it is inside it or close by (at most two levels up), else absolute; "" when it is it.
    """
    import os

    absolute = root.resolve()
    try:
        rel = Path(os.path.relpath(absolute, Path.cwd().resolve())).as_posix()
    except (OSError, ValueError):
        rel = ""
    if rel == ".":
        return ""
    if not rel or rel.split("/").count("..") > 2:
        rel = absolute.as_posix()
    return f"{rel}/"


def _local_directory(source: str | None) -> Path:
    """The local workspace directory a --rev source names (already validated as local)."""
    from urllib.parse import unquote, urlsplit

    from ..engine.sources import find_workspace_root

    if source is None:
        return find_workspace_root(Path.cwd())
    if source.startswith("file://"):
        return Path(unquote(urlsplit(source).path))
    return Path(source)


def _require_selected(selection: Selection, report: LintReport, custom: list[Any]) -> None:
    """An unknown selected id is a usage error, not an empty report."""
    from ..engine.errors import NotFoundError
    from ..lint.catalog import catalog

    known = {info.rule for info in catalog()} | {r["rule"] for r in custom}
    known |= {d.rule for d in report.diagnostics}
    missing = selection.unknown(report.documents, known)
    if missing is not None:
        raise NotFoundError(f"not found: {missing}")


def _render(
    fmt: LintFormat,
    report: LintReport,
    diagnostics: list[Diagnostic],
    lines_of: Callable[[str], list[str] | None] | None,
    prefix: str,
    custom: list[dict[str, Any]],
    color: str,
    quiet: bool,
    shown_prefix: str = "",
) -> int:
    """Write the report in the chosen format; the exit code follows the errors shown.

    `prefix` is the workspace's place in its repository (CI formats); `shown_prefix`
    its place relative to the current directory (text for people).
    """
    from .. import __version__
    from ..engine.workspace import LintReport
    from .common import is_terminal, output_width, use_color

    def no_lines(path: str) -> list[str] | None:
        return None

    lines_of = lines_of or no_lines
    if fmt is LintFormat.json:
        data = LintReport(report.workspace, report.documents, diagnostics).to_json()
        from ..render.json_text import dumps

        sys.stdout.write(dumps(data, record_depth=2))  # large: a document or finding a line
    elif fmt is LintFormat.sarif:
        from ..render.lint_sarif import render_lint_sarif

        sarif = render_lint_sarif(diagnostics, __version__, prefix, custom)
        from ..render.json_text import indented

        sys.stdout.write(indented(sarif) + "\n")
    elif fmt is LintFormat.gitlab:
        from ..render.gitlab import render_lint_gitlab

        sys.stdout.write(render_lint_gitlab([d.to_json() for d in diagnostics], prefix))
    elif fmt is LintFormat.github:
        from ..render.escape import write_commands
        from ..render.lint_github import render_lint_github
        from ..render.lint_text import render_lint_text

        write_commands(sys.stdout, render_lint_github(diagnostics, prefix))
        sys.stderr.write(
            render_lint_text(
                diagnostics, lines_of, color=False, quiet=quiet, path_prefix=shown_prefix
            )
        )
    else:
        from ..render.lint_text import render_lint_text

        text = render_lint_text(
            diagnostics,
            lines_of,
            color=use_color(color, sys.stdout),
            width=output_width(sys.stdout),
            quiet=quiet,
            excerpts=is_terminal(sys.stdout),
            path_prefix=shown_prefix,
        )
        sys.stdout.write(text)
    return 1 if any(d.is_error for d in diagnostics) else 0


def _not_a_workspace(source: str | None, json_report: bool) -> Path | None:
    """A local directory without a manifest (or, for a JSON report, a path that is not a
    directory): reported as a finding, as the reference engine reports it."""
    if source is None or "://" in source:
        return None
    path = Path(source)
    if path.is_dir() and not (path / "rototo-workspace.toml").exists():
        return path
    if json_report and not path.is_dir():
        return path
    return None


def _not_a_workspace_findings(path: Path, json_report: bool) -> list[Diagnostic]:
    """JSON locates them at the workspace root (no range), as the reference does; the
    other formats point at the manifest file to create."""
    from ..engine.diagnostics import Collector

    out = Collector()
    if path.is_dir():
        out.add(
            "workspace-manifest-missing",
            str(path.resolve()) if json_report else "rototo-workspace.toml",
            {"kind": "workspace"},
            "workspace manifest is missing",
        )
    else:
        out.add(
            "workspace-not-found",
            str(path.resolve()) if path.exists() else str(path),
            {"kind": "workspace"},
            "workspace path is not a directory"
            if path.exists()
            else f"no such workspace directory: {path}",
        )
    return list(out.items)
