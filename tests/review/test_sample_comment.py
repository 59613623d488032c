"""The README's sample PR comment is rendered from the bundled example (golden file).

Regenerate with UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rototo_ci.render.diff_markdown import render_markdown
from rototo_ci.review.diff import DiffOptions, run_diff
from rototo_ci.testing.contexts import context_set

from .conftest import Repo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fixtures" / "examples" / "shop"
GOLDEN = ROOT / "docs" / "sample-pr-comment.md"


def sample_comment(tmp_path: Path) -> str:
    repo = Repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo.root / "config")
    repo.commit("example")
    projects = repo.root / "config" / "variables" / "max-projects.toml"
    projects.write_text(projects.read_text().replace("paid = 25", "paid = 30"))
    rollout = repo.root / "config" / "qualifiers" / "checkout-rollout.toml"
    rollout.write_text(rollout.read_text().replace("[0, 2000]", "[0, 9000]"))
    projects.write_text(
        projects.read_text() + ('\n[[resolve.rule]]\nqualifier = "eu-request"\nvalue = "starter"\n')
    )
    residency = repo.root / "config" / "variables" / "data-residency.toml"
    residency.write_text(
        residency.read_text().replace(
            "[[resolve.rule]]",
            '[[resolve.rule]]\nqualifier = "large-account"\nvalue = "eu"\n\n[[resolve.rule]]',
            1,
        )
    )
    repo.commit("raise the paid project limit, widen the rollout, large accounts in the EU")
    report = run_diff(DiffOptions(range="HEAD~1..HEAD", cwd=repo.root), context_set)
    return render_markdown(report)


def test_sample_comment_matches_golden(tmp_path: Path) -> None:
    body = sample_comment(tmp_path)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(body)
    assert body == GOLDEN.read_text()
    assert "| <code>max-projects</code> |" in body
    assert "rototo/variable-rule-selects-default-value" in body
    # the data-residency fixture cases name no seats: the new first rule breaks them
    assert "🔴 2 broken contexts" in body.splitlines()[1]
    assert body.index("Broken contexts") < body.index("Behaviour changes")
