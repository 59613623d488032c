"""Git repositories for diff benchmarks: a generated workspace and a change on top."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pygit2

from bench.generate import generate


def _commit(repo: pygit2.Repository, message: str) -> str:
    repo.index.add_all()
    repo.index.write()
    tree = repo.index.write_tree()
    signature = pygit2.Signature("bench", "bench@example.invalid")
    parents = [] if repo.head_is_unborn else [repo.head.target]
    return str(repo.create_commit("HEAD", signature, signature, message, tree, parents))


def build(
    root: Path,
    variables: int,
    contexts: int,
    changed_files: int | None,
    qualifiers: int | None = None,
    seed: int = 11,
) -> tuple[str, str]:
    """Commit a workspace at root/config, then a change; returns (base_sha, head_sha).

    changed_files=None changes every variable file.
    """
    repo = pygit2.init_repository(str(root), initial_head="main")
    ws = generate(
        root / "config",
        variables=variables,
        contexts=contexts,
        qualifiers=qualifiers or max(10, variables // 3),
        seed=seed,
    )
    base = _commit(repo, "base")
    rng = random.Random(seed)
    variable_files = sorted((ws / "variables").glob("v*.toml"))
    targets = (
        variable_files
        if changed_files is None
        else rng.sample(variable_files, min(changed_files, len(variable_files)))
    )
    for path in targets:
        text = path.read_text()
        # flip the default to the first rule's value, where there is one
        rule_values = re.findall(r'^value = "(.+)"$', text, flags=re.M)
        if rule_values:
            text = re.sub(
                r'^default = ".+"$', f'default = "{rule_values[0]}"', text, count=1, flags=re.M
            )
        path.write_text(text)
    head = _commit(repo, "change")
    os.sync()  # measured runs then read settled files, not ones still being written back
    return base, head
