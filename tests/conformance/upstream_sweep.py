"""One-off sweep of upstream rototo's own workspaces against the reference engine.

    python -m tests.conformance.upstream_sweep /path/to/rototo.git [--json OUT]

Every directory holding rototo-workspace.toml under examples/ and tests/fixtures/ at
the tags v0.1.0-alpha.1 … v0.1.0-alpha.4, plus examples/ at every commit between the
first and the last tag, is linted by both engines (rule, severity, stage, entity, path,
range compared as multisets) and, where the reference loads it, resolved on generated
contexts (every variable and qualifier). Identical workspace trees are checked once.
The repository is a git directory (a bare mirror is fine); CI cannot reach it, so the
slow test that calls this skips when it is absent. Prints the figures; exits 1 when a
difference remains.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

TAGS = ["v0.1.0-alpha.1", "v0.1.0-alpha.2", "v0.1.0-alpha.3", "v0.1.0-alpha.4"]
MANIFEST = "rototo-workspace.toml"
ROOTS = ("examples", "tests/fixtures")


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], check=True, capture_output=True
    ).stdout


def revisions(repo: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(commit, roots to sweep): the tags with both roots, commits between with examples/."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for tag in TAGS:
        commit = _git(repo, "rev-parse", f"{tag}^{{commit}}").decode().strip()
        out.append((commit, ROOTS))
    between = _git(repo, "rev-list", "--reverse", f"{TAGS[0]}..{TAGS[-1]}", "--", "examples")
    tagged = {commit for commit, _ in out}
    for commit in between.decode().split():
        if commit not in tagged:
            out.append((commit, ("examples",)))
    return out


def workspaces(repo: Path, commit: str, roots: tuple[str, ...]) -> list[tuple[str, str]]:
    """(directory, tree id) of every workspace under the roots at a commit."""
    listing = _git(repo, "ls-tree", "-r", "--name-only", commit, "--", *roots).decode()
    found = []
    for path in listing.splitlines():
        if path == MANIFEST or path.endswith("/" + MANIFEST):
            directory = path[: -len(MANIFEST)].rstrip("/")
            tree = _git(repo, "rev-parse", f"{commit}:{directory}").decode().strip()
            found.append((directory, tree))
    return found


def export(repo: Path, commit: str, roots: tuple[str, ...], target: Path) -> None:
    """The roots of a commit as files (extends between workspaces keep working)."""
    present = [r for r in roots if _git(repo, "ls-tree", "--name-only", commit, "--", r).strip()]
    if not present:
        return
    data = _git(repo, "archive", "--format=tar", commit, "--", *present)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="data")


def contexts_for(root: Path, rng: random.Random, count: int = 12) -> list[dict[str, Any]]:
    """Contexts built from the predicates' own values: synthesized fixture contexts for
    every variable and qualifier, then random mixes of matching, failing, missing and
    wrongly typed attribute values."""
    from rototo_ci.engine import RototoError, Workspace
    from rototo_ci.testing.synthesize import Synthesizer

    try:
        workspace = Workspace.load(str(root))
    except RototoError:
        return [{}]
    synthesizer = Synthesizer(workspace)
    contexts: list[dict[str, Any]] = [{}]
    for variable in workspace.runtime().variables:
        try:
            contexts += [case.context for case in synthesizer.variable_fixture(variable)[0].cases]
        except Exception:  # noqa: BLE001 - synthesis is best effort here
            pass
    for qualifier in workspace.runtime().qualifiers:
        try:
            contexts += [case.context for case in synthesizer.qualifier_fixture(qualifier)[0].cases]
        except Exception:  # noqa: BLE001
            pass
    candidates: dict[str, list[Any]] = {}
    for qualifier in workspace.model.qualifiers.values():
        for predicate in qualifier.predicates:
            if predicate.qualifier_ref:
                continue
            pool = candidates.setdefault(predicate.attribute, [])
            for want in (True, False):
                try:
                    pool.append(synthesizer.value_for(predicate, want))
                except Exception:  # noqa: BLE001
                    pass
            pool += [None, "x", 7, 2.5, True, [1], {"k": 1}]
    for _ in range(count):
        context: dict[str, Any] = {}
        for attribute, pool in candidates.items():
            if rng.random() < 0.15:
                continue  # missing
            node = context
            *parents, leaf = attribute.split(".")
            for part in parents:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
            node[leaf] = rng.choice(pool)
        contexts.append(context)
    unique = {json.dumps(c, sort_keys=True): c for c in contexts}
    return list(unique.values())[:60]


def sweep(repo: Path, seed: int = 0) -> dict[str, Any]:
    from tests.conformance.test_resolution import _same
    from tests.conformance.test_resolution import ours as ours_resolve
    from tests.oracle.lint import compare, ours_lint, reference_lint, refusal_matches
    from tests.oracle.reference import resolve_batch

    rng = random.Random(seed)
    seen: set[str] = set()
    figures = {
        "revisions": 0,
        "workspace_dirs": 0,
        "unique_workspaces": 0,
        "reference_refused": 0,
        "diagnostics_compared": 0,
        "lint_differences": 0,
        "resolutions_compared": 0,
        "resolution_differences": 0,
    }
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (commit, roots) in enumerate(revisions(repo)):
            figures["revisions"] += 1
            found = workspaces(repo, commit, roots)
            figures["workspace_dirs"] += len(found)
            fresh = [(d, t) for d, t in found if t not in seen]
            seen.update(t for _, t in found)
            if not fresh:
                continue
            base = Path(tmp) / f"r{index}"
            export(repo, commit, roots, base)
            dirs = [base / d for d, _ in fresh]
            figures["unique_workspaces"] += len(dirs)
            for root, theirs in zip(dirs, reference_lint(dirs), strict=True):
                label = f"{commit[:10]}:{root.relative_to(base)}"
                mine = ours_lint(root)
                if "error" in theirs:
                    figures["reference_refused"] += 1
                    if not refusal_matches(mine):
                        problems.append(f"{label}: reference refused ({theirs['error']})")
                        figures["lint_differences"] += 1
                    continue
                figures["diagnostics_compared"] += len(theirs["diagnostics"])
                missing, extra = compare(mine, theirs)
                for key in missing:
                    problems.append(f"{label}: missing {key}")
                for key in extra:
                    problems.append(f"{label}: extra {key}")
                figures["lint_differences"] += sum(missing.values()) + sum(extra.values())
            jobs = []
            for root in dirs:
                contexts = contexts_for(root, rng)
                queries = []
                try:
                    from rototo_ci.engine import Workspace

                    workspace = Workspace.load(str(root))
                    runtime = workspace.runtime()
                    queries = [["variable", v, c] for c in contexts for v in runtime.variables]
                    queries += [["qualifier", q, c] for c in contexts for q in runtime.qualifiers]
                except Exception:  # noqa: BLE001 - a workspace we refuse: load compared below
                    pass
                jobs.append({"source": str(root), "queries": queries})
            for root, job, theirs in zip(dirs, jobs, resolve_batch(jobs), strict=True):
                label = f"{commit[:10]}:{root.relative_to(base)}"
                mine = ours_resolve(root, job["queries"])
                if ("load_error" in theirs) != ("load_error" in mine):
                    problems.append(f"{label}: load {theirs} vs {mine}")
                    figures["resolution_differences"] += 1
                    continue
                if "load_error" in theirs:
                    continue
                for query, a, b in zip(
                    job["queries"], theirs["results"], mine["results"], strict=True
                ):
                    figures["resolutions_compared"] += 1
                    if not _same(a, b):
                        figures["resolution_differences"] += 1
                        problems.append(
                            f"{label}: {query[0]} {query[1]} {json.dumps(query[2])}: "
                            f"reference {a} ours {b}"
                        )
    return {"figures": figures, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="upstream rototo git directory")
    parser.add_argument("--json", type=Path, help="write figures and differences here")
    args = parser.parse_args(argv)
    result = sweep(args.repo)
    for name, value in result["figures"].items():
        sys.stdout.write(f"{name}: {value}\n")
    for problem in result["problems"][:200]:
        sys.stdout.write(problem + "\n")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
