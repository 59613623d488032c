"""Golden files for the text renderers; regenerate with UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from rototo_ci.engine import Workspace
from rototo_ci.engine.context import merge_context_inputs
from rototo_ci.render.diff_github import render_github
from rototo_ci.render.diff_text import render_text
from rototo_ci.render.lint_github import render_lint_github
from rototo_ci.render.lint_text import render_lint_text
from rototo_ci.render.resolve_text import render_resolve_text
from rototo_ci.review.diff import DiffOptions, run_diff
from rototo_ci.testing.contexts import context_set

from ..cli.conftest import EXAMPLE, ROOT
from ..review.conftest import Repo

GOLDEN = Path(__file__).with_name("golden")


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs; UPDATE_GOLDEN=1 regenerates it"


@pytest.fixture
def example_diff(tmp_path: Path):
    repo = Repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo.root / "config")
    repo.commit("example")
    projects = repo.root / "config" / "variables" / "max-projects.toml"
    projects.write_text(projects.read_text().replace("paid = 25", "paid = 30"))
    residency = repo.root / "config" / "variables" / "data-residency.toml"
    residency.write_text(residency.read_text().replace('default = "us"', 'default = "moon"'))
    repo.commit("change")
    return run_diff(DiffOptions(range="HEAD~1..HEAD", cwd=repo.root), context_set)


def test_diff_text_golden(example_diff) -> None:
    report = example_diff
    report.base["commit"] = "0" * 40  # commits differ between runs
    _check("diff.txt", render_text(report, color=False, width=120))


def test_diff_github_golden(example_diff) -> None:
    _check("diff-github.txt", render_github(example_diff))


def test_lint_text_golden() -> None:
    case = ROOT / "fixtures" / "lint" / "variable-rule-shadowed"
    workspace = Workspace.inspect(str(case))

    def lines_of(path: str) -> list[str]:
        return (case / path).read_text().splitlines()

    _check("lint.txt", render_lint_text(workspace.diagnostics, lines_of, color=False))
    assert json.loads((case / "expected.json").read_text())["diagnostics"]


def test_lint_github_golden() -> None:
    case = ROOT / "fixtures" / "lint" / "variable-rule-shadowed"
    workspace = Workspace.inspect(str(case))
    _check("lint-github.txt", render_lint_github(workspace.diagnostics, "config/"))


@pytest.mark.parametrize("context", ["free-us.json", "growth-eu.json", "enterprise-eu.yaml"])
def test_resolve_text_golden(context: str) -> None:
    """Every variable and qualifier of the example: rules walked, predicates, bucket values."""
    workspace = Workspace.load(str(EXAMPLE))
    ctx = merge_context_inputs(["@" + str(EXAMPLE / "contexts" / context)])
    evaluation = workspace.evaluation(ctx, trace=True)
    runtime = workspace.runtime()
    variables = [
        workspace.trace_variable(v, ctx, evaluation=evaluation) for v in sorted(runtime.variables)
    ]
    qualifiers = [
        workspace.trace_qualifier(q, ctx, evaluation=evaluation) for q in sorted(runtime.qualifiers)
    ]
    errors = ["variable://example: a failed resolution is listed last"]
    text = render_resolve_text(variables, qualifiers, errors, color=False)
    _check(f"resolve-{context.rsplit('.', 1)[0]}.txt", text)
