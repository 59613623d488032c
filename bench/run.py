"""Benchmarks as whole processes, each a ratio against the reference engine in the same run.

    python -m bench.run [--quick] [--repeat N] [--out bench/results/latest.json]

Rows:
* lint (cold): `rototo lint WS --format json` vs the reference's inspect+lint, on a
  5,000-file workspace (3,000 variables, 1,000 qualifiers, 50 resources x 20 objects);
* diff (few files): `rototo diff A..B --format json` on a 1,000-variable, 21-context repo with
  5 changed files vs the reference resolving both revisions' full matrices cell by cell;
* diff (everything): 3,000 variables x 100 contexts, every variable file changed;
* resolve (in-process): every variable of a 1,000-variable workspace for one context;
* cold start: `rototo --version`, and `rototo lint` on a 10-file workspace.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import reference
from bench.generate import context_for, generate
from bench.repo import build

_SCRIPT = Path(sys.executable).with_name("rototo")
ROTOTO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rototo_ci.cli.app"]


def _time_process(argv: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-800:]}")
    return elapsed


def _median(fn: Callable[[], float], repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def _reference_process(script_fn: Callable[[], dict[str, Any]]) -> float:
    start = time.perf_counter()
    script_fn()
    return time.perf_counter() - start


def _contexts_of(root: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((root / "contexts").glob("*.json"))]


def _row(name: str, ours: float, theirs: float | None, target: str) -> dict[str, Any]:
    row: dict[str, Any] = {"benchmark": name, "ours_s": round(ours, 4), "target": target}
    if theirs is not None:
        row["reference_s"] = round(theirs, 4)
        row["ratio"] = round(ours / theirs, 4)
    return row


def bench_lint(scratch: Path, repeat: int, quick: bool) -> list[dict[str, Any]]:
    variables, qualifiers = (600, 200) if quick else (3000, 1000)
    resources, objects = (10, 20) if quick else (50, 20)
    root = generate(
        scratch / "lint-ws",
        variables=variables,
        qualifiers=qualifiers,
        resources=resources,
        objects=objects,
        contexts=0,
    )
    files = sum(1 for p in root.rglob("*") if p.is_file())
    cache_dir = scratch / "cache"
    env = {**os.environ, "ROTOTO_CACHE_DIR": str(cache_dir)}

    def ours_cold() -> float:
        shutil.rmtree(cache_dir, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(
            [*ROTOTO, "lint", str(root), "--format", "json", "--no-cache"],
            capture_output=True,
            env=env,
        )
        return time.perf_counter() - start

    def ours_warm() -> float:
        start = time.perf_counter()
        subprocess.run(
            [*ROTOTO, "lint", str(root), "--format", "json"], capture_output=True, env=env
        )
        return time.perf_counter() - start

    cold = _median(ours_cold, repeat)
    ours_warm()  # fill the cache
    warm = _median(ours_warm, repeat)
    theirs = _median(lambda: _reference_process(lambda: reference.lint(root)), repeat)
    return [
        _row(f"lint cold ({files} files)", cold, theirs, "<= 1.5"),
        _row(f"lint warm cache ({files} files)", warm, theirs, "<= 0.5"),
    ]


def bench_diff(scratch: Path, repeat: int, quick: bool) -> list[dict[str, Any]]:
    rows = []
    cases = [("diff, 5 files changed", 1000, 21, 5, "<= 0.2")]
    if not quick:
        cases.append(("diff, everything changed", 3000, 100, None, "<= 15 s"))
    for name, variables, contexts, changed, target in cases:
        root = scratch / f"repo-{variables}-{contexts}"
        base, head = build(root, variables, contexts, changed)
        ours = _median(
            lambda root=root, base=base, head=head: _time_process(
                [*ROTOTO, "diff", f"{base}..{head}", "--format", "json", "--fail-on", "never"],
                cwd=root,
            ),
            repeat,
        )
        theirs: float | None = None
        if changed is not None:
            sides = []
            for sha in (base, head):
                target_dir = scratch / f"side-{sha[:8]}"
                subprocess.run(
                    [
                        "git",
                        "-C",
                        str(root),
                        "worktree",
                        "add",
                        "-q",
                        "--detach",
                        str(target_dir),
                        sha,
                    ],
                    check=True,
                    capture_output=True,
                )
                sides.append(target_dir / "config")
            ctx = _contexts_of(root / "config")

            def reference_both(sides: list[Path] = sides, ctx: list[Any] = ctx) -> float:
                start = time.perf_counter()
                for side in sides:
                    ids = sorted(p.stem for p in (side / "variables").glob("*.toml"))
                    reference.resolve_matrix(side, ctx, ids, scratch)
                return time.perf_counter() - start

            theirs = _median(reference_both, repeat)
        label = f"{name} ({variables} vars x {contexts} contexts)"
        rows.append(_row(label, ours, theirs, target))
    return rows


def bench_resolve(scratch: Path, repeat: int) -> list[dict[str, Any]]:
    from rototo_ci.engine import Workspace

    root = generate(scratch / "resolve-ws", variables=1000, contexts=0)
    workspace = Workspace.load(str(root))
    ids = list(workspace.runtime().variables)
    context = context_for(1)

    def ours() -> float:
        start = time.perf_counter()
        workspace.resolve_all(context)
        return time.perf_counter() - start

    theirs = statistics.median(
        reference.resolve_matrix(root, [context], ids, scratch)["resolve"] for _ in range(repeat)
    )
    return [
        _row(
            "resolve 1,000 variables, one context (in-process)",
            _median(ours, repeat),
            theirs,
            "<= 0.1",
        )
    ]


def bench_cold(scratch: Path, repeat: int) -> list[dict[str, Any]]:
    small = generate(
        scratch / "small-ws", variables=4, qualifiers=3, resources=0, objects=0, contexts=0
    )
    version = _median(lambda: _time_process([*ROTOTO, "--version"]), repeat)
    lint_small = _median(lambda: _time_process([*ROTOTO, "lint", str(small)]), repeat)
    theirs = _median(lambda: _reference_process(lambda: reference.lint(small)), repeat)
    return [
        _row("rototo --version", version, None, "< 0.2 s"),
        _row("lint a 10-file workspace (pre-commit)", lint_small, theirs, "< 0.5 s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.json"))
    parser.add_argument("--only", choices=["lint", "diff", "resolve", "cold"], action="append")
    args = parser.parse_args()
    chosen = args.only or ["cold", "resolve", "lint", "diff"]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="rototo-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        if "cold" in chosen:
            rows += bench_cold(scratch, args.repeat)
        if "resolve" in chosen:
            rows += bench_resolve(scratch, args.repeat)
        if "lint" in chosen:
            rows += bench_lint(scratch, args.repeat, args.quick)
        if "diff" in chosen:
            rows += bench_diff(scratch, args.repeat, args.quick)
    width = max(len(r["benchmark"]) for r in rows)
    print(f"{'benchmark':<{width}}  {'ours':>9}  {'reference':>9}  {'ratio':>7}  target")
    for r in rows:
        ref = f"{r['reference_s']:9.3f}" if "reference_s" in r else f"{'-':>9}"
        ratio = f"{r['ratio']:7.3f}" if "ratio" in r else f"{'-':>7}"
        print(f"{r['benchmark']:<{width}}  {r['ours_s']:9.3f}  {ref}  {ratio}  {r['target']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "python": sys.version.split()[0]}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
