"""Coverage of configuration: which defaults, rules, values and predicates the tests exercise.

A workspace file is a source file. Its "lines" are where a variable's `default`,
each `[[resolve.rule]]`, each `[values]` key and each qualifier `[[predicate]]`
start (SPEC §4). A rule or predicate is a branch with two outcomes: true (the
rule matched, the predicate held) and false (skipped, did not hold). A default
is hit when a resolution falls through to it; a value key when it is selected.

Only what was evaluated counts: rules after the first match are not evaluated,
and a `qualifier.<id>` predicate is not evaluated once an earlier predicate of
its qualifier was false. A resolution that fails contributes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..engine.documents import Document
from ..engine.model import Model
from ..engine.resolve import QualifierTrace, VariableTrace
from ..engine.tomlspan import TNode, TTable

KINDS = ("default", "rule", "value", "predicate")


@dataclass
class CoveredLine:
    """One coverable line: what starts there and how often each outcome was seen."""

    path: str  # workspace-relative document path
    line: int  # 1-based
    kind: str  # one of KINDS
    entity: str  # "variable:<id>" or "qualifier:<id>"
    label: str  # e.g. "rule 0 (beta -> on)", "value on", "predicate 1 (plan eq)"
    hits: int = 0
    true_hits: int = 0  # branches only
    false_hits: int = 0

    @property
    def branch(self) -> bool:
        return self.kind in ("rule", "predicate")

    @property
    def covered(self) -> bool:
        return self.hits > 0

    @property
    def branches_covered(self) -> int:
        return (self.true_hits > 0) + (self.false_hits > 0) if self.branch else 0

    @property
    def branches_valid(self) -> int:
        return 2 if self.branch else 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "kind": self.kind,
            "entity": self.entity,
            "label": self.label,
            "hits": self.hits,
        }
        if self.branch:
            data["true"] = self.true_hits
            data["false"] = self.false_hits
        return data


@dataclass
class SourceLine:
    """A line of a workspace file as coverage tools see it: the entries starting on it
    (usually one; an inline table can hold several) added together."""

    path: str
    line: int
    entries: list[CoveredLine]

    @property
    def hits(self) -> int:
        return sum(entry.hits for entry in self.entries)

    @property
    def branch(self) -> bool:
        return any(entry.branch for entry in self.entries)

    @property
    def branches_valid(self) -> int:
        return sum(entry.branches_valid for entry in self.entries)

    @property
    def branches_covered(self) -> int:
        return sum(entry.branches_covered for entry in self.entries)

    @property
    def covered(self) -> bool:
        return self.hits > 0


@dataclass
class Totals:
    lines_valid: int = 0
    lines_covered: int = 0
    branches_valid: int = 0
    branches_covered: int = 0

    def add(self, line: SourceLine) -> None:
        self.add_counts(line.hits, line.branches_valid, line.branches_covered)

    def add_counts(self, hits: int, branches_valid: int, branches_covered: int) -> None:
        """One source line: how often it ran and its branch outcomes (valid, covered)."""
        self.lines_valid += 1
        self.lines_covered += hits > 0
        self.branches_valid += branches_valid
        self.branches_covered += branches_covered

    @property
    def line_rate(self) -> float:
        return self.lines_covered / self.lines_valid if self.lines_valid else 1.0

    @property
    def branch_rate(self) -> float:
        return self.branches_covered / self.branches_valid if self.branches_valid else 1.0

    @property
    def percent(self) -> float:
        """The total the gate reads: covered lines and branch outcomes over all of them."""
        valid = self.lines_valid + self.branches_valid
        if not valid:
            return 100.0
        return 100.0 * (self.lines_covered + self.branches_covered) / valid

    def to_json(self) -> dict[str, Any]:
        return {
            "lines_valid": self.lines_valid,
            "lines_covered": self.lines_covered,
            "branches_valid": self.branches_valid,
            "branches_covered": self.branches_covered,
            "percent": round(self.percent, 2),
        }


def totals(lines: Iterable[SourceLine]) -> Totals:
    result = Totals()
    for line in lines:
        result.add(line)
    return result


@dataclass
class CoverageReport:
    workspace: str
    entries: list[CoveredLine] = field(default_factory=list)  # ordered by path, then line

    def files(self) -> dict[str, list[SourceLine]]:
        """Source lines per file, both in order."""
        grouped: dict[str, dict[int, SourceLine]] = {}
        for entry in self.entries:
            lines = grouped.setdefault(entry.path, {})
            found = lines.get(entry.line)
            if found is None:
                lines[entry.line] = SourceLine(entry.path, entry.line, [entry])
            else:
                found.entries.append(entry)
        return {path: [lines[n] for n in sorted(lines)] for path, lines in sorted(grouped.items())}

    @property
    def lines(self) -> list[SourceLine]:
        return [line for lines in self.files().values() for line in lines]

    @property
    def totals(self) -> Totals:
        return totals(self.lines)

    def uncovered(self) -> list[CoveredLine]:
        """Entries never hit, and branches that saw only one outcome."""
        return [
            entry
            for entry in self.entries
            if not entry.covered or entry.branches_covered < entry.branches_valid
        ]

    def relocated(self, where: Callable[[str], str]) -> CoverageReport:
        """The same counts with each file's path mapped by `where` (e.g. to its real file)."""
        from dataclasses import replace

        entries = [replace(entry, path=where(entry.path)) for entry in self.entries]
        entries.sort(key=lambda entry: (entry.path, entry.line, entry.kind))
        return CoverageReport(self.workspace, entries)

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "summary": self.totals.to_json(),
            "entries": [entry.to_json() for entry in self.entries],
        }


