"""`rototo fixtures`: write suites, keep hand-written cases, judge suites on disk by meaning.

A suite on disk is *current* when it holds every case the synthesizer produces (same
ids; a case only our search finds, which upstream never writes, may be absent) and each
of its generated cases still shows, when its recorded context is resolved, what it
records. Which witness values the writing tool chose and how it laid out its
TOML do not matter, so a suite written by upstream's `rototo fixtures` (or edited by
hand) is judged like one of ours. Hand-written cases (`generated = false`) are kept and
never make a suite stale; one with a generated case's id takes that case's place.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.errors import RototoError
from ..engine.resolve import strict_equal
from ..engine.workspace import Workspace
from .suite import (
    SUITE_FILE,
    Case,
    Expectation,
    FixtureFile,
    parse_fixture_file,
    render_fixture_file,
    render_manifest,
)
from .synthesize import Synthesizer, observed_expectation


@dataclass
class GeneratedSuite:
    files: dict[str, str]  # path relative to the out dir -> text (the manifest first)
    notes: list[str] = field(default_factory=list)
    cases: int = 0
    stale: dict[str, str] = field(default_factory=dict)  # path -> why the file on disk is stale
    synthesized: dict[str, FixtureFile] = field(default_factory=dict)  # what we would write
    # stale files we do not rewrite: they hold something we could not keep (unreadable
    # TOML, a hand-written case we cannot parse); path -> why
    blocked: dict[str, str] = field(default_factory=dict)

    @property
    def current(self) -> list[str]:
        """Files on disk that are current and would be left as they are."""
        return [rel for rel in self.files if rel not in self.stale]


def _confined(out: Path, rel: str) -> Path:
    """`out / rel`, refused (ValueError) when a link in the suite directory (a pull
    request can commit one) would take a read or a write outside it (SPEC §8)."""
    path = out / rel
    try:
        inside = path.resolve().is_relative_to(out.resolve())
    except (OSError, RuntimeError):  # a loop of links
        inside = False
    if not inside:
        raise ValueError(f"{rel} leads outside {out} through a symbolic link; not followed")
    return path


def _read(out: Path, rel: str) -> str | None:
    """The file's text, None when there is no file; raises ValueError when unreadable."""
    path = _confined(out, rel)
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{rel} cannot be read: {error}") from None


def _unkeepable(on_disk: FixtureFile) -> str | None:
    """Why rewriting this file could lose what a person wrote in it (None: safe)."""
    if on_disk.problem:
        return on_disk.problem
    for case in on_disk.cases:
        if not case.generated and case.problem:
            return f"hand-written case {case.id}: {case.problem}"
    return None


def _names(ids: Counter[str]) -> str:
    return ", ".join(sorted(ids.elements()))


# -- judging one case and one file --------------------------------------------


def _bucket_set(expect: Expectation) -> Counter[tuple[str, str, tuple[int, ...], Any]]:
    return Counter((b.attribute, b.salt, tuple(b.range), b.value) for b in expect.buckets)


def _same(a: Any, b: Any) -> bool:
    return strict_equal(a, b) and strict_equal(b, a)


def _expectation_gaps(recorded: Expectation, observed: Expectation) -> list[str]:
    """Fields whose recorded value differs from what resolution shows now."""
    gaps = []
    if not _same(recorded.value, observed.value):
        gaps.append("value")
    for name in ("value_key", "matched", "matched_rule", "matched_qualifier"):
        if getattr(recorded, name) != getattr(observed, name):
            gaps.append(name)
    if _bucket_set(recorded) != _bucket_set(observed):
        gaps.append("bucket")
    return gaps


def _bucket_gap(recorded: Expectation, observed: Expectation) -> str:
    extra = _bucket_set(recorded) - _bucket_set(observed)
    for attribute, salt, _, value in sorted(extra, key=repr):
        now = [b.value for b in observed.buckets if (b.attribute, b.salt) == (attribute, salt)]
        if now:
            return f"bucket {attribute} (salt {salt}): recorded {value}, resolves to {now[0]}"
        return f"bucket {attribute} (salt {salt}) is recorded but not evaluated"
    missing = _bucket_set(observed) - _bucket_set(recorded)
    attribute, salt, _, value = sorted(missing, key=repr)[0]
    return f"bucket {attribute} (salt {salt}) = {value} is not recorded"


