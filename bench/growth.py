"""How lint and diff time grow with workspace size and with qualifier chain length.

    python -m bench.growth [--sizes 1000 10000 50000] [--chains 500 1000 2000]

Whole processes, ours only, CPU seconds (the median of --repeat runs after a warm-up
run that is not counted). Each row also
shows the cost per 1,000 variables (or chain links): flat columns mean linear growth.
Rows by size use the benchmark workspace (a third as many qualifiers as variables,
21 contexts); chain rows use N qualifiers each reading the next (`qualifier.q{i+1}`),
N variables each reading one of them, and a diff that edits the chain's last link,
so every variable's closure changes. Writes bench/results/growth.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygit2

from bench.generate import CONTEXT_SCHEMA, bool_variable, context_for, generate, write_files
from bench.repo import _commit, build
from bench.run import ROTOTO, Figures, measure
from bench.run import median as _median

ALL_CHANGED_UP_TO = 10_000  # the everything-changed diff is a row of bench.run beyond this


def generate_chain(root: Path, length: int, contexts: int = 21) -> Path:
    files: dict[str, str] = {
        "rototo-workspace.toml": "schema_version = 1\n",
        "schemas/context.schema.json": json.dumps(CONTEXT_SCHEMA, indent=2),
    }
    for q in range(length):
        head = (
            f'[[predicate]]\nattribute = "qualifier.q{q + 1}"\nop = "eq"\nvalue = true\n\n'
            if q + 1 < length
            else ""
        )
        files[f"qualifiers/q{q}.toml"] = (
            f"schema_version = 1\n\n{head}[[predicate]]\nattribute = "
            f'"account.seats"\nop = "gte"\nvalue = {q % 7}\n'
        )
        files[f"variables/v{q}.toml"] = bool_variable(f"q{q}")
    for c in range(contexts):
        files[f"contexts/c{c:03d}.json"] = json.dumps(context_for(c), indent=2)
    return write_files(root, files)


def _chain_repo(root: Path, length: int) -> tuple[str, str]:
    repo = pygit2.init_repository(str(root), initial_head="main")
    ws = generate_chain(root / "config", length)
    base = _commit(repo, "base")
    last = ws / "qualifiers" / f"q{length - 1}.toml"
    last.write_text(last.read_text().replace('op = "gte"', 'op = "lte"'))
    return base, _commit(repo, "change")


def median(fn: Callable[[], Figures], repeat: int) -> Figures:
    """The median of `repeat` runs after a warm-up run that is not counted."""
    fn()
    return _median(fn, repeat)


def _per_thousand(seconds: float, count: int) -> float:
    return round(seconds / count * 1000, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 50000])
    parser.add_argument("--chains", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results/growth.json"))
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    env = {**os.environ, "ROTOTO_NO_CACHE": "1"}
    with tempfile.TemporaryDirectory(prefix="rototo-growth-") as scratch_dir:
        scratch = Path(scratch_dir)
        for size in args.sizes:
            qualifiers = max(10, size // 3)
            ws = generate(scratch / f"ws{size}", variables=size, qualifiers=qualifiers, contexts=0)
            files = sum(1 for p in ws.rglob("*") if p.is_file())
            lint = median(lambda ws=ws: measure([*ROTOTO, "lint", str(ws)], env=env), args.repeat)
            few = scratch / f"few{size}"
            base, head = build(few, size, 21, 5, qualifiers=qualifiers)
            diff_argv = [*ROTOTO, "diff", f"{base}..{head}", "--format", "json"]
            diff_few = median(lambda few=few, argv=diff_argv: measure(argv, cwd=few), args.repeat)
            result: dict[str, Any] = {
                "kind": "variables",
                "size": size,
                "files": files,
                "lint_cpu_s": round(lint["cpu"], 3),
                "lint_per_1000": _per_thousand(lint["cpu"], size),
                "diff_few_cpu_s": round(diff_few["cpu"], 3),
                "diff_few_per_1000": _per_thousand(diff_few["cpu"], size),
            }
            if size <= ALL_CHANGED_UP_TO:
                every = scratch / f"all{size}"
                base, head = build(every, size, 21, None, qualifiers=qualifiers)
                diff_argv = [*ROTOTO, "diff", f"{base}..{head}", "--format", "json"]
                diff_all = median(
                    lambda every=every, argv=diff_argv: measure(argv, cwd=every), args.repeat
                )
                result["diff_all_cpu_s"] = round(diff_all["cpu"], 3)
                result["diff_all_per_1000"] = _per_thousand(diff_all["cpu"], size)
            rows.append(result)
            print(json.dumps(result), flush=True)
        for length in args.chains:
            ws = generate_chain(scratch / f"chain{length}", length)
            lint = median(lambda ws=ws: measure([*ROTOTO, "lint", str(ws)], env=env), args.repeat)
            repo = scratch / f"chain-repo{length}"
            base, head = _chain_repo(repo, length)
            diff_argv = [*ROTOTO, "diff", f"{base}..{head}", "--format", "json"]
            diff = median(lambda repo=repo, argv=diff_argv: measure(argv, cwd=repo), args.repeat)
            result = {
                "kind": "chain",
                "size": length,
                "files": length * 2 + 22,
                "lint_cpu_s": round(lint["cpu"], 3),
                "lint_per_1000": _per_thousand(lint["cpu"], length),
                "diff_all_cpu_s": round(diff["cpu"], 3),
                "diff_all_per_1000": _per_thousand(diff["cpu"], length),
            }
            rows.append(result)
            print(json.dumps(result), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
