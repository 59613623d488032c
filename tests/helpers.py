"""Small builders shared by tests: workspaces on disk and git repositories."""

from __future__ import annotations

from pathlib import Path

import pygit2

MANIFEST = "schema_version = 1\n"


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def flag_workspace(root: Path, default: str = "off", extra: dict[str, str] | None = None) -> Path:
    """A minimal lint-clean workspace: one qualifier and one bool variable."""
    files = {
        "rototo-workspace.toml": MANIFEST,
        "qualifiers/beta.toml": (
            'schema_version = 1\n\n[[predicate]]\nattribute = "user.beta"\n'
            'op = "eq"\nvalue = true\n'
        ),
        "variables/flag.toml": (
            'schema_version = 1\ntype = "bool"\n\n[values]\noff = false\non = true\n\n'
            f'[resolve]\ndefault = "{default}"\n\n[[resolve.rule]]\nqualifier = "beta"\n'
            f'value = "{"on" if default == "off" else "off"}"\n'
        ),
    }
    files.update(extra or {})
    return write_files(root, files)


def commit_all(repo_dir: Path, message: str, branch: str = "main") -> str:
    """Stage every file under repo_dir and commit; returns the commit sha."""
    repo = pygit2.Repository(str(repo_dir))
    repo.index.add_all()
    repo.index.write()
    tree = repo.index.write_tree()
    signature = pygit2.Signature("Test", "test@example.invalid")
    parents = [] if repo.head_is_unborn else [repo.head.target]
    ref = f"refs/heads/{branch}"
    oid = repo.create_commit(
        ref if repo.head_is_unborn or repo.head.name == ref else "HEAD",
        signature,
        signature,
        message,
        tree,
        parents,
    )
    return str(oid)


def init_repo(repo_dir: Path) -> pygit2.Repository:
    repo_dir.mkdir(parents=True, exist_ok=True)
    return pygit2.init_repository(str(repo_dir), initial_head="main")
