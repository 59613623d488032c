"""`rototo diff`: the behavioural review of a git range, per workspace."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.diagnostics import Diagnostic
from ..engine.errors import SourceError
from ..engine.tree import Tree
from .blame import blame
from .changes import context_changes, semantic_changes
from .impact import FirstInClosure, ImpactStats, resolution_changes
from .load import LoadedSide, ParseCache, load_side
from .report import DiffReport, LintDelta, WorkspaceDiff
from .revisions import Side, open_repository, parse_range
from .rollout import rollouts

# name -> context object, name -> raw text (to detect edits), and optionally
# name -> target (`variable:<id>` / `qualifier:<id>`) for fixture-case contexts
ContextSet = (
    tuple[dict[str, Any], dict[str, str]] | tuple[dict[str, Any], dict[str, str], dict[str, str]]
)
ContextProvider = Callable[[Tree], ContextSet]


def _provided(
    provider: ContextProvider, tree: Tree | None
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    if tree is None:
        return {}, {}, {}
    found = provider(tree)
    if len(found) == 3:
        return found[0], found[1], found[2]  # type: ignore[misc]
    return found[0], found[1], {}


@dataclass
class DiffOptions:
    range: str | None = None
    workspaces: Sequence[str] = ()
    extra_contexts: dict[str, Any] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    progress: Callable[[str], None] | None = None
    allow_external_extends: bool = False


def _lint_key(d: Diagnostic) -> tuple[str, str, str]:
    return (d.rule, d.path, repr(sorted(d.entity.items())))


def _unmatched(items: list[Diagnostic], other: list[Diagnostic]) -> list[Diagnostic]:
    """Items with no counterpart in `other` (as multisets of rule, path and entity)."""
    remaining = Counter(_lint_key(d) for d in other)
    left = []
    for d in items:
        key = _lint_key(d)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            left.append(d)
    return left


def lint_delta(base: list[Diagnostic], head: list[Diagnostic]) -> LintDelta:
    """Introduced and resolved diagnostics, matched on rule, path and entity (not lines)."""
    return LintDelta(_unmatched(head, base), _unmatched(base, head))


def _diagnostics(side: LoadedSide) -> list[Diagnostic]:
    return side.workspace.diagnostics if side.workspace is not None else []


def _relative_dirs(paths: Sequence[str], cwd: Path, workdir: Path) -> list[str]:
    result = []
    for raw in paths:
        full = (cwd / raw).resolve()
        try:
            rel = full.relative_to(workdir.resolve()).as_posix()
        except ValueError:
            raise SourceError(f"--workspace {raw} is outside the repository") from None
        result.append("" if rel == "." else rel)
    return result


def compare_workspace(
    subdir: str,
    base_side: Side,
    head_side: Side,
    cache: ParseCache,
    provider: ContextProvider,
    extra: dict[str, Any],
    cwd: Path,
    allow_external: bool = False,
) -> WorkspaceDiff:
    base = load_side(base_side.opened(subdir), cache, cwd, allow_external)
    head = load_side(head_side.opened(subdir), cache, cwd, allow_external)
    if not base.present and not head.present:
        raise SourceError(f"no workspace at {subdir or '.'} on either side of the range")
    status = (
        "added"
        if not base.present
        else "removed"
        if not head.present
        else "unchanged"
        if base.blobs == head.blobs and base.error == head.error
        else "modified"
    )
    diff = WorkspaceDiff(
        path=subdir or ".",
        status=status,
        base_loadable=base.loadable if base.present else None,
        head_loadable=head.loadable if head.present else None,
    )
    base_model = base.workspace.model if base.workspace else None
    head_model = head.workspace.model if head.workspace else None
    diff.changes = semantic_changes(base_model, head_model)
    base_contexts, base_raw, base_targets = _provided(provider, base.tree)
    head_contexts, head_raw, head_targets = _provided(provider, head.tree)
    diff.changes.extend(context_changes(base_contexts, head_contexts, base_raw, head_raw))
    contexts = {**base_contexts, **head_contexts, **extra}
    # the head side's content wins, its scope with it; --contexts/--context judge everything
    targets = {
        name: target
        for name, target in {**base_targets, **head_targets}.items()
        if name not in extra and (name in head_targets or name not in head_contexts)
    }
    diff.contexts = sorted(contexts)
    diff.lint = lint_delta(_diagnostics(base), _diagnostics(head))
    diff.base_errors = [d for d in _diagnostics(base) if d.is_error]
    diff.head_errors = [d for d in _diagnostics(head) if d.is_error]
    if base.error:
        diff.base_loadable = False
    if head.error:
        diff.head_loadable = False
    if (base.present and not base.loadable) or (head.present and not head.loadable):
        return diff  # an application would refuse that side: no resolutions
    first_line: dict[str, tuple[str, int | None]] = {}
    for change in diff.changes:
        if change.target.startswith("variable://"):
            first_line.setdefault(change.target[len("variable://") :], (change.path, change.line))

    # the first change (in report order) of each path, for the closure minimum
    rank: dict[str, int] = {}
    for index, change in enumerate(diff.changes):
        if not change.target.startswith("context://"):
            rank.setdefault(change.path, index)
    firsts = {id(m): FirstInClosure(m, rank) for m in (head_model, base_model) if m is not None}

    def locate(variable_id: str) -> tuple[str | None, int | None]:
        """The change that explains a variable's cells: its own, else one in its closure."""
        if variable_id in first_line:
            return first_line[variable_id]
        model = head_model if head_model and variable_id in head_model.variables else base_model
        if model is None or variable_id not in model.variables:
            return None, None
        first = firsts[id(model)].variable(variable_id)  # = the first change in closure_paths
        if first is not None:
            return diff.changes[first].path, diff.changes[first].line
        return model.variables[variable_id].path, 1

    def locate_qualifier(qualifier_id: str) -> tuple[str | None, int | None]:
        model = head_model if head_model and qualifier_id in head_model.qualifiers else base_model
        if model is None or qualifier_id not in model.qualifiers:
            return None, None
        first = firsts[id(model)].qualifier(qualifier_id)  # = the first in its closure
        if first is not None:
            return diff.changes[first].path, diff.changes[first].line
        return model.qualifiers[qualifier_id].path, 1

    def blame_cell(
        target_id: str, is_qualifier: bool, evaluation: Any
    ) -> tuple[str | None, int | None]:
        assert head_model is not None
        return blame(head_model, diff.changes, target_id, is_qualifier, evaluation)

    stats = ImpactStats()
    base_ws = base.workspace if base.present else None
    head_ws = head.workspace if head.present else None
    diff.resolutions = resolution_changes(
        base_ws,
        base.blobs,
        head_ws,
        head.blobs,
        contexts,
        stats,
        locate,
        targets=targets,
        blame=blame_cell,
        locate_qualifier=locate_qualifier,
    )
    diff.variables_resolved, diff.variables_skipped = stats.resolved, stats.skipped
    diff.rollouts = rollouts(base_ws, head_ws, diff.changes, contexts, targets)
    from .uncovered import uncovered_changes

    diff.uncovered = uncovered_changes(base_ws, head_ws, diff.changes, diff.resolutions)
    return diff


def run_diff(options: DiffOptions, provider: ContextProvider) -> DiffReport:
    """Compare two revisions of every workspace in the repository (or the chosen ones)."""
    repo = open_repository(options.cwd)
    base_side, head_side = parse_range(repo, options.range)
    workdir = Path(repo.workdir or options.cwd)
    if options.workspaces:
        dirs = _relative_dirs(options.workspaces, options.cwd, workdir)
    else:
        dirs = sorted(set(base_side.workspace_dirs()) | set(head_side.workspace_dirs()))
    cache = ParseCache()
    workspaces = []
    for index, subdir in enumerate(dirs):
        if index and not gc.isenabled():
            # a caller that turned the collector off for speed (the command line does)
            # still frees one workspace's graphs (reference cycles) before the next
            gc.collect()
        if options.progress:
            options.progress(subdir or ".")
        diff = compare_workspace(
            subdir,
            base_side,
            head_side,
            cache,
            provider,
            options.extra_contexts,
            workdir,
            options.allow_external_extends,
        )
        workspaces.append(diff)
    return DiffReport(base=base_side.to_json(), head=head_side.to_json(), workspaces=workspaces)
