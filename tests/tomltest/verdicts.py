"""Reference verdicts on the TOML 1.0 cases of the toml-test suite.

Each case is placed as a variable document of one workspace (`variables/c<N>.toml`); a
case is refused when the document gets a `*-parse-failed` diagnostic. `reference()` asks
the reference engine (rototo==0.1.0a4) live; `python -m tests.tomltest.verdicts` writes
its answers to reference-verdicts.json so the default test run does not need it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
RECORDED = HERE / "reference-verdicts.json"
MANIFEST = "schema_version = 1\n"


def case_names() -> list[str]:
    """The TOML files the suite lists for TOML 1.0, e.g. `invalid/array/double-comma-01`."""
    listed = (HERE / "files-toml-1.0.0").read_text().split()
    return [name[: -len(".toml")] for name in listed if name.endswith(".toml")]


def document_path(index: int) -> str:
    return f"variables/c{index:04d}.toml"


def build_workspace(root: Path, names: list[str]) -> Path:
    """One workspace holding every case as a variable document, byte for byte."""
    (root / "variables").mkdir(parents=True, exist_ok=True)
    (root / "rototo-workspace.toml").write_text(MANIFEST)
    for index, name in enumerate(names):
        (root / document_path(index)).write_bytes((CASES / f"{name}.toml").read_bytes())
    return root


def _range_text(rng: dict[str, Any] | None) -> str | None:
    if rng is None:
        return None
    return (
        f"{rng['start']['line']}:{rng['start']['character']}-"
        f"{rng['end']['line']}:{rng['end']['character']}"
    )


def verdicts(diagnostics: list[dict[str, Any]], names: list[str]) -> dict[str, dict[str, Any]]:
    """{case: {"accepted": bool, "range": "l:c-l:c" | None}} from lint diagnostics."""
    failures = {
        d["location"]["path"]: d for d in diagnostics if d["rule"].endswith("-parse-failed")
    }
    out = {}
    for index, name in enumerate(names):
        failure = failures.get(document_path(index))
        out[name] = {
            "accepted": failure is None,
            "range": None if failure is None else _range_text(failure["location"].get("range")),
        }
    return out


def reference(root: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    from tests.oracle.lint import reference_lint

    (report,) = reference_lint([build_workspace(root, names)])
    if "error" in report:
        raise RuntimeError(f"the reference refused the workspace: {report['error']}")
    return verdicts(report["diagnostics"], names)


def ours(root: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    from tests.oracle.lint import ours_lint

    report = ours_lint(build_workspace(root, names))
    return verdicts(report["diagnostics"], names)


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        answers = reference(Path(tmp) / "ws", case_names())
    RECORDED.write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")
    refused = sum(1 for a in answers.values() if not a["accepted"])
    sys.stdout.write(f"{len(answers)} cases, {refused} refused by the reference\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
