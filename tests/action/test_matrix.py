"""Monorepos past one runner, the three stages of docs/rototo-matrix.yml end to end on a
generated monorepo: list the touched workspaces → one JSON report per workspace (as each
matrix job writes it) → one merged comment under GitHub's 65,536-character cap."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..cli.test_commands import run_cli
from ..helpers import commit_all, flag_workspace, init_repo, write_files

TEAMS = 30  # workspaces the pull request touches
UNTOUCHED = 6
VARIABLES = 6


def _variable(vid: str, default: str) -> str:
    return (
        'schema_version = 1\ntype = "string"\n\n[values]\n'
        + "".join(f'{v} = "{v}-{"x" * 40}"\n' for v in ("red", "green", "blue"))
        + f'\n[resolve]\ndefault = "{default}"\n\n[[resolve.rule]]\nqualifier = "beta"\n'
        f'value = "blue"\n'
    )


def _team(root: Path, team: int, changed: bool) -> None:
    extra = {
        "contexts/beta.json": '{"user": {"beta": true}}\n',
        "contexts/plain.json": '{"user": {"beta": false}}\n',
    }
    for v in range(VARIABLES):
        vid = f"team-{team:02d}-setting-with-a-long-descriptive-name-{v}"
        extra[f"variables/{vid}.toml"] = _variable(vid, "green" if changed else "red")
    flag_workspace(root, extra=extra)


def _monorepo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "mono"
    init_repo(repo)
    for team in range(TEAMS + UNTOUCHED):
        _team(repo / "teams" / f"t{team:02d}" / "config", team, changed=False)
    write_files(repo, {"README.md": "a monorepo\n"})
    base = commit_all(repo, "base")
    for team in range(TEAMS):
        _team(repo / "teams" / f"t{team:02d}" / "config", team, changed=True)
    # one team breaks its workspace: the merged comment must lead with it
    write_files(
        repo / "teams" / "t07" / "config",
        {"variables/flag.toml": 'schema_version = 1\ntype = "bool"\n[resolve]\ndefault = "x"\n'},
    )
    commit_all(repo, "change every team's defaults")
    return repo, base


def test_list_review_each_render_one_comment(tmp_path: Path, monkeypatch) -> None:
    repo, base = _monorepo(tmp_path)
    monkeypatch.chdir(repo)

    # stage 1: the plan job
    listed = run_cli("workspaces", f"{base}..HEAD", "--changed", "--json")
    assert listed.code == 0, listed.err
    workspaces = json.loads(listed.out)
    assert workspaces == [f"teams/t{team:02d}/config" for team in range(TEAMS)]

    # stage 2: one matrix job per workspace, each writing its own JSON report
    reports = []
    covered = [0, 0, 0, 0]  # lines covered, valid, branches covered, valid
    for index, workspace in enumerate(workspaces):
        out = tmp_path / "artifacts" / f"rototo-reports-ws-{index}" / "diff.json"
        out.parent.mkdir(parents=True)
        result = run_cli(
            "diff", f"{base}..HEAD", f"--workspace={workspace}", "--fail-on", "never",
            "--format", "json", "--output", f"json={out}",
        )  # fmt: skip
        assert result.code == 0, result.err
        single = json.loads(out.read_text())
        assert json.loads(result.out) == single  # computed once, written twice
        assert [ws["path"] for ws in single["workspaces"]] == [workspace]
        reports.append(single)
        # the same job's tests, with coverage (the action's `coverage` input)
        tested = run_cli("test", "--coverage", str(out.parent / "coverage-1.xml"), "--", workspace)
        counts = re.search(
            r"coverage: [\d.]+% \(lines (\d+)/(\d+), branches (\d+)/(\d+)\)", tested.err
        )
        assert counts, tested.err
        covered = [a + int(b) for a, b in zip(covered, counts.groups(), strict=True)]

    # stage 3: the comment job merges every report into one comment
    paths = sorted(str(p) for p in (tmp_path / "artifacts").glob("rototo-reports-ws-*/diff.json"))
    rendered = run_cli("render", "--format", "markdown", "--", *paths)
    assert rendered.code == 0, rendered.err
    comment = rendered.out
    assert len(comment) <= 65_536
    assert comment.count("<!-- rototo-ci -->") == 1
    total_changes = sum(r["summary"]["resolution_changes"] for r in reports)
    # each variable changes for the plain context only; the broken team resolves nothing
    assert total_changes == (TEAMS - 1) * VARIABLES
    merged = json.loads(run_cli("render", "--format", "json", "--", *paths).out)
    assert [ws["path"] for ws in merged["workspaces"]] == workspaces
    assert merged["summary"]["resolution_changes"] == total_changes
    assert merged["summary"]["lint_introduced"] == sum(
        r["summary"]["lint_introduced"] for r in reports
    )
    # with every job's coverage file: one total under the headline, within the cap
    coverage = sorted((tmp_path / "artifacts").glob("rototo-reports-ws-*/coverage-1.xml"))
    assert len(coverage) == TEAMS
    options = [f"--coverage={p}" for p in coverage]
    with_total = run_cli("render", "--format", "markdown", *options, "--", *paths)
    assert with_total.code == 0, with_total.err
    lines_covered, lines_valid, branches_covered, branches_valid = covered
    percent = 100 * (lines_covered + branches_covered) / (lines_valid + branches_valid)
    detail = (
        f"{percent:.1f} % (lines {lines_covered:,}/{lines_valid:,}, "
        f"branch outcomes {branches_covered:,}/{branches_valid:,})"
    )
    line = f"**Configuration coverage: {detail.replace(' (', '** (', 1)}"
    assert line in with_total.out
    assert len(with_total.out) <= 65_536 and with_total.out.count("<!-- rototo-ci -->") == 1
    assert with_total.out.split("\n\n")[2].startswith(line)  # right under the headline
    text = run_cli("render", *options, "--", *paths).out
    assert text.endswith(f"\nconfiguration coverage: {detail}\n")
    as_json = json.loads(run_cli("render", "--format", "json", *options, "--", *paths).out)
    assert as_json["coverage"]["lines_valid"] == lines_valid
    refused = run_cli("render", "--format", "github", *options, "--", *paths)
    assert refused.code == 2 and refused.err.startswith("rototo: error: --coverage")

    # the headline carries the broken workspace's news; every workspace has its section
    headline = comment.split("\n", 3)[1]
    assert "🔴" in headline, headline
    for workspace in workspaces:
        assert workspace in comment, workspace
    # the separate comments would not fit in one: the merged one was cut, and says so
    sizes = [len(run_cli("render", "--format", "markdown", "--", p).out) for p in paths]
    assert sum(sizes) > 65_536 and max(sizes) < 65_536
    assert "shortened to fit" in comment
