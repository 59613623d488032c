"""The fixture suite format (compatible with rototo alpha.4 `rototo fixtures`).

A suite directory holds `rototo-fixtures.toml` (schema_version = 1, optional
workspace, [[fixture]] path/target) and one TOML file per target
(`variables/<id>.toml`, `qualifiers/<id>.toml`) with [[case]] tables.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import tomlkit

from ..engine.errors import RototoError
from ..engine.tree import Tree
from .contexts import DeclaredContext

SUITE_FILE = "rototo-fixtures.toml"


class SuiteError(RototoError):
    """A suite manifest that cannot be read at all."""


@dataclass
class BucketExpectation:
    attribute: str
    salt: str
    range: list[int]
    value: int


@dataclass
class Expectation:
    value: Any
    value_key: str | None = None
    matched: str | None = None
    matched_rule: int | None = None
    matched_qualifier: str | None = None
    buckets: list[BucketExpectation] = field(default_factory=list)


@dataclass
class Case:
    id: str
    title: str
    context: dict[str, Any]
    expect: Expectation | None
    because: str | None = None
    generated: bool = False
    line: int = 1  # 1-based line of the [[case]] header in its file
    problem: str | None = None  # why the case cannot run (reported as a failure)
    # found only by our search: upstream's generator writes no such case, so a suite
    # without it is still current (never written to the file)
    extended: bool = False


@dataclass
class FixtureFile:
    path: str  # relative to the suite directory
    target: str
    description: str = ""
    cases: list[Case] = field(default_factory=list)
    problem: str | None = None

    @property
    def kind(self) -> str:
        return self.target.split(":", 1)[0]

    @property
    def target_id(self) -> str:
        return self.target.split(":", 1)[1] if ":" in self.target else ""


@dataclass
class Suite:
    directory: str  # display path of the suite directory
    workspace: str | None
    files: list[FixtureFile]


def _case_lines(text: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "[[case]]"]


def _expectation(data: Any) -> Expectation:
    if not isinstance(data, dict) or "value" not in data:
        raise ValueError("expect must be a table with a value")
    buckets = []
    for item in data.get("bucket", []):
        buckets.append(
            BucketExpectation(
                str(item["attribute"]),
                str(item["salt"]),
                [int(x) for x in item["range"]],
                int(item["value"]),
            )
        )
    rule = data.get("matched_rule")
    return Expectation(
        value=data["value"],
        value_key=data.get("value_key"),
        matched=data.get("matched"),
        matched_rule=int(rule) if rule is not None else None,
        matched_qualifier=data.get("matched_qualifier"),
        buckets=buckets,
    )


def parse_fixture_file(path: str, text: str, target: str | None = None) -> FixtureFile:
    """Parse one fixture file; problems become per-file or per-case problems, never raises."""
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, or a huge integer
        return FixtureFile(path, target or "", problem=f"{path} is not valid TOML: {exc}")
    file_target = data.get("target", target or "")
    fixture = FixtureFile(path, str(file_target), str(data.get("description", "")))
    if data.get("schema_version") != 1:
        fixture.problem = f"{path} must declare schema_version = 1"
        return fixture
    if (
        not isinstance(file_target, str)
        or file_target.split(":", 1)[0] not in ("variable", "qualifier")
        or ":" not in file_target
    ):
        fixture.problem = f"{path}: target must be variable:<id> or qualifier:<id>"
        return fixture
    lines = _case_lines(text)
    cases = data.get("case", [])
    if not isinstance(cases, list):
        fixture.problem = f"{path}: case must be an array of tables"
        return fixture
    for index, raw in enumerate(cases):
        line = lines[index] if index < len(lines) else 1
        if not isinstance(raw, dict):
            fixture.cases.append(
                Case(f"case-{index}", "", {}, None, line=line, problem="case must be a table")
            )
            continue
        case = Case(
            id=str(raw.get("id", f"case-{index}")),
            title=str(raw.get("title", "")),
            context={},
            expect=None,
            because=raw.get("because"),
            generated=bool(raw.get("generated", False)),
            line=line,
        )
        context = raw.get("context", {})
        if not isinstance(context, dict):
            case.problem = "context must be a table"
        else:
            case.context = context
        try:
            case.expect = _expectation(raw.get("expect"))
        except (ValueError, KeyError, TypeError) as exc:
            case.problem = case.problem or f"case has no usable expect: {exc}"
        fixture.cases.append(case)
    return fixture


def _safe_join(base: PurePosixPath, rel: str) -> str | None:
    parts: list[str] = list(base.parts)
    for part in PurePosixPath(rel).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part.startswith("/"):
            return None
        else:
            parts.append(part)
    return "/".join(parts)


def read_suite_from_tree(tree: Tree, manifest_path: str) -> Suite:
    """A suite whose manifest lives at `manifest_path` inside a workspace tree."""
    try:
        text = tree.read(manifest_path).decode("utf-8")
        data = tomllib.loads(text)
    except (RototoError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SuiteError(f"cannot read fixture suite {manifest_path}: {exc}") from None
    base = PurePosixPath(manifest_path).parent
    suite = Suite(str(base), data.get("workspace"), [])
    entries = data.get("fixture", [])
    if data.get("schema_version") != 1 or not isinstance(entries, list):
        raise SuiteError(f"{manifest_path} must declare schema_version = 1 and [[fixture]] tables")
    available = set(tree.files())
    for entry in entries:
        rel = entry.get("path") if isinstance(entry, dict) else None
        target = entry.get("target", "") if isinstance(entry, dict) else ""
        if not isinstance(rel, str):
            suite.files.append(FixtureFile("?", str(target), problem="fixture entry has no path"))
            continue
        rel = rel.removeprefix("./")
        joined = _safe_join(base if str(base) != "." else PurePosixPath(), rel)
        if joined is None or joined not in available:
            suite.files.append(
                FixtureFile(rel, str(target), problem=f"fixture file not found: {rel}")
            )
            continue
        try:
            file_text = tree.read(joined).decode("utf-8")
        except (RototoError, UnicodeDecodeError) as exc:
            suite.files.append(FixtureFile(rel, str(target), problem=str(exc)))
            continue
        parsed = parse_fixture_file(rel, file_text, str(target))
        if target and parsed.target and parsed.target != target and not parsed.problem:
            parsed.problem = f"{rel}: target {parsed.target} differs from the suite's {target}"
        suite.files.append(parsed)
    return suite


def suite_manifests(tree: Tree) -> list[str]:
    return [p for p in tree.files() if p == SUITE_FILE or p.endswith("/" + SUITE_FILE)]


def fixture_contexts(tree: Tree) -> list[DeclaredContext]:
    """The context of every fixture case found in a workspace tree, named path#case-id."""
    found: list[DeclaredContext] = []
    for manifest in suite_manifests(tree):
        try:
            suite = read_suite_from_tree(tree, manifest)
        except SuiteError:
            continue
        prefix = "" if suite.directory == "." else suite.directory + "/"
        for fixture in suite.files:
            for case in fixture.cases:
                if case.problem is None:
                    found.append(
                        DeclaredContext(
                            f"{prefix}{fixture.path}#{case.id}", case.context, target=fixture.target
                        )
                    )
    return found


