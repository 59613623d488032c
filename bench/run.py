"""Benchmarks as whole processes, each a ratio against the reference engine in the same run.

    python -m bench.run [--quick] [--repeat N] [--only ROW] [--out bench/results/latest.json]

Every figure is the median of N runs of a whole process (start-up included): wall
seconds, CPU seconds (user + system of that process, from wait4) and its peak
memory. Ratios are ours / reference, on CPU time (wall beside it); the package's
.pyc files are compiled before timing.

Rows:
* cold start: `rototo --version`, `rototo --help` (each after one warm-up run, and
  three times --repeat runs, as for the pre-commit row);
* pre-commit: `rototo-hook lint FILE` after an edit (empty lint cache) on a 10-file
  workspace, against the reference's inspect+lint of the same workspace (runs in turn,
  after one warm-up run of each);
* resolve (in-process): every variable of a 1,000-variable workspace for one context;
* lint: `rototo lint WS --format json` on a 5,104-file workspace (3,000 variables,
  1,000 qualifiers, 50 resources x 20 objects), cold (runs in turn with the reference's)
  and with a warm cache;
* diff (few files): `rototo diff A..B --format json` on a 1,000-variable, 21-context
  repository with 5 changed files, against the reference resolving both revisions'
  full matrices cell by cell (runs in turn);
* diff (everything): 3,000 variables x 100 contexts, every variable file changed, in
  every output format (the formats take their runs in turn).
"""

from __future__ import annotations

import argparse
import compileall
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

_BIN = Path(sys.executable).parent
_SCRIPT = _BIN / "rototo"
ROTOTO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rototo_ci.cli.app"]
_HOOK = _BIN / "rototo-hook"
HOOK = [str(_HOOK)] if _HOOK.exists() else [sys.executable, "-m", "rototo_ci.hook"]

Figures = dict[str, float]  # wall, cpu (seconds), peak (MiB)


# A small launcher forks the measured command and reports that process's own figures:
# measured from the benchmark process itself, the peak would include the benchmark's
# memory (a forked child's high-water mark starts at its parent's size).
_LAUNCHER = r"""
import json, os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as handle:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
               "peak": usage.ru_maxrss / 1024, "code": os.waitstatus_to_exitcode(status)}, handle)
"""


def measure(
    argv: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0, 1),
) -> Figures:
    """One whole process: wall and CPU seconds and peak memory of that process alone."""
    with tempfile.TemporaryDirectory() as scratch:
        result, err_path = Path(scratch) / "figures.json", Path(scratch) / "stderr"
        with err_path.open("wb") as err:
            subprocess.run(
                [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(result), *argv],
                cwd=cwd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
                check=True,
            )
        figures = json.loads(result.read_text())
        if figures["code"] not in ok:
            tail = err_path.read_bytes()[-800:].decode(errors="replace")
            raise RuntimeError(f"{' '.join(argv)} exited {figures['code']}: {tail}")
    return {"wall": figures["wall"], "cpu": figures["cpu"], "peak": figures["peak"]}


def median(fn: Callable[[], Figures], repeat: int) -> Figures:
    return _medians([fn() for _ in range(repeat)])


def _medians(runs: list[Figures]) -> Figures:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def paired_medians(
    ours: Callable[[], Figures], theirs: Callable[[], Figures], repeat: int
) -> tuple[Figures, Figures]:
    """Medians of both sides, their runs taken in turn (ours, theirs, ours, …): a load
    change on a shared machine then weighs on both sides alike instead of on one."""
    runs = [(ours(), theirs()) for _ in range(repeat)]

    def side(index: int) -> Figures:
        return {key: statistics.median(pair[index][key] for pair in runs) for key in runs[0][0]}

    return side(0), side(1)