def _show(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return str(value)


def case_staleness(
    workspace: Workspace, fixture: FixtureFile, case: Case, ours: Case | None
) -> str | None:
    """Why a generated case on disk no longer holds (None: it is current).

    Its recorded expectation must equal what resolving its recorded context shows now
    (value, value_key, matched, matched_rule, matched_qualifier, bucket entries), and
    it must be about what the synthesizer's case of that id is about (same selected
    value and rule, or same qualifier outcome).
    """
    if case.problem or case.expect is None:
        return f"case {case.id}: {case.problem or 'no expect table'}"
    try:
        observed = observed_expectation(workspace, fixture.kind, fixture.target_id, case.context)
    except RototoError as error:
        return f"case {case.id}: its context no longer resolves: {error}"
    gaps = _expectation_gaps(case.expect, observed)
    if gaps:
        first = gaps[0]
        if first == "bucket":
            detail = _bucket_gap(case.expect, observed)
        else:
            detail = (
                f"{first}: recorded {_show(getattr(case.expect, first))}, "
                f"resolves to {_show(getattr(observed, first))}"
            )
        return f"case {case.id}: {detail}"
    if ours is not None and ours.expect is not None:
        mine, theirs = ours.expect, case.expect
        for name in ("value", "value_key", "matched", "matched_rule", "matched_qualifier"):
            a, b = getattr(theirs, name), getattr(mine, name)
            if not (_same(a, b) if name == "value" else a == b):
                return (
                    f"case {case.id}: records {name} {_show(a)}, but the case of this id "
                    f"now expects {_show(b)}"
                )
    return None


def fixture_staleness(
    workspace: Workspace, generated: FixtureFile, on_disk: FixtureFile | None
) -> tuple[str | None, list[Case]]:
    """(why the file on disk is stale or None, its generated cases that are still current)."""
    if on_disk is None:
        return "missing", []
    if on_disk.problem:
        return on_disk.problem, []
    if on_disk.target != generated.target:
        return f"target is {on_disk.target}, expected {generated.target}", []
    hand_ids = {c.id for c in on_disk.cases if not c.generated}
    # an `extended` case (one upstream's generator does not write) may be absent
    allowed = Counter(c.id for c in generated.cases if c.id not in hand_ids)
    wanted = Counter(c.id for c in generated.cases if c.id not in hand_ids and not c.extended)
    present = Counter(c.id for c in on_disk.cases if c.generated)
    reasons = []
    if wanted - present:
        reasons.append(f"missing generated case(s): {_names(wanted - present)}")
    if present - allowed:
        reasons.append(f"generated case(s) no longer produced: {_names(present - allowed)}")
    ours_by_id: dict[str, list[Case]] = {}
    for case in generated.cases:
        ours_by_id.setdefault(case.id, []).append(case)
    seen: Counter[str] = Counter()
    current = []
    for case in on_disk.cases:
        if not case.generated:
            continue
        candidates = ours_by_id.get(case.id, [])
        ours = candidates[seen[case.id]] if seen[case.id] < len(candidates) else None
        seen[case.id] += 1
        if ours is None:
            continue  # already reported as no longer produced
        why = case_staleness(workspace, on_disk, case, ours)
        if why is None:
            current.append(case)
        else:
            reasons.append(why)
    return ("; ".join(reasons) or None), current


def _manifest_staleness(text: str | None, fixtures: list[FixtureFile]) -> str | None:
    if text is None:
        return "missing"
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as error:
        return f"not valid TOML: {error}"
    if data.get("schema_version") != 1:
        return "must declare schema_version = 1"
    entries = data.get("fixture", [])
    if not isinstance(entries, list):
        return "fixture must be an array of tables"
    listed = Counter(
        (str(e.get("path", "")).removeprefix("./"), str(e.get("target", "")))
        for e in entries
        if isinstance(e, dict)
    )
    wanted = Counter((f.path, f.target) for f in fixtures)
    reasons = []
    if wanted - listed:
        reasons.append("does not list " + ", ".join(p for p, _ in sorted(wanted - listed)))
    if listed - wanted:
        reasons.append(
            "lists fixtures not generated: " + ", ".join(p for p, _ in sorted(listed - wanted))
        )
    return "; ".join(reasons) or None


# -- the suite ----------------------------------------------------------------


def _merged(
    generated: FixtureFile, on_disk: FixtureFile | None, still_current: list[Case]
) -> FixtureFile:
    """Our cases, reusing the on-disk generated cases that still hold, plus hand-written ones."""
    hand = [c for c in on_disk.cases if not c.generated] if on_disk else []
    hand_ids = {c.id for c in hand}
    reuse: dict[str, list[Case]] = {}
    for case in still_current:
        reuse.setdefault(case.id, []).append(case)
    cases = []
    for case in generated.cases:
        if case.id in hand_ids:
            continue
        kept = reuse.get(case.id)
        cases.append(kept.pop(0) if kept else case)
    merged = FixtureFile(generated.path, generated.target, generated.description)
    merged.cases = cases + hand
    return merged


def _edit_in_place(
    text: str, on_disk: FixtureFile, merged: FixtureFile
) -> tuple[str, FixtureFile] | None:
    """The file on disk with only its case list changed, and that text parsed: cases kept
    from it keep their text (layout, comments), new ones come in our layout. None when its
    shape does not allow that (no [[case]] tables, say)."""
    import tomlkit
    from tomlkit.items import AoT

    try:
        doc = tomlkit.parse(text)
        old = doc.get("case")
        if not isinstance(old, AoT) or len(old) != len(on_disk.cases):
            return None
        position = {id(case): index for index, case in enumerate(on_disk.cases)}
        ours = tomlkit.parse(render_fixture_file(merged))["case"]
        cases = tomlkit.aot()
        for index, case in enumerate(merged.cases):
            kept = position.get(id(case))
            cases.append(old[kept] if kept is not None else ours[index])
        doc["case"] = cases
        edited = tomlkit.dumps(doc)
        # tables moved between documents bring their blank lines along: one is enough
        tidy = re.sub(r"\n{3,}(?=\[\[case\]\]\n)", "\n\n", edited)
        if tomllib.loads(tidy) == tomllib.loads(edited):
            edited = tidy
    except Exception:  # noqa: BLE001 - any surprise in a foreign layout: render ours instead
        return None
    reparsed = parse_fixture_file(on_disk.path, edited)
    if reparsed.problem or [(c.id, c.generated, c.context) for c in reparsed.cases] != [
        (c.id, c.generated, c.context) for c in merged.cases
    ]:
        return None
    return edited, reparsed


def generate_suite(
    workspace: Workspace,
    out: Path,
    variable_ids: list[str],
    qualifier_ids: list[str],
    workspace_label: str | None = None,
) -> GeneratedSuite:
    """Synthesize fixture files for the targets and judge what is on disk under `out`.

    A file on disk that is current is kept as it is; any other file is rendered from
    the synthesized cases, reusing on-disk generated cases that still hold and keeping
    hand-written ones; those keep their text, layout and comments where the file's shape
    allows.
    """
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
    try:
        manifest_text = _read(out, SUITE_FILE)
    except ValueError as error:
        manifest_text = None
        result.blocked[SUITE_FILE] = str(error)
    why = _manifest_staleness(manifest_text, fixtures)
    if why is None and manifest_text is not None:
        result.files[SUITE_FILE] = manifest_text
    else:
        result.files[SUITE_FILE] = render_manifest(fixtures, workspace_label)
        result.stale[SUITE_FILE] = result.blocked.get(SUITE_FILE) or why or "missing"
    for fixture in fixtures:
        result.synthesized[fixture.path] = fixture
        try:
            text = _read(out, fixture.path)
        except ValueError as error:
            result.files[fixture.path] = ""
            result.stale[fixture.path] = result.blocked[fixture.path] = str(error)
            continue
        on_disk = parse_fixture_file(fixture.path, text) if text is not None else None
        why, still_current = fixture_staleness(workspace, fixture, on_disk)
        if why is None and text is not None and on_disk is not None:
            result.files[fixture.path] = text
            result.cases += len(on_disk.cases)
            continue
        result.stale[fixture.path] = why or "missing"
        if on_disk is not None and text is not None and (keep := _unkeepable(on_disk)):
            result.files[fixture.path] = text
            result.blocked[fixture.path] = keep
            continue
        merged = _merged(fixture, on_disk, still_current)
        result.cases += len(merged.cases)
        edited = None
        if on_disk is not None and text is not None:
            found = _edit_in_place(text, on_disk, merged)
            if found is not None and fixture_staleness(workspace, fixture, found[1])[0] is None:
                edited = found[0]
        result.files[fixture.path] = edited or render_fixture_file(merged)
    return result


def stale_files(suite: GeneratedSuite) -> dict[str, str]:
    """Every file under the suite directory that is stale, with a one-line reason."""
    return dict(suite.stale)


def write_suite(suite: GeneratedSuite, out: Path) -> list[str]:
    """Write the stale files atomically (not the blocked ones), leave current ones untouched;
    return those written."""
    from ..files import write_atomic

    written = []
    for rel, text in suite.files.items():
        if rel not in suite.stale or rel in suite.blocked:
            continue
        try:
            path = _confined(out, rel)
        except ValueError as error:  # a link that appeared since the suite was judged
            suite.blocked[rel] = str(error)
            continue
        write_atomic(path, text)
        written.append(rel)
    return written
