"""`rototo lint`: every built-in and custom rule, rendered for people or CI."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .selectors import (
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


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def repo_prefix(root: Path | None) -> str:
    """The workspace directory relative to its git repository root, with a trailing slash."""
    if root is None:
        return ""
    import pygit2

    found = pygit2.discover_repository(str(root))
    if found is None:
        return ""
    workdir = pygit2.Repository(found).workdir
    if not workdir:
        return ""
    rel = root.resolve().relative_to(Path(workdir).resolve()).as_posix()
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
    linter: LinterOpt = None,
    linters: LintersOpt = False,
    rev: RevOpt = None,
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
    from .. import __version__
    from ..engine.sources import open_source
    from ..engine.workspace import LintReport, Workspace
    from ..lint import cache
    from .common import use_color

    missing = _not_a_workspace(source) if rev is None else None
    if missing is not None:
        return _report_not_a_workspace(missing, format_, json_)
    opened = open_source(source, rev=rev)
    key = None if no_cache else cache.tree_key(opened.tree)
    hit = cache.load(key) if key else None
    workspace = None
    if hit is not None:
        report = LintReport(opened.display, hit[0], hit[1])
    else:
        workspace = Workspace.from_source(opened)
        report = workspace.lint()
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
    )
    diagnostics = [d for d in report.diagnostics if selection.selects_diagnostic(d)]
    fmt = LintFormat.json if json_ else format_

    def lines_of(path: str) -> list[str] | None:
        try:
            return opened.tree.read(path).decode("utf-8", errors="replace").splitlines()
        except Exception:  # noqa: BLE001 - an excerpt is optional
            return None

    if fmt is LintFormat.json:
        data = LintReport(report.workspace, report.documents, diagnostics).to_json()
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif fmt is LintFormat.sarif:
        from ..render.lint_sarif import render_lint_sarif

        custom = workspace.model.custom_rules if hit is None else []
        sarif = render_lint_sarif(diagnostics, __version__, repo_prefix(opened.root), custom)
        sys.stdout.write(json.dumps(sarif, indent=2, ensure_ascii=False) + "\n")
    elif fmt is LintFormat.github:
        from ..render.lint_github import render_lint_github
        from ..render.lint_text import render_lint_text

        sys.stdout.write(render_lint_github(diagnostics, repo_prefix(opened.root)))
        sys.stderr.write(render_lint_text(diagnostics, lines_of, color=False))
    else:
        from ..render.lint_text import render_lint_text

        text = render_lint_text(
            diagnostics, lines_of, color=use_color(color, sys.stdout), quiet=quiet
        )
        sys.stdout.write(text)
    return 1 if any(d.is_error for d in diagnostics) else 0


WORKSPACE_DIRS = ("qualifiers", "variables", "resources", "schemas", "lint")


def _not_a_workspace(source: str | None) -> Path | None:
    """A local directory that exists but holds no manifest (reported as a finding)."""
    if source is None or "://" in source:
        return None
    path = Path(source)
    if path.is_dir() and not (path / "rototo-workspace.toml").exists():
        return path
    return None


def _report_not_a_workspace(path: Path, format_: LintFormat, json_: bool) -> int:
    from ..engine.diagnostics import Collector

    out = Collector()
    if any((path / name).is_dir() for name in WORKSPACE_DIRS):
        out.add(
            "workspace-manifest-missing",
            "rototo-workspace.toml",
            {"kind": "workspace"},
            f"workspace manifest is missing: {path / 'rototo-workspace.toml'}",
        )
    else:
        out.add(
            "workspace-not-found",
            "rototo-workspace.toml",
            {"kind": "workspace"},
            f"no rototo workspace at {path}",
        )
    if json_ or format_ is LintFormat.json:
        data = {
            "workspace": str(path.resolve()),
            "documents": [],
            "diagnostics": [d.to_json() for d in out.items],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        for d in out.items:
            print(f"{path}: error: {d.message} ({d.rule})")
    return 1
