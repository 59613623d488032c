"""The total of saved coverage files (Cobertura XML or LCOV), for the PR comment.

`rototo test --coverage` writes one file per workspace; a comment (one job, a matrix
of jobs, or the fork pattern's second workflow) shows one total. Files are read back
as coverage tools read them, merged by source path (two workspaces that extend one
parent report its lines twice; they count once), and summed with the same formula
as `rototo test`: covered lines and branch outcomes over all of them.

These files may come from a pull request's artifact: they are untrusted input, read
with a size cap, no entity declarations and no network or file access by the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.errors import RototoError
from .coverage import Totals

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_FILES = 1024
_CONDITION = re.compile(r"\s*\d+(?:\.\d+)?%\s*\((\d+)/(\d+)\)\s*")


@dataclass
class LineCount:
    hits: int = 0
    branches_valid: int = 0
    branches_covered: int = 0

    def merge(self, hits: int, valid: int, covered: int) -> None:
        self.hits += hits
        # the same line seen by two reports: its best branch coverage (outcomes seen by
        # different reports cannot be told apart in Cobertura's `(covered/valid)`)
        self.branches_valid = max(self.branches_valid, valid)
        self.branches_covered = min(self.branches_valid, max(self.branches_covered, covered))


@dataclass
class CoverageTotals:
    """Line counts per source file, merged over several coverage files."""

    files: dict[str, dict[int, LineCount]] = field(default_factory=dict)
    sources: int = 0  # coverage files read

    def add(self, path: str, line: int, hits: int, valid: int = 0, covered: int = 0) -> None:
        lines = self.files.setdefault(path, {})
        lines.setdefault(line, LineCount()).merge(hits, valid, covered)

    @property
    def totals(self) -> Totals:
        result = Totals()
        for lines in self.files.values():
            for count in lines.values():
                result.add_counts(count.hits, count.branches_valid, count.branches_covered)
        return result


def _int(text: str | None, what: str, origin: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise RototoError(f"{origin}: {what} is not a number") from None
    if value < 0:
        raise RototoError(f"{origin}: {what} is negative")
    return value


def _read_cobertura(data: bytes, origin: str, into: CoverageTotals) -> None:
    import xml.etree.ElementTree as ET

    # UTF-16 (which expat detects by itself) would spell a declaration with NUL bytes
    # between its letters; no NUL byte: an ASCII-compatible encoding, where it is seen
    if b"\x00" in data:
        raise RototoError(f"{origin}: a coverage file must be UTF-8 (NUL bytes found)")
    if b"<!ENTITY" in data:
        raise RototoError(f"{origin}: entity declarations are not accepted in a coverage file")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise RototoError(f"{origin}: not well-formed XML ({exc})") from None
    if root.tag != "coverage":
        raise RototoError(f"{origin}: not a Cobertura report (root <{root.tag}>)")
    for klass in root.iter("class"):
        filename = klass.get("filename") or klass.get("name") or ""
        for line in klass.iter("line"):
            number = _int(line.get("number"), "a line number", origin)
            hits = _int(line.get("hits"), "a hit count", origin)
            valid = covered = 0
            if (line.get("branch") or "").lower() == "true":
                found = _CONDITION.fullmatch(line.get("condition-coverage") or "")
                if found:
                    covered, valid = int(found.group(1)), int(found.group(2))
            into.add(filename, number, hits, valid, min(covered, valid))


def _read_lcov(text: str, origin: str, into: CoverageTotals) -> None:
    source: str | None = None
    branches: dict[int, list[int]] = {}  # line -> [valid, covered]
    lines: dict[int, int] = {}

    def flush() -> None:
        if source is None:
            return
        for number in sorted(set(lines) | set(branches)):
            valid, covered = branches.get(number, [0, 0])
            into.add(source, number, lines.get(number, 0), valid, covered)

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{origin}:{number}"
        if line.startswith("SF:"):
            flush()
            source, branches, lines = line[3:], {}, {}
        elif line == "end_of_record":
            flush()
            source = None
        elif line.startswith("DA:") and source is not None:
            parts = line[3:].split(",")
            if len(parts) < 2:
                raise RototoError(f"{where}: a DA record needs a line and a count")
            at = _int(parts[0], "a line number", where)
            lines[at] = lines.get(at, 0) + _int(parts[1], "a hit count", where)
        elif line.startswith("BRDA:") and source is not None:
            parts = line[5:].split(",")
            if len(parts) != 4:
                raise RototoError(f"{where}: a BRDA record has four fields")
            at = _int(parts[0], "a line number", where)
            taken = parts[3].strip()
            count = branches.setdefault(at, [0, 0])
            count[0] += 1
            count[1] += taken not in ("-", "0") and _int(taken, "a branch count", where) > 0
    flush()


def read_coverage_files(paths: list[Path]) -> CoverageTotals:
    """The merged counts of Cobertura (`<coverage>` XML) and LCOV files, sniffed by content."""
    if len(paths) > MAX_FILES:
        raise RototoError(f"more than {MAX_FILES} coverage files")
    result = CoverageTotals()
    for path in paths:
        origin = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise RototoError(f"{origin}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            data = path.read_bytes()
        except OSError as exc:
            raise RototoError(f"cannot read {origin}: {exc.strerror}") from None
        head = data.lstrip()[:200]
        if head.startswith(b"<"):
            _read_cobertura(data, origin, result)
        else:
            _read_lcov(data.decode("utf-8", "replace"), origin, result)
        result.sources += 1
    return result
