from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine.tree import Tree
from rototo_ci.review.diff import DiffOptions, run_diff
from rototo_ci.review.report import DiffReport

from ..helpers import commit_all, init_repo, write_files


def json_contexts(tree: Tree) -> tuple[dict[str, Any], dict[str, str]]:
    """Declared contexts: contexts/*.json of the workspace tree."""
    contexts, raw = {}, {}
    for path in tree.files():
        if path.startswith("contexts/") and path.endswith(".json"):
            raw[path] = tree.read(path).decode()
            contexts[path] = json.loads(raw[path])
    return contexts, raw


class Repo:
    """A git repository built file by file in a test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git = init_repo(root)

    def write(self, files: dict[str, str], prefix: str = "") -> None:
        write_files(self.root / prefix if prefix else self.root, files)

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink()

    def commit(self, message: str = "change") -> str:
        return commit_all(self.root, message)

    def branch(self, name: str, at: str | None = None) -> None:
        commit = self.git.get(at) if at else self.git.head.peel()
        self.git.branches.local.create(name, commit, force=True)

    def checkout(self, name: str) -> None:
        ref = self.git.lookup_reference(f"refs/heads/{name}")
        self.git.checkout(ref)

    def diff(self, range_: str | None = None, **kwargs: Any) -> DiffReport:
        return run_diff(DiffOptions(range=range_, cwd=self.root, **kwargs), json_contexts)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")
