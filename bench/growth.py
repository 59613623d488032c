"""How lint and diff time grow with workspace size (whole processes, ours only).

python -m bench.growth [--sizes 100 1000 10000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from bench.repo import build
from bench.run import ROTOTO


def _time(argv: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    args = parser.parse_args()
    print("| variables | files | lint (cold) | diff, 5 files changed | diff, all changed |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        for size in args.sizes:
            qualifiers = max(10, size // 3)
            ws = generate(scratch / f"ws{size}", variables=size, qualifiers=qualifiers, contexts=0)
            files = sum(1 for p in ws.rglob("*") if p.is_file())
            lint = _time([*ROTOTO, "lint", str(ws), "--no-cache", "--quiet"])
            few = scratch / f"few{size}"
            base, head = build(few, size, 21, 5, qualifiers=qualifiers)
            diff_few = _time([*ROTOTO, "diff", f"{base}..{head}", "--format", "json"], cwd=few)
            every = scratch / f"all{size}"
            base, head = build(every, size, 21, None, qualifiers=qualifiers)
            diff_all = _time([*ROTOTO, "diff", f"{base}..{head}", "--format", "json"], cwd=every)
            print(
                f"| {size:,} | {files:,} | {lint:.2f} s | {diff_few:.2f} s | {diff_all:.2f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
