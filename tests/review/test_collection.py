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
