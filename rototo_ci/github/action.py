"""The steps of the GitHub Action (action.yml), as small tested commands.

    python -m rototo_ci.github.action plan            # event → base, range, PR, workspace list
    python -m rototo_ci.github.action merge-sarif OUT IN…
    python -m rototo_ci.github.action comment-body IN OUT [COVERAGE…]
    python -m rototo_ci.github.action coverage-total COVERAGE…   # the `coverage` output
    python -m rototo_ci.github.action gate            # outputs and the verdict
    python -m rototo_ci.github.action set-output NAME FILE
    python -m rototo_ci.github.action fork-comment    # workflow_run half of the fork pattern

Inputs come from the environment (`ROTOTO_*`, set by action.yml from its inputs, and
GitHub's own `GITHUB_*`), never from `${{ }}` expressions spliced into a script.
Outputs go to `$GITHUB_OUTPUT` through `escape.github_output_entry`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..render.escape import command_data, github_output_entry, nul_list_bytes, one_line

SHA = re.compile(r"^[0-9a-f]{40}$")
ZERO_SHA = "0" * 40
FAIL_ON = ("error", "lint", "behaviour", "any-change", "never")
# the `coverage` input: off, or the format `rototo test --coverage` writes per workspace
COVERAGE_FORMATS = {
    "false": "",
    "": "",
    "true": "cobertura",
    "cobertura": "cobertura",
    "lcov": "lcov",
}
COVERAGE_FILES = ("coverage-*.xml", "coverage-*.info")


def write_output(values: dict[str, Any]) -> None:
    """Entries for `$GITHUB_OUTPUT` (stdout outside GitHub, for a person trying it)."""
    text = "".join(github_output_entry(key, str(value)) for key, value in values.items())
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)


def warning(message: str) -> None:
    print(f"::warning title=rototo-ci::{command_data(message)}", flush=True)


def read_event(event_path: str | None) -> dict[str, Any]:
    if not event_path:
        return {}
    try:
        data = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _sha(value: Any) -> str | None:
    return value if isinstance(value, str) and SHA.match(value) else None


def _bad_sha(value: str) -> SystemExit:
    return SystemExit(
        f"rototo: error: base must be a full 40-character commit sha: {one_line(value)!r}"
    )


@dataclass
class Plan:
    event: str
    base: str | None  # None: nothing to compare with (lint and test only)
    pr: int | None
    fork: bool
    why_no_base: str = ""


def plan_event(event_name: str, event: dict[str, Any], base_input: str) -> Plan:
    """The base commit and pull request of a workflow run, by event."""
    pull = event.get("pull_request") if isinstance(event.get("pull_request"), dict) else None
    pr = pull.get("number") if pull else None
    pr = pr if isinstance(pr, int) and not isinstance(pr, bool) and pr > 0 else None
    fork = False
    if pull:
        head_repo = ((pull.get("head") or {}).get("repo") or {}).get("full_name")
        base_repo = ((pull.get("base") or {}).get("repo") or {}).get("full_name")
        # a deleted fork has no head repository: treat it as a fork
        fork = head_repo is None or head_repo != base_repo
    if base_input:
        if not SHA.match(base_input):
            raise _bad_sha(base_input)
        return Plan(event_name, base_input, pr, fork)
    if pull:
        base = _sha((pull.get("base") or {}).get("sha"))
        return Plan(event_name, base, pr, fork, "" if base else "the event has no base sha")
    if event_name == "push":
        before = event.get("before")
        if before == ZERO_SHA:
            return Plan(event_name, None, None, False, "a new branch: no previous head to compare")
        base = _sha(before)
        return Plan(event_name, base, None, False, "" if base else "the push has no previous head")
    if event_name == "merge_group":
        base = _sha((event.get("merge_group") or {}).get("base_sha"))
        return Plan(event_name, base, None, False, "" if base else "the merge group has no base")
    return Plan(event_name, None, None, False, "no `base` input: lint and test only")


def has_commit(repo_dir: Path, sha: str) -> bool:
    import pygit2

    found = pygit2.discover_repository(str(repo_dir))
    if found is None:
        return False
    try:
        pygit2.Repository(found).revparse_single(sha).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        return False
    return True


Fetch = Callable[[list[str]], int]


def _git_fetch(repo_dir: Path) -> Fetch:
    def run(argv: list[str]) -> int:
        return subprocess.run(argv, cwd=repo_dir, check=False).returncode

    return run


def ensure_base(sha: str, repo_dir: Path, fetch: Fetch | None = None) -> bool:
    """Make sure the base commit is in a (possibly shallow) clone; False when it cannot be."""
    if not SHA.match(sha):
        raise _bad_sha(sha)
    if has_commit(repo_dir, sha):
        return True
    run = fetch or _git_fetch(repo_dir)
    # the sha is validated hex: it cannot be read as an option
    code = run(["git", "fetch", "--no-tags", "--depth=1", "origin", sha])
    return code == 0 and has_commit(repo_dir, sha)


def chosen_workspaces(text: str) -> list[str]:
    """The `workspace` input: one directory per line; blank lines and surrounding spaces ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def list_workspaces(repo_dir: Path, chosen: list[str]) -> list[str]:
    if chosen:
        return chosen
    from ..workspaces import list_workspaces as every_workspace

    return every_workspace(repo_dir, None, False)


