"""rototo diff turns the cyclic collector off for its run: a monorepo's workspaces are
still collected one by one, and an in-process run leaves the collector as it found it."""

from __future__ import annotations

import gc

from rototo_ci.cli.app import main

from .conftest import Repo
from .workspaces import base_workspace, int_variable


def _two_workspaces(repo: Repo) -> None:
    repo.write(base_workspace(), "one")
    repo.write(base_workspace(), "two")
    repo.commit()
    changed = int_variable({"small": 3, "large": 30}, "small", [("paid", "large")])
    repo.write({"variables/limit.toml": changed}, "one")
    repo.write({"variables/limit.toml": changed}, "two")


def test_workspaces_are_collected_between_them_when_the_collector_is_off(
    repo: Repo, monkeypatch
) -> None:
    _two_workspaces(repo)
    calls: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(1) or 0)
    gc.disable()
    try:
        report = repo.diff()
    finally:
        gc.enable()
    assert [w.path for w in report.workspaces] == ["one", "two"]
    assert calls == [1]  # after the first workspace, before the second
    calls.clear()
    repo.diff()  # the collector on: run_diff leaves collecting to it
    assert calls == []


def test_the_command_leaves_the_collector_as_it_found_it(repo: Repo, monkeypatch, capsys) -> None:
    _two_workspaces(repo)
    monkeypatch.chdir(repo.root)
    assert gc.isenabled()
    assert main(["diff", "--format", "json", "--fail-on", "never"]) == 0
    assert gc.isenabled()
    assert '"resolution_changes": 2' in capsys.readouterr().out
    gc.disable()
    try:
        main(["diff", "--format", "json", "--fail-on", "never"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def _garbage_of_a_diff(repo: Repo) -> int:
    """Objects only the cyclic collector could free after a diff (the report kept alive)."""
    repo.diff()  # imports and first-use caches out of the count
    gc.collect()
    gc.disable()
    try:
        report = repo.diff()
        found = gc.collect()
    finally:
        gc.enable()
    assert report.workspaces
    return found


def test_contexts_failing_the_schema_leave_no_error_trees(tmp_path) -> None:
    """A diff runs with the collector off. A context that fails the context schema leaves
    its stored failure for the collector (a few objects), never the schema errors under
    it (each branch's error points back at its parent): the garbage must not grow with
    the size of the schema's error tree."""
    import json

    from ..cli.test_collection_paused import _branchy_schema

    counts = []
    for branches in (4, 120):
        files = base_workspace()
        account = {"plan": {"type": "string"}, "seats": {"type": "integer"}}
        schema = {
            **_branchy_schema(branches),
            "type": "object",
            "properties": {"account": {"type": "object", "properties": account}},
        }
        files["schemas/context.schema.json"] = json.dumps(schema)
        for c in range(30):
            files[f"contexts/bad-{c}.json"] = json.dumps({"account": {"plan": f"p{c}"}})
        repo = Repo(tmp_path / f"repo{branches}")  # one workspace: nothing collected midway
        repo.write(files)
        repo.commit()
        repo.write({"variables/limit.toml": int_variable({"a": 1, "b": 2}, "b", [])})
        counts.append(_garbage_of_a_diff(repo))
    assert counts[1] <= counts[0] + 10 and counts[1] < 40 * 33, counts
