"""`rototo test`: the lint gate, every fixture case, every declared context."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.errors import RototoError
from ..engine.resolve import QualifierTrace, VariableTrace, strict_equal
from ..engine.tree import DirTree, Tree
from ..engine.workspace import Workspace
from .contexts import DeclaredContext, declared_contexts
from .coverage import CoverageCollector
from .suite import Case, FixtureFile, Suite, read_suite_from_tree, suite_manifests


@dataclass
class TestCase:
    suite: str  # a fixture file path, "lint", or "contexts/..."
    name: str
    passed: bool
    message: str = ""
    details: str = ""
    file: str | None = None  # repository- or workspace-relative file for annotations
    line: int | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
            "details": self.details,
            "file": self.file,
            "line": self.line,
        }


@dataclass
class TestReport:
    workspace: str
    cases: list[TestCase] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # where silence would mislead

    @property
    def failed(self) -> list[TestCase]:
        return [c for c in self.cases if not c.passed]

    def suites(self) -> dict[str, list[TestCase]]:
        grouped: dict[str, list[TestCase]] = {}
        for case in self.cases:
            grouped.setdefault(case.suite, []).append(case)
        return grouped

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "summary": {
                "tests": len(self.cases),
                "failed": len(self.failed),
                "passed": len(self.cases) - len(self.failed),
            },
            "cases": [c.to_json() for c in self.cases],
        }


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def trace_text(trace: VariableTrace | QualifierTrace) -> str:
    lines = []
    if isinstance(trace, VariableTrace):
        lines.append(
            f"selected {trace.resolution.value_key} = {_j(trace.resolution.value)} "
            f"(default {trace.default_value})"
        )
        for rule in trace.rules:
            lines.append(
                f"rule {rule.index}: {rule.qualifier} -> {rule.value}: "
                f"{'matched' if rule.matched else 'not matched'}"
            )
        qualifiers = trace.qualifier_traces
    else:
        qualifiers = [trace]
    for q in qualifiers:
        lines.append(f"qualifier {q.id} = {str(q.value).lower()}")
        for p in q.predicates:
            if p.kind == "bucket" and p.bucket:
                lines.append(
                    f"  #{p.index} bucket {p.attribute} salt={p.bucket['salt']} "
                    f"value={p.bucket.get('value')} range=[{p.bucket['start']}, "
                    f"{p.bucket['end']}) -> {str(p.result).lower()}"
                )
            else:
                lines.append(
                    f"  #{p.index} {p.attribute} {p.op} {_j(p.expected)} "
                    f"(actual {_j(p.actual)}) -> {str(p.result).lower()}"
                )
    return "\n".join(lines)


def check_case(
    workspace: Workspace,
    fixture: FixtureFile,
    case: Case,
    coverage: CoverageCollector | None = None,
) -> tuple[bool, str, str]:
    """(passed, message, trace details) for one fixture case; `coverage` counts its trace."""
    if fixture.problem:
        return False, fixture.problem, ""
    if case.problem or case.expect is None:
        return False, case.problem or "case has no expect table", ""
    expect = case.expect
    try:
        if fixture.kind == "variable":
            trace: VariableTrace | QualifierTrace = workspace.trace_variable(
                fixture.target_id, case.context
            )
            if coverage is not None:
                coverage.add_variable_trace(fixture.target_id, trace)
        else:
            workspace.require_qualifier(fixture.target_id)
            evaluation = workspace.evaluation(case.context, trace=True)
            trace = workspace.trace_qualifier(
                fixture.target_id, case.context, evaluation=evaluation
            )
            if coverage is not None:
                coverage.add_qualifier_traces(evaluation.qualifier_traces_for([fixture.target_id]))
    except RototoError as error:
        return False, f"resolution failed: {error}", ""
    problems = []
    if isinstance(trace, VariableTrace):
        actual_value, actual_key = trace.resolution.value, trace.resolution.value_key
        matched = next((r for r in trace.rules if r.matched), None)
        if expect.value_key is not None and expect.value_key != actual_key:
            problems.append(f"value_key: expected {expect.value_key}, got {actual_key}")
        if expect.matched == "default" and matched is not None:
            problems.append(f"matched: expected the default, got rule {matched.index}")
        if expect.matched_rule is not None and (
            matched is None or matched.index != expect.matched_rule
        ):
            got = "the default" if matched is None else f"rule {matched.index}"
            problems.append(f"matched_rule: expected {expect.matched_rule}, got {got}")
        if expect.matched_qualifier is not None and (
            matched is None or matched.qualifier != expect.matched_qualifier
        ):
            got = "none" if matched is None else matched.qualifier
            problems.append(f"matched_qualifier: expected {expect.matched_qualifier}, got {got}")
        qualifier_traces = trace.qualifier_traces
    else:
        actual_value, qualifier_traces = trace.value, [trace]
    if not strict_equal(_normalize(expect.value), actual_value):
        problems.append(f"value: expected {_j(expect.value)}, got {_j(actual_value)}")
    buckets = {
        (p.attribute, p.bucket["salt"]): p.bucket
        for q in qualifier_traces
        for p in q.predicates
        if p.kind == "bucket" and p.bucket
    }
    for b in expect.buckets:
        found = buckets.get((b.attribute, b.salt))
        if found is None:
            problems.append(f"bucket {b.attribute}/{b.salt}: not evaluated")
        elif found.get("value") != b.value:
            problems.append(
                f"bucket {b.attribute}/{b.salt}: expected {b.value}, got {found.get('value')}"
            )
    return not problems, "; ".join(problems), trace_text(trace)


def _normalize(value: Any) -> Any:
    """TOML values as JSON values (datetimes and other scalars pass through)."""
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    return value


@dataclass
class TestOptions:
    fixtures: list[Path] = field(default_factory=list)
    contexts: list[DeclaredContext] = field(default_factory=list)
    progress: Callable[[str], None] | None = None
    coverage: CoverageCollector | None = None  # counts what every resolution exercised


def _external_suites(paths: list[Path]) -> list[tuple[Suite, Tree, str]]:
    found = []
    for path in paths:
        if path.is_file():
            tree: Tree = DirTree(path.parent)
            manifests = [path.name]
            label = str(path.parent)
        elif path.is_dir():
            tree = DirTree(path)
            manifests = suite_manifests(tree)
            label = str(path)
        else:
            raise RototoError(f"--fixtures {path} does not exist")
        for manifest in manifests:
            found.append((read_suite_from_tree(tree, manifest), tree, label))
    return found


def run_tests(workspace: Workspace, options: TestOptions) -> TestReport:
    report = TestReport(workspace.root)
    tree = workspace.source.tree
    errors = [d for d in workspace.diagnostics if d.is_error]
    lint_case = TestCase(
        "lint",
        "lint gate",
        not errors,
        f"{len(errors)} lint error(s)" if errors else "",
        "\n".join(f"{d.path}: {d.rule}: {d.message}" for d in errors),
        file=errors[0].path if errors else None,
        line=errors[0].range.start.line + 1 if errors and errors[0].range else None,
    )
    report.cases.append(lint_case)
    if errors:
        return report  # an application would refuse this workspace: nothing resolves
    suites = [(read_suite_from_tree(tree, m), "") for m in suite_manifests(tree)]
    suites += [(suite, label) for suite, _, label in _external_suites(options.fixtures)]
    for path in options.fixtures:
        if path.is_dir() and not suite_manifests(DirTree(path)):
            report.warnings.append(f"no fixture suite (rototo-fixtures.toml) under {path}")
    for suite, label in suites:
        base = label or ("" if suite.directory == "." else suite.directory)
        if not suite.files:
            manifest = f"{base}/rototo-fixtures.toml" if base else "rototo-fixtures.toml"
            report.warnings.append(f"fixture suite {manifest} lists no fixtures: none ran")
        for fixture in suite.files:
            name = f"{base}/{fixture.path}" if base else fixture.path
            if options.progress:
                options.progress(name)
            if fixture.problem:
                report.cases.append(
                    TestCase(name, fixture.path, False, fixture.problem, file=name, line=1)
                )
                continue
            for case in fixture.cases:
                start = time.perf_counter()
                passed, message, details = check_case(workspace, fixture, case, options.coverage)
                report.cases.append(
                    TestCase(
                        name,
                        case.id,
                        passed,
                        message,
                        details,
                        file=name,
                        line=case.line,
                        seconds=time.perf_counter() - start,
                    )
                )
    contexts = declared_contexts(tree) + options.contexts
    if len(report.cases) == 1 and not contexts:
        report.warnings.append(
            "nothing to test beyond the lint gate: no fixture cases and no declared contexts "
            "(`rototo fixtures --out DIR` writes suites; contexts/*.json declares contexts)"
        )
    runtime = workspace.runtime()
    for declared in contexts:
        group = declared.name
        if options.progress:
            options.progress(group)
        if declared.context is None:
            report.cases.append(
                TestCase(
                    group,
                    "context is readable",
                    False,
                    declared.error or "unreadable",
                    file=group,
                    line=1,
                )
            )
            continue
        try:
            evaluation = workspace.evaluation(declared.context, trace=options.coverage is not None)
        except RototoError as error:
            report.cases.append(
                TestCase(group, "matches the context schema", False, str(error), file=group, line=1)
            )
            continue
        report.cases.append(TestCase(group, "matches the context schema", True))
        for vid in runtime.variables:
            try:
                if options.coverage is not None:
                    trace = workspace.trace_variable(vid, None, evaluation=evaluation)
                    options.coverage.add_variable_trace(vid, trace)
                    resolution = trace.resolution
                else:
                    resolution, _ = evaluation.variable(vid)
                report.cases.append(
                    TestCase(group, f"resolves {vid}", True, details=f"{resolution.value_key}")
                )
            except RototoError as error:
                report.cases.append(
                    TestCase(group, f"resolves {vid}", False, str(error), file=group, line=1)
                )
    return report