def artifact_name(marker: str) -> str:
    """The report artifact's name: one per marker, so matrix jobs do not collide."""
    if not marker:
        return "rototo-reports"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", marker):
        raise SystemExit("rototo: error: marker takes letters, digits, '.', '_' and '-'")
    return f"rototo-reports-{marker}"


def plan(env: dict[str, str], repo_dir: Path, fetch: Fetch | None = None) -> Plan:
    """The `plan` step: base, range, PR, artifact name and the NUL-separated workspace list."""
    fail_on = env.get("ROTOTO_FAIL_ON", "error")
    if fail_on not in FAIL_ON:
        raise SystemExit(f"rototo: error: fail-on must be one of {', '.join(FAIL_ON)}")
    artifact = artifact_name(env.get("ROTOTO_MARKER", ""))
    coverage = env.get("ROTOTO_COVERAGE", "false").strip().lower()
    if coverage not in COVERAGE_FORMATS:
        raise SystemExit("rototo: error: coverage must be one of false, true, cobertura, lcov")
    result = plan_event(
        env.get("GITHUB_EVENT_NAME", ""),
        read_event(env.get("GITHUB_EVENT_PATH")),
        env.get("ROTOTO_BASE", "").strip(),
    )
    if result.base is not None and not ensure_base(result.base, repo_dir, fetch):
        if result.event == "push":  # e.g. a force push: the old head is gone
            result.why_no_base = f"cannot fetch the previous head {result.base}"
            result.base = None
        else:
            raise SystemExit(f"rototo: error: cannot fetch base commit {result.base}")
    if result.base is None:
        warning(f"no diff: {result.why_no_base}")
    reports = Path(env.get("ROTOTO_REPORTS") or "rototo-reports")
    reports.mkdir(parents=True, exist_ok=True)
    workspaces = list_workspaces(repo_dir, chosen_workspaces(env.get("ROTOTO_WORKSPACE", "")))
    listing = reports.parent / f"{reports.name}.workspaces"
    listing.write_bytes(nul_list_bytes(workspaces))
    write_output(
        {
            "base": result.base or "",
            "range": f"{result.base}..HEAD" if result.base else "",
            "pr": result.pr or "",
            "fork": "true" if result.fork else "false",
            "artifact": artifact,
            "coverage-format": COVERAGE_FORMATS[coverage],
            "workspaces-file": str(listing),
            "workspace-count": len(workspaces),
        }
    )
    return result