# -- writing ---------------------------------------------------------------


def _toml_value(value: Any) -> Any:
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for key in sorted(value):
            table.append(key, _toml_value(value[key]))
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        for item in value:
            array.append(_toml_value(item))
        return array
    return value


def _context_table(context: dict[str, Any]) -> Any:
    table = tomlkit.table()
    for key in sorted(context):
        value = context[key]
        table.add(
            key, _context_table(value) if isinstance(value, dict) and value else _toml_value(value)
        )
    return table


def render_fixture_file(fixture: FixtureFile) -> str:
    doc = tomlkit.document()
    doc.add("schema_version", 1)
    doc.add("target", fixture.target)
    doc.add("description", fixture.description)
    cases = tomlkit.aot()
    for case in fixture.cases:
        table = tomlkit.table()
        table.add("id", case.id)
        table.add("title", case.title)
        if case.because:
            table.add("because", case.because)
        table.add("generated", case.generated)
        table.add("context", _context_table(case.context))
        expect = tomlkit.table()
        assert case.expect is not None
        e = case.expect
        expect.add("value", _toml_value(e.value))
        if e.value_key is not None:
            expect.add("value_key", e.value_key)
        if e.matched is not None:
            expect.add("matched", e.matched)
        if e.matched_rule is not None:
            expect.add("matched_rule", e.matched_rule)
        if e.matched_qualifier is not None:
            expect.add("matched_qualifier", e.matched_qualifier)
        if e.buckets:
            buckets = tomlkit.aot()
            for b in e.buckets:
                bt = tomlkit.table()
                bt.add("attribute", b.attribute)
                bt.add("salt", b.salt)
                bt.add("range", b.range)
                bt.add("value", b.value)
                buckets.append(bt)
            expect.add("bucket", buckets)
        table.add("expect", expect)
        cases.append(table)
    doc.add("case", cases)
    return tomlkit.dumps(doc)


def render_manifest(files: list[FixtureFile], workspace: str | None) -> str:
    doc = tomlkit.document()
    doc.add("schema_version", 1)
    if workspace:
        doc.add("workspace", workspace)
    entries = tomlkit.aot()
    for fixture in files:
        entry = tomlkit.table()
        entry.add("path", fixture.path)
        entry.add("target", fixture.target)
        entries.append(entry)
    doc.add("fixture", entries)
    return tomlkit.dumps(doc)