def _line_of(doc: Document, offset: int) -> int:
    return doc.lines.position(offset).line + 1


def _table_start(node: TNode) -> int:
    """Where a table starts: its `[[header]]` when it has one, else its first character."""
    if isinstance(node, TTable) and node.header_start >= 0:
        return node.header_start
    return node.start


class CoverageCollector:
    """Builds the line table from a workspace model and counts outcomes from traces."""

    def __init__(self, model: Model, workspace: str = "") -> None:
        self.workspace = workspace
        self._lines: list[CoveredLine] = []
        self._defaults: dict[str, CoveredLine] = {}
        self._rules: dict[tuple[str, int], CoveredLine] = {}
        self._values: dict[tuple[str, str], CoveredLine] = {}
        self._predicates: dict[tuple[str, int], CoveredLine] = {}
        for variable in model.variables.values():
            self._add_variable(variable)
        for qualifier in model.qualifiers.values():
            doc = qualifier.doc
            for predicate in qualifier.predicates:
                if predicate.node is None:
                    continue
                line = self._line(
                    doc,
                    _table_start(predicate.node),
                    "predicate",
                    f"qualifier:{qualifier.id}",
                    f"predicate {predicate.index} ({predicate.attribute} {predicate.op})",
                )
                self._predicates[(qualifier.id, predicate.index)] = line

    def _line(self, doc: Document, offset: int, kind: str, entity: str, label: str) -> CoveredLine:
        line = CoveredLine(doc.path, _line_of(doc, offset), kind, entity, label)
        self._lines.append(line)
        return line

    def _add_variable(self, variable: Any) -> None:
        doc: Document = variable.doc
        root = doc.toml
        if root is None:
            return
        entity = f"variable:{variable.id}"
        resolve = root.get("resolve")
        if isinstance(resolve, TTable):
            entry = resolve.entries.get("default")
            if entry is not None and variable.default is not None:
                self._defaults[variable.id] = self._line(
                    doc, entry.key_start, "default", entity, f"default {variable.default}"
                )
        for rule in variable.rules:
            if rule.node is None:
                continue
            self._rules[(variable.id, rule.index)] = self._line(
                doc,
                _table_start(rule.node),
                "rule",
                entity,
                f"rule {rule.index} ({rule.qualifier} -> {rule.value})",
            )
        values = root.get("values")
        if variable.resource is None and isinstance(values, TTable):
            for key, entry in values.entries.items():
                self._values[(variable.id, key)] = self._line(
                    doc, entry.key_start, "value", entity, f"value {key}"
                )

    # -- counting ----------------------------------------------------------
    def add_variable_trace(self, variable_id: str, trace: VariableTrace) -> None:
        """One resolution of a variable, with the qualifier traces it reached."""
        matched = False
        for rule in trace.rules:
            line = self._rules.get((variable_id, rule.index))
            matched = matched or rule.matched
            if line is None:
                continue
            line.hits += 1
            if rule.matched:
                line.true_hits += 1
            else:
                line.false_hits += 1
        if not matched:
            default = self._defaults.get(variable_id)
            if default is not None:
                default.hits += 1
        value = self._values.get((variable_id, trace.resolution.value_key))
        if value is not None:
            value.hits += 1
        self.add_qualifier_traces(trace.qualifier_traces)

    def add_qualifier_traces(self, traces: Iterable[QualifierTrace]) -> None:
        for qualifier in traces:
            for predicate in qualifier.predicates:
                line = self._predicates.get((qualifier.id, predicate.index))
                if line is None:
                    continue
                line.hits += 1
                if predicate.result:
                    line.true_hits += 1
                else:
                    line.false_hits += 1

    def report(self) -> CoverageReport:
        ordered = sorted(self._lines, key=lambda line: (line.path, line.line, line.kind))
        return CoverageReport(self.workspace, ordered)