def row(
    name: str, ours: Figures, theirs: Figures | None, target: str, **extra: Any
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "benchmark": name,
        "ours_s": round(ours["wall"], 4),
        "ours_cpu_s": round(ours["cpu"], 4),
        "ours_peak_mib": round(ours["peak"], 1),
        "target": target,
        **extra,
    }
    if theirs is not None:
        result["reference_s"] = round(theirs["wall"], 4)
        result["reference_cpu_s"] = round(theirs["cpu"], 4)
        result["ratio"] = round(ours["cpu"] / theirs["cpu"], 4)
        result["wall_ratio"] = round(ours["wall"] / theirs["wall"], 4)
    return result


def reference_lint(root: Path) -> Figures:
    return measure([sys.executable, "-c", reference.LINT, str(root)], ok=(0,))


def bench_cold(scratch: Path, repeat: int) -> list[dict[str, Any]]:
    small = generate(
        scratch / "small-ws", variables=4, qualifiers=3, resources=0, objects=0, contexts=0
    )
    files = sum(1 for p in small.rglob("*") if p.is_file())
    edited = small / "variables" / "v0.toml"
    cache_dir = scratch / "hook-cache"
    env = {**os.environ, "ROTOTO_CACHE_DIR": str(cache_dir)}

    def hook_after_edit() -> Figures:
        shutil.rmtree(cache_dir, ignore_errors=True)  # an edit: the cache has no entry
        return measure([*HOOK, "lint", str(edited.relative_to(small))], cwd=small, env=env)

    # start-up rows take a warm-up run first, not counted: the first run after the .pyc
    # files are compiled also reads them (and the libraries') from disk
    for warm_up in (
        lambda: measure([*ROTOTO, "--version"]),
        lambda: measure([*ROTOTO, "--help"]),
        hook_after_edit,
        lambda: reference_lint(small),
    ):
        warm_up()
    # a tenth of a second is at the mercy of a shared machine's hiccups: three times the
    # runs for these rows (under a second each)
    runs = 3 * repeat
    version = median(lambda: measure([*ROTOTO, "--version"]), runs)
    help_ = median(lambda: measure([*ROTOTO, "--help"]), runs)
    hook, theirs = paired_medians(hook_after_edit, lambda: reference_lint(small), runs)
    return [
        row("rototo --version", version, None, "< 0.1 s"),
        row("rototo --help", help_, None, "<= 0.1 s"),
        row(f"pre-commit hook after an edit ({files}-file workspace)", hook, theirs, "<= 1.2"),
    ]


def bench_resolve(scratch: Path, repeat: int) -> list[dict[str, Any]]:
    from rototo_ci.engine import Workspace

    root = generate(scratch / "resolve-ws", variables=1000, contexts=0)
    workspace = Workspace.load(str(root))
    ids = list(workspace.runtime().variables)
    context = context_for(1)

    def ours() -> Figures:
        start, cpu = time.perf_counter(), time.process_time()
        workspace.resolve_all(context)
        return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "peak": 0}

    def theirs() -> Figures:
        seconds = reference.resolve_matrix(root, [context], ids, scratch)["resolve"]
        return {"wall": seconds, "cpu": seconds, "peak": 0}

    result = row(
        "resolve 1,000 variables, one context (in-process)",
        median(ours, repeat),
        median(theirs, repeat),
        "<= 0.1",
    )
    result.pop("ours_peak_mib")
    return [result]


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
    argv = [*ROTOTO, "lint", str(root), "--format", "json"]

    def cold() -> Figures:
        shutil.rmtree(cache_dir, ignore_errors=True)
        return measure(argv, env=env)

    # ours cold and the reference take their runs in turn: a load change on a shared
    # machine then weighs on both alike
    cold_figures, theirs = paired_medians(cold, lambda: reference_lint(root), repeat)
    measure(argv, env=env)  # fill the cache
    warm = median(lambda: measure(argv, env=env), repeat)
    return [
        row(f"lint cold ({files:,} files)", cold_figures, theirs, "<= 0.7"),
        row(f"lint warm cache ({files:,} files)", warm, theirs, "<= 0.3"),
    ]