def merge_sarif(logs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several lint SARIF logs (one per workspace) as one log with one run.

    Code scanning wants one run per tool and category; rules are merged by id.
    """
    if not logs:
        return {"version": "2.1.0", "runs": []}
    merged = json.loads(json.dumps(logs[0]))
    runs = [run for log in logs for run in log.get("runs", [])]
    if not runs:
        return merged
    first = json.loads(json.dumps(runs[0]))
    driver = first.setdefault("tool", {}).setdefault("driver", {})
    rules: dict[Any, Any] = {}
    results = []
    for run in runs:
        run_rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        for rule in run_rules:
            rules.setdefault(rule.get("id"), rule)
        for result in run.get("results", []):
            result = dict(result)
            if "ruleIndex" in result:
                index = result["ruleIndex"]
                rule_id = result.get("ruleId")
                if rule_id is None and isinstance(index, int) and 0 <= index < len(run_rules):
                    rule_id = result["ruleId"] = run_rules[index].get("id")
                result.pop("ruleIndex")
                if rule_id in rules:
                    result["ruleIndex"] = list(rules).index(rule_id)
            results.append(result)
    driver["rules"] = list(rules.values())
    first["results"] = results
    merged["runs"] = [first]
    return merged


MAX_BODY = 65_536


def coverage_files(directory: Path) -> list[Path]:
    """The coverage files `rototo test` wrote into a reports directory, in order."""
    found = {path for pattern in COVERAGE_FILES for path in directory.glob(pattern)}
    return sorted(path for path in found if path.is_file())


def coverage_summary(paths: list[Path], markdown: bool = True) -> str:
    """The one-line coverage total of several coverage files ("" for none)."""
    if not paths:
        return ""
    from ..render.coverage_summary import coverage_line
    from ..testing.coverage_totals import read_coverage_files

    return coverage_line(read_coverage_files(paths).totals, markdown=markdown)


def comment_body(
    markdown: str, artifact: str, run_url: str, marker: str = "", coverage: str = ""
) -> str:
    """The sticky comment: its own marker line, the diff's markdown (with the coverage
    line under its headline when there is one), where the full reports are.

    Any marker-like line of the markdown is replaced by this comment's marker, so a
    comment with marker `eu` never carries the default marker another job looks for.
    """
    from ..render.escape import MARKER_PREFIX, strip_markers
    from .comment import marker_for

    head = marker_for(marker or None) + "\n"
    markdown = strip_markers(markdown, MARKER_PREFIX).lstrip("\n")
    if coverage:
        from ..render.coverage_summary import with_coverage

        markdown = with_coverage(markdown, coverage)
    kinds = "JSON, markdown, JUnit, SARIF" + (", coverage" if coverage else "")
    footer = f"\n---\nFull reports ({kinds}): artifact `{artifact}`"
    footer += f" of [this workflow run]({run_url}).\n" if run_url else ".\n"
    room = MAX_BODY - len(footer) - len(head)
    if len(markdown) > room:
        cut = markdown[:room]
        markdown = cut[: cut.rfind("\n") + 1] if "\n" in cut else cut
    return head + markdown + footer


def run_url(env: dict[str, str]) -> str:
    server = env.get("GITHUB_SERVER_URL", "")
    repo = env.get("GITHUB_REPOSITORY", "")
    run_id = env.get("GITHUB_RUN_ID", "")
    if not (server.startswith("https://") and re.fullmatch(r"[\w.-]+/[\w.-]+", repo)):
        return ""
    if not run_id.isdigit():
        return ""
    return f"{server}/{repo}/actions/runs/{run_id}"


def reviewed_run_url(env: dict[str, str]) -> str:
    """The pull request run's page (workflow_run.html_url), when it is one of this repository."""
    url = env.get("ROTOTO_REPORT_RUN_URL", "")
    own = run_url({**env, "GITHUB_RUN_ID": "0"})
    if own and re.fullmatch(re.escape(own[: -len("0")]) + r"[0-9]+", url):
        return url
    return ""


