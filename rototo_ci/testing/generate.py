"""`rototo fixtures`: write suites, keep hand-written cases, detect stale ones."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.workspace import Workspace
from .suite import SUITE_FILE, FixtureFile, parse_fixture_file, render_fixture_file, render_manifest
from .synthesize import Synthesizer


@dataclass
class GeneratedSuite:
    files: dict[str, str]  # path relative to the out dir -> text
    notes: list[str] = field(default_factory=list)
    cases: int = 0


def _hand_written(out: Path, rel: str) -> list:  # type: ignore[type-arg]
    path = out / rel
    if not path.is_file():
        return []
    existing = parse_fixture_file(rel, path.read_text(encoding="utf-8"))
    return [case for case in existing.cases if not case.generated and case.problem is None]


def generate_suite(
    workspace: Workspace,
    out: Path,
    variable_ids: list[str],
    qualifier_ids: list[str],
    workspace_label: str | None = None,
) -> GeneratedSuite:
    """Synthesize fixture files for the targets, merged with hand-written cases on disk."""
    synthesizer = Synthesizer(workspace)
    fixtures: list[FixtureFile] = []
    notes: list[str] = []
    for qid in sorted(qualifier_ids):
        fixture, found = synthesizer.qualifier_fixture(qid)
        fixtures.append(fixture)
        notes += found
    for vid in sorted(variable_ids):
        fixture, found = synthesizer.variable_fixture(vid)
        fixtures.append(fixture)
        notes += found
    result = GeneratedSuite({}, notes)
    for fixture in fixtures:
        kept = _hand_written(out, fixture.path)
        generated_ids = {case.id for case in fixture.cases}
        fixture.cases += [case for case in kept if case.id not in generated_ids]
        result.cases += len(fixture.cases)
        result.files[fixture.path] = render_fixture_file(fixture)
    result.files[SUITE_FILE] = render_manifest(fixtures, workspace_label)
    return result


def stale_files(suite: GeneratedSuite, out: Path) -> dict[str, str]:
    """Unified diffs of every file whose content on disk differs from the generated one."""
    diffs: dict[str, str] = {}
    for rel, text in sorted(suite.files.items()):
        path = out / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            diffs[rel] = "".join(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=f"{rel} (on disk)",
                    tofile=f"{rel} (generated)",
                )
            )
    return diffs


def write_suite(suite: GeneratedSuite, out: Path) -> list[str]:
    from ..files import write_atomic

    written = []
    for rel, text in sorted(suite.files.items()):
        path = out / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        write_atomic(path, text)
        written.append(rel)
    return written
