"""In-process resolution: every variable of a 1,000-variable workspace for one context.

Compares our Workspace (compiled predicates, qualifier results memoized per
context) with the reference SDK's per-call loop, both measured in this run.

    python -m bench.bench_resolve [--variables 1000] [--contexts 1] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench import reference
from bench.generate import context_for, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variables", type=int, default=1000)
    parser.add_argument("--contexts", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write results here")
    args = parser.parse_args()

    from rototo_ci.engine import Workspace

    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        root = generate(scratch / "ws", variables=args.variables, contexts=0)
        contexts = [context_for(i) for i in range(args.contexts)]
        workspace = Workspace.load(str(root))
        variable_ids = list(workspace.runtime().variables)
        ours = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            for context in contexts:
                workspace.resolve_all(context)
            ours.append(time.perf_counter() - start)
        theirs = [
            reference.resolve_matrix(root, contexts, variable_ids, scratch)["resolve"]
            for _ in range(args.repeat)
        ]
    result = {
        "variables": len(variable_ids),
        "contexts": len(contexts),
        "ours_s": statistics.median(ours),
        "reference_s": statistics.median(theirs),
    }
    result["ratio"] = result["ours_s"] / result["reference_s"]
    result["speedup"] = result["reference_s"] / result["ours_s"]
    print(
        f"resolve all variables: ours {result['ours_s'] * 1000:.1f} ms, reference "
        f"{result['reference_s'] * 1000:.1f} ms, ratio {result['ratio']:.3f} "
        f"({result['speedup']:.1f}x faster)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