def _introduced_errors(report: dict[str, Any]) -> int:
    return sum(
        1
        for ws in report.get("workspaces", [])
        for d in (ws.get("lint") or {}).get("introduced", [])
        if d.get("severity") == "error"
    )


def _broken(report: dict[str, Any]) -> int:
    summary = report.get("summary") or {}
    if isinstance(summary.get("broken"), int):
        return int(summary["broken"])
    return sum(
        1
        for ws in report.get("workspaces", [])
        for cell in ws.get("resolutions", [])
        if cell.get("kind") == "broken"
    )


def gate(report: dict[str, Any] | None, fail_on: str, lint_failed: bool, tests_failed: bool) -> int:
    """Write the declared outputs; 1 when the run should fail.

    `error` fails on lint errors the head introduces, contexts it breaks and failing
    tests (which include the lint gate); `behaviour` also on any resolution change;
    `any-change` also on any semantic change; `never` never. Without a base (a new
    branch, a manual run) only the tests can fail the run.
    """
    summary = (report or {}).get("summary") or {}
    introduced_errors = _introduced_errors(report or {})
    broken = _broken(report or {})
    write_output(
        {
            "diffed": "true" if report is not None else "false",
            "changes": summary.get("changes", 0),
            "resolution-changes": summary.get("resolution_changes", 0),
            "broken": broken,
            "lint-introduced": summary.get("lint_introduced", 0),
            "lint-errors-introduced": introduced_errors,
            "lint-resolved": summary.get("lint_resolved", 0),
            "lint-failed": "true" if lint_failed else "false",
            "tests-failed": "true" if tests_failed else "false",
        }
    )
    if fail_on == "never":
        return 0
    reasons = []
    if tests_failed:
        reasons.append("tests failed")
    if introduced_errors:
        reasons.append(f"{introduced_errors} lint error(s) introduced")
    if broken:
        reasons.append(f"{broken} context(s) broken")
    if fail_on in ("behaviour", "any-change") and summary.get("resolution_changes", 0):
        reasons.append(f"{summary['resolution_changes']} resolution change(s)")
    if fail_on == "any-change" and summary.get("changes", 0):
        reasons.append(f"{summary['changes']} semantic change(s)")
    if reasons:
        print(f"rototo: failing (fail-on {fail_on}): {'; '.join(reasons)}", file=sys.stderr)
        return 1
    return 0


def coverage_total(paths: list[Path], env: dict[str, str]) -> int:
    """The `coverage` output (percent, one decimal) and the total in the job summary."""
    from ..testing.coverage_totals import read_coverage_files

    if not paths:
        write_output({"coverage": ""})
        warning("coverage: no workspace wrote a coverage file")
        return 0
    total = read_coverage_files(paths).totals
    write_output({"coverage": f"{total.percent:.1f}"})
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        from ..render.coverage_summary import coverage_line

        with open(summary, "a", encoding="utf-8") as out:
            out.write(coverage_line(total, markdown=True) + "\n\n")
    return 0


MAX_ARTIFACT_REPORT = 50 * 1024 * 1024


