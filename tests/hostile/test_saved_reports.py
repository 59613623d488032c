"""`rototo render` reads reports someone else wrote (the fork pattern's privileged job
renders the report a pull request's job uploaded): a field of the wrong type is one
`rototo: error:` line and exit 2, never an internal error, and `--format json` never
writes what is not JSON (NaN, Infinity)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..cli.conftest import run_cli
from ..review.conftest import Repo
from ..review.conftest import repo as repo  # noqa: F401  (the fixture)
from ..review.test_outcomes import _broken_repo

ODD: list[Any] = [
    1,
    1.5,
    float("nan"),
    float("inf"),
    [1],
    {"a": 1},
    True,
    '\u2028"\\\x01',
    "\ud800x",
    10**30,
    "",
]
FIELDS = [("resolutions", f) for f in ("variable", "context", "kind", "before", "after")]
FIELDS += [("resolutions", "path"), ("resolutions", "line"), ("changes", "line")]
FIELDS += [("changes", f) for f in ("kind", "target", "path", "detail", "summary")]
FIELDS += [("workspace", f) for f in ("path", "head_loadable", "lint", "changes", "base")]


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def saved(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    _broken_repo(repo)
    monkeypatch.chdir(repo.root)
    out = tmp_path / "report.json"
    result = run_cli("diff", "HEAD~1..HEAD", "--output", f"json={out}", "--fail-on", "never")
    assert result.code == 0, result.err
    return out.read_text()


def test_odd_types_in_a_saved_report_are_one_error_line(saved: str, tmp_path: Path) -> None:
    problems = []
    rendered = 0
    for where, field in FIELDS:
        for odd in ODD:
            data = json.loads(saved)
            workspace = data["workspaces"][0]
            assert workspace[where] if where != "workspace" else True
            for record in [workspace] if where == "workspace" else workspace[where]:
                record[field] = odd
            path = tmp_path / "odd.json"
            path.write_text(json.dumps(data))
            for fmt in ("text", "markdown", "github", "json"):
                result = run_cli("render", str(path), "--format", fmt)
                case = (where, field, repr(odd), fmt, result.code, result.err[-200:])
                if result.code == 2:
                    if not result.err.startswith("rototo: error:") or result.err.count("\n") != 1:
                        problems.append(case)
                    continue
                rendered += 1
                if result.code not in (0, 1) or "Traceback" in result.err:
                    problems.append(case)
                elif fmt == "json":
                    try:
                        _strict(result.out)
                    except ValueError as error:
                        problems.append((*case, str(error)))
    assert not problems, "\n".join(map(repr, problems))
    assert rendered > 300  # most odd values are still rendered (as text), not refused


def test_nan_in_a_saved_report_is_refused(saved: str, tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text(saved.replace('"line": ', '"line": NaN, "was": ', 1))
    result = run_cli("render", str(path), "--format", "json")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("rototo: error:") and "NaN" in result.err
