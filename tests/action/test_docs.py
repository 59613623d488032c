"""The example workflows in docs/: valid, least-privilege, no expression inside a script,
the fork pattern never runs pull request code, and the GitLab job is well formed."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..cli.conftest import ROOT

DOCS = ROOT / "docs"


def _workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((DOCS / name).read_text())
    # YAML 1.1 reads the key `on` as True
    if True in data:
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_every_example_workflow_is_well_formed() -> None:
    names = sorted(p.name for p in DOCS.glob("*.yml"))
    assert names == [
        "rototo-fork-comment.yml",
        "rototo-fork-pr.yml",
        "rototo-matrix.yml",
        "rototo.yml",
    ]
    for name in names:
        workflow = _workflow(name)
        assert workflow["on"] and workflow["jobs"], name
        assert "permissions" in workflow, name  # least privilege, stated
        for step in _steps(workflow):
            if "run" in step:
                assert "${{" not in step["run"], (name, step.get("name"))
            else:
                uses = step["uses"]
                if "rototo-ci" in uses:
                    assert uses == "OWNER/rototo-ci@RELEASE_COMMIT_SHA", (name, uses)
                else:
                    assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", uses), (name, uses)


def test_main_workflow_covers_every_event() -> None:
    workflow = _workflow("rototo.yml")
    assert set(workflow["on"]) == {"pull_request", "push", "merge_group", "workflow_dispatch"}
    assert workflow["permissions"]["contents"] == "read"


def test_fork_pattern_keeps_pull_request_code_away_from_the_write_token() -> None:
    first = _workflow("rototo-fork-pr.yml")
    assert set(first["on"]) == {"pull_request"}
    assert first["permissions"] == {"contents": "read"}
    uploads = [s for s in _steps(first) if s.get("uses", "").startswith("actions/upload-artifact")]
    assert [u["with"]["name"] for u in uploads] == ["rototo-pr"]
    # the directory the action writes its reports to, which it uploads also when it fails
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    paths = next(s for s in action["runs"]["steps"] if s.get("id") == "paths")
    assert 'echo "reports=$ROTOTO_TEMP/rototo-reports"' in paths["run"]
    assert paths["env"]["ROTOTO_TEMP"] == "${{ runner.temp }}"
    assert uploads[0]["with"]["path"] == "${{ runner.temp }}/rototo-reports"

    second = _workflow("rototo-fork-comment.yml")
    assert set(second["on"]) == {"workflow_run"}
    assert second["on"]["workflow_run"]["workflows"] == [first["name"]]
    assert second["permissions"]["pull-requests"] == "write"
    steps = _steps(second)
    assert not any(s.get("uses", "").startswith("actions/checkout") for s in steps)
    text = (DOCS / "rototo-fork-comment.yml").read_text()
    assert "pull_request_target" not in text
    scripts = "\n".join(s.get("run", "") for s in steps)
    # the artifact is read by one tested command, never executed or posted as is
    assert "-m rototo_ci.github.action fork-comment" in scripts
    assert "ROTOTO_ARTIFACT" not in scripts.replace('"$ROTOTO_ARTIFACT"', "")
    envs = {k: v for s in steps for k, v in (s.get("env") or {}).items()}
    assert envs["ROTOTO_HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"


def test_matrix_workflow_has_the_three_stages() -> None:
    workflow = _workflow("rototo-matrix.yml")
    plan, review, comment = (workflow["jobs"][j] for j in ("plan", "review", "comment"))
    plan_script = "\n".join(s.get("run", "") for s in plan["steps"])
    assert 'rototo" workspaces "$BASE..HEAD" --changed --json' in plan_script
    assert "set-output workspaces" in plan_script
    assert review["strategy"]["matrix"]["workspace"] == (
        "${{ fromJSON(needs.plan.outputs.workspaces) }}"
    )
    assert review["if"] == "needs.plan.outputs.workspaces != '[]'"
    action_step = next(s for s in review["steps"] if "rototo-ci" in s.get("uses", ""))
    assert action_step["with"]["comment"] == "false"
    assert action_step["with"]["marker"] == "ws-${{ strategy.job-index }}"
    comment_script = "\n".join(s.get("run", "") for s in comment["steps"])
    assert 'rototo" render --format markdown "${coverage[@]}" --' in comment_script
    assert action_step["with"]["coverage"] == "true"
    assert 'rototo" comment --pr "$PR"' in comment_script
    assert comment["permissions"]["pull-requests"] == "write"
    assert "pull-requests" not in workflow["permissions"]


def test_github_doc_covers_what_a_platform_team_asks() -> None:
    text = (DOCS / "github.md").read_text()
    for heading in (
        "## Pin the version by commit sha",
        "## Permissions",
        "## Required checks and `paths:` filters",
        "## Caching",
        "## Pull requests from forks",
        "## Monorepos past one runner",
        "## pre-commit",
    ):
        assert heading in text, heading
    for name in (
        "rototo.yml",
        "rototo-fork-pr.yml",
        "rototo-fork-comment.yml",
        "rototo-matrix.yml",
    ):
        assert f"]({name})" in text


def test_gitlab_job_is_well_formed() -> None:
    text = (DOCS / "gitlab.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    job = yaml.safe_load(blocks[0])["rototo"]
    reports = job["artifacts"]["reports"]
    assert reports["codequality"] and reports["junit"]
    assert job["artifacts"]["when"] == "always"
    script = "\n".join(job["script"])
    assert "--format gitlab" in script and "--junit-xml" in script
    assert '-- "$ws"' in script
    note = yaml.safe_load(blocks[1])["rototo-note"]
    assert note["needs"] == ["rototo"]
    code = "\n".join(note["script"])
    compile(code.split("<<'PY'\n", 1)[1].rsplit("PY", 1)[0], "note.py", "exec")