def fork_comment(env: dict[str, str], client: Any = None) -> int:
    """Post the report of a fork PR's read-only run, from its artifact (untrusted input).

    The PR number is only a claim: the PR must exist and its head must be the commit
    the finished run reviewed (`ROTOTO_HEAD_SHA`, from the workflow_run event, which the
    PR cannot forge). The comment is rendered afresh from the JSON report by our own
    escaping renderer; no markdown or HTML from the artifact is posted as is.
    """
    from ..engine.errors import RototoError
    from .client import DEFAULT_API, GitHubClient, GitHubError
    from .comment import upsert_comment

    artifact = Path(env.get("ROTOTO_ARTIFACT", ""))
    head_sha = env.get("ROTOTO_HEAD_SHA", "")
    repository = env.get("GITHUB_REPOSITORY", "")
    if not SHA.match(head_sha):
        raise RototoError("ROTOTO_HEAD_SHA must be the workflow_run's head sha")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise RototoError("GITHUB_REPOSITORY is not OWNER/NAME")
    try:
        claimed = (artifact / "pr-number").read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        raise RototoError("the artifact holds no pr-number") from None
    if not re.fullmatch(r"[1-9][0-9]{0,9}", claimed):
        raise RototoError(f"the artifact's pr-number is not a number: {one_line(claimed[:40])!r}")
    report_path = artifact / "diff.json"
    if not report_path.is_file():
        warning("the pull request run wrote no diff report: nothing to post")
        return 0
    if report_path.stat().st_size > MAX_ARTIFACT_REPORT:
        raise RototoError("the artifact's diff.json is larger than 50 MB")
    number = int(claimed)
    if client is None:
        token = env.get("GITHUB_TOKEN", "")
        if not token:
            raise RototoError("GITHUB_TOKEN is not set")
        client = GitHubClient(token, env.get("GITHUB_API_URL") or DEFAULT_API)
    pull = client.request("GET", f"/repos/{repository}/pulls/{number}").data or {}
    actual = ((pull.get("head") or {}).get("sha")) if isinstance(pull, dict) else None
    if actual != head_sha:
        raise RototoError(
            f"pull request #{number} is not the one the run reviewed (its head is not "
            f"{head_sha}): refusing to comment"
        )
    from ..cli.render import load_report
    from ..render.diff_markdown import render_markdown

    markdown = render_markdown(load_report(report_path))
    marker = env.get("ROTOTO_MARKER", "")
    if marker and not re.fullmatch(r"[A-Za-z0-9_.-]+", marker):
        raise RototoError("ROTOTO_MARKER takes letters, digits, '.', '_' and '-'")
    try:  # the artifact's coverage files are untrusted too: read back, never pasted
        coverage = coverage_summary(coverage_files(artifact))
    except RototoError as error:
        warning(f"coverage left out of the comment: {error}")
        coverage = ""
    body = comment_body(markdown, "rototo-pr", reviewed_run_url(env), marker, coverage)
    try:
        result = upsert_comment(client, repository, number, body, marker or None)
    except GitHubError as error:
        raise RototoError(f"cannot post the comment: {error}") from None
    print(f"{result.action} comment {result.id} on #{number}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    env = dict(os.environ)
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = args[0], args[1:]
    try:
        if command == "plan":
            plan(env, Path.cwd())
            return 0
        if command == "merge-sarif" and rest:
            logs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in rest[1:]]
            text = json.dumps(merge_sarif(logs), indent=2) + "\n"
            Path(rest[0]).write_text(text, encoding="utf-8")
            return 0
        if command == "comment-body" and len(rest) >= 2:
            markdown = Path(rest[0]).read_text(encoding="utf-8")
            marker = env.get("ROTOTO_MARKER", "")
            coverage = coverage_summary([Path(p) for p in rest[2:]])
            body = comment_body(markdown, artifact_name(marker), run_url(env), marker, coverage)
            Path(rest[1]).write_text(body, "utf-8")
            return 0
        if command == "coverage-total":
            return coverage_total([Path(p) for p in rest], env)
        if command == "set-output" and len(rest) == 2:
            write_output({rest[0]: Path(rest[1]).read_text(encoding="utf-8").strip()})
            return 0
        if command == "fork-comment":
            return fork_comment(env)
        if command == "gate":
            path = Path(env.get("ROTOTO_REPORT", ""))
            report = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            return gate(
                report,
                env.get("ROTOTO_FAIL_ON", "error"),
                env.get("ROTOTO_LINT_STATUS", "0") not in ("", "0"),
                env.get("ROTOTO_TEST_STATUS", "0") not in ("", "0"),
            )
    except (OSError, ValueError) as error:
        print(f"rototo: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a typed user error is one line
        from ..engine.errors import RototoError

        if isinstance(error, RototoError):
            print(f"rototo: error: {one_line(str(error))}", file=sys.stderr)
            return 2
        raise
    print(f"rototo: error: unknown action step {one_line(command)!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
