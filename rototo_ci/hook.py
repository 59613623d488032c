"""pre-commit entry point: `rototo-hook lint|test|fixtures-check FILE…`.

pre-commit passes the changed files (relative to the repository root, its working
directory). Each hook finds the workspace holding each file — the nearest enclosing
directory with `rototo-workspace.toml`, wherever it sits — checks each such workspace
once, and prints every finding as `path:line:col: …` with the path relative to the
working directory, so a monorepo says which workspace a finding belongs to.

This module stays light: pathlib only until a workspace is actually
checked (no typer, rich or jsonschema for a commit that touches no workspace).
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

MANIFEST = "rototo-workspace.toml"


def workspaces_of(files: list[str], cwd: Path) -> list[str]:
    """The nearest enclosing workspace of each file (cwd-relative, "." for cwd), sorted, once.

    The search walks up from each file but never above `cwd` (the repository root under
    pre-commit), so a workspace is never looked for outside the repository.
    """
    found: set[str] = set()
    seen_dirs: dict[str, str | None] = {}
    for name in files:
        rel = PurePosixPath(Path(name).as_posix())
        if rel.is_absolute():
            try:
                rel = PurePosixPath(Path(name).resolve().relative_to(cwd.resolve()).as_posix())
            except ValueError:
                continue
        if ".." in rel.parts:
            continue
        parents = [rel, *rel.parents] if (cwd / rel).is_dir() else list(rel.parents)
        visited: list[str] = []
        result: str | None = None
        for parent in parents:
            key = parent.as_posix()
            if key in seen_dirs:
                result = seen_dirs[key]
                break
            visited.append(key)
            if (cwd / key / MANIFEST).is_file():
                result = key
                break
        for key in visited:
            seen_dirs[key] = result
        if result is not None:
            found.add(result)
    return sorted(found)


def _prefix(workspace: str) -> str:
    return "" if workspace == "." else workspace.rstrip("/") + "/"


def _print(line: str) -> None:
    from .render.escape import guard_line

    sys.stdout.write(guard_line(line) + "\n")


def lint_workspace(workspace: str, cwd: Path) -> int:
    """Lint one workspace; one line per finding; 1 when it has errors."""
    from .engine.sources import open_source
    from .engine.workspace import Workspace
    from .lint import cache
    from .render.escape import one_line

    opened = open_source(workspace, cwd=cwd)
    # the refused `extends` entries are part of the verdict: a run that followed them
    # (`rototo lint --allow-external-extends`) must not answer for one that refused them
    key = cache.source_key(opened)
    hit = cache.load(key)
    if hit is not None:
        diagnostics = hit[1]
    else:
        report = Workspace.from_source(opened).lint()
        cache.store(key, report.documents, report.diagnostics)
        diagnostics = report.diagnostics
    prefix = _prefix(workspace)
    for d in sorted(diagnostics, key=lambda d: d.sort_key()):
        where = f"{d.range.start.line + 1}:{d.range.start.character + 1}" if d.range else "1:1"
        _print(
            f"{one_line(prefix + d.path)}:{where}: {d.severity}: {one_line(d.message)} [{d.rule}]"
        )
    errors = sum(1 for d in diagnostics if d.is_error)
    if diagnostics:
        _print(f"{one_line(workspace)}: {errors} error(s), {len(diagnostics) - errors} warning(s)")
    return 1 if errors else 0


def test_workspace(workspace: str, cwd: Path) -> int:
    """Run the lint gate, fixture cases and declared contexts of one workspace."""
    from .engine.workspace import Workspace
    from .render.escape import one_line
    from .testing.runner import TestOptions, run_tests

    report = run_tests(Workspace.inspect(workspace, cwd=cwd), TestOptions())
    prefix = _prefix(workspace)
    for case in report.failed:
        where = f"{prefix}{case.file}:{case.line or 1}" if case.file else f"{prefix}."
        _print(f"{one_line(where)}: FAIL {one_line(case.name)}: {one_line(case.message)}")
        for line in case.details.splitlines():
            _print(f"    {one_line(line)}")
    failed = len(report.failed)
    if failed:
        _print(f"{one_line(workspace)}: {len(report.cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


def fixtures_check_workspace(workspace: str, cwd: Path) -> int:
    """Check every fixture suite inside one workspace is current (`rototo fixtures --check`).

    Each suite is regenerated for every variable (what `rototo fixtures --out DIR`
    writes by default) and for the qualifiers it already holds.
    """
    from .engine.workspace import Workspace
    from .render.escape import one_line
    from .testing.generate import generate_suite, stale_files
    from .testing.suite import read_suite_from_tree, suite_manifests

    workspace_obj = Workspace.load(workspace, cwd=cwd)
    tree = workspace_obj.source.tree
    prefix = _prefix(workspace)
    status = 0
    variables = list(workspace_obj.runtime().variables)
    files = set(tree.files())
    for manifest in suite_manifests(tree):
        parents = PurePosixPath(manifest).parents
        if any(f"{p.as_posix()}/{MANIFEST}" in files for p in parents if p.as_posix() != "."):
            continue  # the suite of a nested workspace is that workspace's business
        suite = read_suite_from_tree(tree, manifest)
        suite_dir = str(PurePosixPath(manifest).parent)
        qualifiers = sorted(
            {f.target_id for f in suite.files if f.problem is None and f.kind == "qualifier"}
        )
        out = cwd / workspace / suite_dir
        generated = generate_suite(workspace_obj, out, variables, qualifiers)
        stale = stale_files(generated)
        shown_dir = prefix + ("" if suite_dir == "." else suite_dir + "/")
        for rel, reason in stale.items():
            _print(f"{one_line(shown_dir + rel)}:1:1: stale fixture file: {one_line(reason)}")
        if stale:
            status = 1
            _print(
                f"{one_line(shown_dir or '.')}: {len(stale)} stale file(s); run `rototo fixtures "
                f"{one_line(workspace)} --out {one_line(shown_dir.rstrip('/') or '.')}` and "
                "review the diff"
            )
    return status


CHECKS = {
    "lint": lint_workspace,
    "test": test_workspace,
    "fixtures-check": fixtures_check_workspace,
}


def parse_args(argv: list[str]) -> tuple[str, list[str]]:
    """The check and the files. The command line pre-commit builds (a check, `--`, then
    file names; or a check then names none starting with "-") is read as argparse would
    read it, without paying for argparse; anything else (help, options, a wrong check)
    goes to argparse."""
    if argv and argv[0] in CHECKS:
        rest = argv[1:]
        # `rototo-hook CHECK -- FILE...` (the shipped hooks): every name after `--` is
        # a file, even one spelled like an option (a changed file named `--help`)
        if rest[:1] == ["--"] and "--" not in rest[1:]:
            return argv[0], rest[1:]
        if not any(arg.startswith("-") for arg in rest):
            return argv[0], rest
    args = argument_parser().parse_args(argv)
    return args.check, args.files


def argument_parser():  # type: ignore[no-untyped-def]
    import argparse

    parser = argparse.ArgumentParser(
        prog="rototo-hook",
        description="pre-commit hooks: check each workspace that holds a changed file.",
    )
    parser.add_argument("check", choices=sorted(CHECKS))
    parser.add_argument("files", nargs="*", help="changed files (relative to the repository)")
    return parser


def main(argv: list[str] | None = None) -> int:
    check, files = parse_args(sys.argv[1:] if argv is None else list(argv))
    cwd = Path.cwd()
    status = 0
    from .process import tune_gc

    tune_gc()
    for workspace in workspaces_of(files, cwd):
        try:
            status = max(status, CHECKS[check](workspace, cwd))
        except Exception as error:  # noqa: BLE001 - one line per workspace, never a traceback
            from .engine.errors import RototoError
            from .render.escape import one_line

            if not isinstance(error, RototoError):
                raise
            _print(f"{one_line(workspace)}: error: {one_line(str(error))}")
            status = max(status, 1)
    sys.stdout.flush()
    return status


def entry() -> None:
    from .process import exit_now
    from .render.escape import guarded_streams

    with guarded_streams():  # no line of any stream can start a workflow command
        code = main()
    exit_now(code)  # every file this run wrote is closed; the rest is the kernel's to free


if __name__ == "__main__":
    entry()
