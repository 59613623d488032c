"""A qualifier that fails in a context keeps its failure, raised again for every qualifier
that reads it. Raised as it is, each raise would add its frames to the traceback of the
one before: memory growing with the qualifiers a pull request makes read the failing
one, for as long as the diff keeps its evaluations (721 MiB for 200 qualifiers and 2,000
contexts). Each raise starts a fresh traceback instead."""

from __future__ import annotations

import json
import tracemalloc

from rototo_ci.engine.errors import ResolutionError
from rototo_ci.engine.tree import MemoryTree
from rototo_ci.engine.workspace import Workspace
from rototo_ci.review.impact import resolution_changes

from ..review.workspaces import int_variable

SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}


def _side(readers: int, default: str) -> tuple[Workspace, dict[str, str]]:
    files = {
        "rototo-workspace.toml": b"schema_version = 1\n",
        "schemas/context.schema.json": json.dumps(SCHEMA).encode(),
        # fails in every context below: none has `a`
        "qualifiers/f.toml": b'schema_version = 1\n\n[[predicate]]\nattribute = "a"\nop = "eq"\n'
        b"value = 1\n",
    }
    for i in range(readers):
        files[f"qualifiers/q{i}.toml"] = (
            'schema_version = 1\n\n[[predicate]]\nattribute = "qualifier.f"\nop = "eq"\n'
            f'value = true\n\n[[predicate]]\nattribute = "b"\nop = "gte"\nvalue = {i}\n'
        ).encode()
        files[f"variables/v{i}.toml"] = int_variable(
            {"a": 1, "b": 2}, default, [(f"q{i}", "b")]
        ).encode()
    tree = MemoryTree(files)
    return Workspace.from_tree(tree), {p: tree.blob_id(p) for p in tree.files()}


def _frames(error: BaseException) -> int:
    count, tb = 0, error.__traceback__
    while tb is not None:
        count, tb = count + 1, tb.tb_next
    return count


def test_a_stored_failure_keeps_one_traceback() -> None:
    workspace, _ = _side(300, "a")
    evaluation = workspace.evaluation({"b": 1})
    messages = set()
    for i in range(300):
        try:
            evaluation.qualifier(f"q{i}")
        except ResolutionError as error:
            messages.add(str(error))
    assert messages == {"missing resolve context attribute: a required by qualifier://f"}
    assert _frames(evaluation.failures["f"]) < 10


def test_qualifiers_reading_a_failing_one_keep_memory_bounded() -> None:
    (base, base_blobs), (head, head_blobs) = _side(60, "a"), _side(60, "b")
    contexts = {f"c{i}": {"b": i} for i in range(200)}
    tracemalloc.start()
    try:
        changes = resolution_changes(base, base_blobs, head, head_blobs, contexts)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert changes == []  # the same failure on both sides
    # 12,000 qualifier evaluations: a few MB of memos and failures, not a growing
    # traceback per failure (over 20 MB)
    assert peak < 10 * 1024 * 1024, peak
