"""The content-hash lint cache: hits on an unchanged tree, misses on any edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from rototo_ci.engine.tree import DirTree
from rototo_ci.engine.workspace import Workspace
from rototo_ci.lint import cache

from ..helpers import flag_workspace


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROTOTO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ROTOTO_NO_CACHE", raising=False)
    return tmp_path / "cache"


def test_round_trip_and_invalidation(tmp_path: Path) -> None:
    ws = flag_workspace(
        tmp_path / "ws",
        extra={
            "variables/broken.toml": (
                'schema_version = 1\ntype = "int"\n\n[values]\na = 1\n\n[resolve]\ndefault = "b"\n'
            )
        },
    )
    workspace = Workspace.inspect(str(ws))
    key = cache.tree_key(DirTree(ws))
    assert cache.load(key) is None
    cache.store(key, workspace.documents, workspace.diagnostics)
    loaded = cache.load(key)
    assert loaded is not None
    documents, diagnostics = loaded
    assert [d.to_json() for d in diagnostics] == [d.to_json() for d in workspace.diagnostics]
    assert diagnostics  # the unknown default is reported, so the comparison is not vacuous
    assert [d.path for d in documents] == [d.path for d in workspace.documents]
    (ws / "variables" / "flag.toml").write_text((ws / "variables" / "flag.toml").read_text() + "\n")
    assert cache.tree_key(DirTree(ws)) != key


def test_disabled_and_corrupt(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_home.mkdir(parents=True)
    (cache_home / "abc.json").write_text("{not json")
    assert cache.load("abc") is None
    monkeypatch.setenv("ROTOTO_NO_CACHE", "1")
    assert cache.cache_dir() is None
    cache.store("abc", [], [])
    assert (cache_home / "abc.json").read_text() == "{not json"
