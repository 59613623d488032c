"""`rototo diff` judges a variable per distinct outcome. A pull request controls how many
distinct outcomes there are: a context schema that every context fails in its own way
(the message names the failing key) gives each context its own error on both sides. The
work must stay linear in the number of contexts, not grow with the pairs of outcomes."""

from __future__ import annotations

import json
import random
import time

from rototo_ci.engine.errors import RototoError
from rototo_ci.engine.tree import MemoryTree
from rototo_ci.engine.workspace import Workspace
from rototo_ci.review import impact
from rototo_ci.review.impact import resolution_changes
from rototo_ci.review.report import cell_kind

from ..review.workspaces import int_variable

SCHEMA = {
    "type": "object",
    "properties": {"account": {"type": "object", "properties": {"plan": {"type": "string"}}}},
    "additionalProperties": {"type": "string"},  # k{i} = 1 fails, naming k{i}
}


def _side(default: str, schema: dict | None = None) -> tuple[Workspace, dict[str, str]]:
    files = {
        "rototo-workspace.toml": b"schema_version = 1\n",
        "schemas/context.schema.json": json.dumps(schema or SCHEMA).encode(),
        "qualifiers/paid.toml": (
            b'schema_version = 1\n\n[[predicate]]\nattribute = "account.plan"\nop = "eq"\n'
            b'value = "paid"\n'
        ),
    }
    for v in range(3):
        files[f"variables/v{v}.toml"] = int_variable(
            {"a": 1, "b": 2}, default, [("paid", "b")]
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


def test_contexts_failing_on_one_side_only_give_the_cell_by_cell_cells() -> None:
    """The head's schema lets integers through where the base's did not, and refuses
    what the base let through: contexts fail on the base only, the head only, both
    (with different messages) or neither; the cells are those of a cell-by-cell diff."""
    head_schema = {**SCHEMA, "additionalProperties": {"type": "integer"}}
    rng = random.Random(7)
    for _ in range(20):
        (base, base_blobs) = _side(rng.choice("ab"))
        (head, head_blobs) = _side(rng.choice("ab"), head_schema)
        contexts: dict[str, object] = {}
        for i in range(rng.randrange(1, 60)):
            extra = rng.choice([{}, {f"k{i}": 1}, {f"k{i}": "s"}, {f"k{i}": None}])
            plan = rng.choice(["paid", "free", 3])
            contexts[f"c{i}"] = {"account": {"plan": plan}, **extra}
        got = [
            (c.variable, c.context, c.before, c.after, c.kind)
            for c in resolution_changes(base, base_blobs, head, head_blobs, contexts)
        ]
        expected = []
        for vid in sorted(base.model.variables):
            for name, context in contexts.items():
                before, after = (
                    impact.outcome(_evaluation(side, context), vid) for side in (base, head)
                )
                kind = cell_kind(before, after)
                if kind is not None:
                    expected.append((vid, name, before, after, kind))
        assert got == expected


def _evaluation(workspace: Workspace, context: object) -> object:
    try:
        return workspace.evaluation(context)
    except RototoError as error:
        return error


def test_contexts_failing_in_their_own_way_take_linear_memory() -> None:
    import tracemalloc

    count = 20_000
    evaluations: list = [RototoError(f"context {i} fails in its own way") for i in range(count)]
    tracemalloc.start()
    try:
        side = impact._Selections(evaluations)
        assert side.outcomes("v") == {}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(side.failures) == count
    # an index and its message's reference: well under 200 bytes a context. A bit set per
    # message, each as long as its context's index, takes count**2 / 16 bytes (25 MB).
    assert peak < 200 * count, peak
