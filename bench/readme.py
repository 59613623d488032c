"""Regenerate the README's speed tables from bench/results/latest.json and growth.json.

    python -m bench.readme [--readme README.md]

The tables sit between `<!-- bench:run -->` / `<!-- bench:growth -->` and their
`<!-- /bench:… -->` markers; everything else in the README is left as it is.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

RESULTS = Path("bench/results")


def _seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def run_table(data: dict[str, Any]) -> str:
    lines = [
        "| benchmark | ours: wall / CPU | peak | reference: wall / CPU | ratio (CPU) | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in data["rows"]:
        ours = f"{_seconds(r['ours_s'])} / {_seconds(r['ours_cpu_s'])}"
        peak = f"{r['ours_peak_mib']:.0f} MiB" if r.get("ours_peak_mib") else "–"
        if "reference_s" in r:
            theirs = f"{_seconds(r['reference_s'])} / {_seconds(r['reference_cpu_s'])}"
            ratio = f"{r['ratio']:.2f}"
        else:
            theirs, ratio = "–", "–"
        if "vs_json" in r:
            ratio = f"{r['vs_json']:.2f}× json"
        target = r["target"].replace("<=", "≤")
        lines.append(f"| {r['benchmark']} | {ours} | {peak} | {theirs} | {ratio} | {target} |")
    return "\n".join(lines)


def growth_table(data: dict[str, Any]) -> str:
    lines = [
        "| workspace | files | lint (cold), CPU | per 1,000 | diff, 5 files changed | "
        "per 1,000 | diff, all changed | per 1,000 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in data["rows"]:
        name = (
            f"{r['size']:,} variables"
            if r["kind"] == "variables"
            else f"chain of {r['size']:,} qualifiers"
        )
        cells = [name, f"{r['files']:,}"]
        for key in ("lint", "diff_few", "diff_all"):
            if f"{key}_cpu_s" in r:
                cells += [_seconds(r[f"{key}_cpu_s"]), f"{r[f'{key}_per_1000'] * 1000:.0f} ms"]
            else:
                cells += ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_block(text: str, name: str, table: str) -> str:
    pattern = re.compile(rf"(<!-- bench:{name} -->\n)(?:.*?\n)?(<!-- /bench:{name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README has no <!-- bench:{name} --> block")
    return pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    args = parser.parse_args()
    text = args.readme.read_text(encoding="utf-8")
    latest = RESULTS / "latest.json"
    if latest.exists():
        text = replace_block(text, "run", run_table(json.loads(latest.read_text())))
    growth = RESULTS / "growth.json"
    if growth.exists():
        text = replace_block(text, "growth", growth_table(json.loads(growth.read_text())))
    args.readme.write_text(text, encoding="utf-8")
    print(f"updated {args.readme}")


if __name__ == "__main__":
    main()
