"""`rototo diff` judges a variable per distinct outcome. A pull request controls how many
distinct outcomes there are: a context schema that every context fails in its own way
(the message names the failing key) gives each context its own error on both sides. The
work must stay linear in the number of contexts, not grow with the pairs of outcomes."""

from __future__ import annotations

import json
import random
import time

from rototo_ci.engine.tree import MemoryTree
from rototo_ci.engine.workspace import Workspace
from rototo_ci.review import impact
from rototo_ci.review.impact import resolution_changes

SCHEMA = {
    "type": "object",
    "properties": {"account": {"type": "object", "properties": {"plan": {"type": "string"}}}},
    "additionalProperties": {"type": "string"},  # k{i} = 1 fails, naming k{i}
}


def _side(default: str) -> tuple[Workspace, dict[str, str]]:
    files = {
        "rototo-workspace.toml": b"schema_version = 1\n",
        "schemas/context.schema.json": json.dumps(SCHEMA).encode(),
        "qualifiers/paid.toml": (
            b'schema_version = 1\n\n[[predicate]]\nattribute = "account.plan"\nop = "eq"\n'
            b'value = "paid"\n'
        ),
    }
    for v in range(3):
        files[f"variables/v{v}.toml"] = (
            'schema_version = 1\ntype = "int"\n\n[values]\na = 1\nb = 2\n\n[resolve]\n'
            f'default = "{default}"\n\n[[resolve.rule]]\nqualifier = "paid"\nvalue = "b"\n'
        ).encode()
    tree = MemoryTree(files)
    return Workspace.from_tree(tree), {p: tree.blob_id(p) for p in tree.files()}


def _contexts(count: int) -> dict[str, object]:
    contexts: dict[str, object] = {}
    for i in range(count):
        if i % 4 == 0:
            contexts[f"ok{i}"] = {"account": {"plan": "paid" if i % 8 else "free"}}
        else:
            contexts[f"bad{i}"] = {"account": {"plan": "free"}, f"k{i}": 1}
    return contexts


def _cpu(count: int, runs: int) -> tuple[float, int]:
    (base, base_blobs), (head, head_blobs) = _side("a"), _side("b")
    contexts = _contexts(count)
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        changes = resolution_changes(base, base_blobs, head, head_blobs, contexts)
        best = min(best, time.process_time() - start)
    return best, len(changes)


def test_contexts_failing_each_in_its_own_way_cost_linear_time() -> None:
    small, small_changes = _cpu(300, 3)
    large, large_changes = _cpu(4_800, 2)
    # the free contexts change (a → b); those failing the schema fail alike on both sides
    assert small_changes == 3 * len(range(0, 300, 8))
    assert large_changes == 3 * len(range(0, 4_800, 8))
    # 16 times the contexts: about 16 times the work when linear (0.02 s, 0.3 s), 256 times
    # when quadratic (over 100 when outcomes were paired or their bits scanned one by one)
    assert large < 50 * max(small, 0.002), (small, large)


def test_bits_of_sparse_and_dense_masks() -> None:
    rng = random.Random(5)
    for _ in range(300):
        length = rng.choice([1, 7, 64, 65, 500, 5_000])
        density = rng.choice([0.0, 0.001, 0.01, 0.5, 1.0])
        indexes = sorted(i for i in range(length) if rng.random() < density)
        mask = sum(1 << i for i in indexes)
        assert impact._bits(mask) == indexes