def _reference_sides(scratch: Path, root: Path, shas: tuple[str, str]) -> list[Path]:
    sides = []
    for sha in shas:
        target_dir = scratch / f"side-{sha[:8]}"
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "-q", "--detach", str(target_dir), sha],
            check=True,
            capture_output=True,
        )
        sides.append(target_dir / "config")
    return sides


def bench_diff(scratch: Path, repeat: int, quick: bool) -> list[dict[str, Any]]:
    rows = []
    root = scratch / "repo-few"
    base, head = build(root, 1000, 21, 5)

    def ours_diff() -> Figures:
        return measure(
            [*ROTOTO, "diff", f"{base}..{head}", "--format", "json", "--fail-on", "never"],
            cwd=root,
        )

    sides = _reference_sides(scratch, root, (base, head))
    contexts = [json.loads(p.read_text()) for p in sorted((root / "config/contexts").glob("*"))]

    def reference_both() -> Figures:
        total = {"wall": 0.0, "cpu": 0.0, "peak": 0.0}
        for side in sides:
            ids = sorted(p.stem for p in (side / "variables").glob("*.toml"))
            figures = reference.resolve_matrix_process(side, contexts, ids, scratch)
            total["wall"] += figures["wall"]
            total["cpu"] += figures["cpu"]
            total["peak"] = max(total["peak"], figures["peak"])
        return total

    ours, theirs = paired_medians(ours_diff, reference_both, repeat)
    label = "diff, 5 files changed (1,000 vars x 21 contexts)"
    rows.append(row(label, ours, theirs, "<= 0.1"))
    if quick:
        return rows
    root = scratch / "repo-all"
    base, head = build(root, 3000, 100, None)
    formats = ("json", "text", "markdown", "github", "gitlab")
    # the formats take their runs in turn (json, text, ..., json, text, ...): a load change
    # on a shared machine then weighs on every format alike, not on one
    runs: dict[str, list[Figures]] = {fmt: [] for fmt in formats}
    for _ in range(repeat):
        for fmt in formats:
            runs[fmt].append(
                measure(
                    [*ROTOTO, "diff", f"{base}..{head}", "--format", fmt, "--fail-on", "never"],
                    cwd=root,
                )
            )
    json_figures = _medians(runs["json"])
    for fmt in formats:
        figures = _medians(runs[fmt])
        if fmt == "json":
            target = "<= 3 s CPU, <= 300 MiB"
            extra: dict[str, Any] = {}
        else:
            target = "<= 2x json"
            extra = {"vs_json": round(figures["cpu"] / json_figures["cpu"], 3)}
        label = f"diff, everything changed (3,000 vars x 100 contexts), --format {fmt}"
        rows.append(row(label, figures, None, target, **extra))
    return rows


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
    import rototo_ci

    compileall.compile_dir(Path(rototo_ci.__file__).parent, quiet=1)  # time .pyc, not compiling
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
    print(
        f"{'benchmark':<{width}}  {'wall':>8}  {'cpu':>8}  {'peak MiB':>8}  "
        f"{'ref cpu':>8}  {'ratio':>7}  target"
    )
    for r in rows:
        ref = f"{r['reference_cpu_s']:8.3f}" if "reference_cpu_s" in r else f"{'-':>8}"
        ratio = f"{r['ratio']:7.3f}" if "ratio" in r else f"{'-':>7}"
        if "vs_json" in r:
            ratio = f"{r['vs_json']:6.2f}x"
        peak = f"{r['ours_peak_mib']:8.1f}" if "ours_peak_mib" in r else f"{'-':>8}"
        print(
            f"{r['benchmark']:<{width}}  {r['ours_s']:8.3f}  {r['ours_cpu_s']:8.3f}  {peak}  "
            f"{ref}  {ratio}  {r['target']}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    args.out.write_text(
        json.dumps({"rows": rows, "python": sys.version.split()[0], "machine": machine}, indent=2)
        + "\n"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
