"""Memoised closure digests agree with the closure walk; trace-free cells agree with traces."""

from __future__ import annotations

import random
import time

from rototo_ci.engine.errors import RototoError
from rototo_ci.engine.tree import MemoryTree
from rototo_ci.engine.workspace import Workspace
from rototo_ci.review.impact import (
    ClosureDigests,
    closure_digest,
    qualifier_closure_digest,
)


def _files(rng: random.Random, count: int, variables: int, clean: bool = False) -> dict[str, bytes]:
    files = {
        "rototo-workspace.toml": b"schema_version = 1\n",
        "schemas/context.schema.json": (
            b'{"type": "object", "properties": {"user": {"type": "object", '
            b'"properties": {"n": {"type": "integer"}}}}}'
        ),
    }
    for q in range(count):
        body = "schema_version = 1\n"
        # q{count} and beyond are missing; a clean workspace reads later qualifiers only
        refs = range(q + 1, count) if clean else range(count + 2)
        for ref in rng.sample(refs, k=min(len(refs), rng.randrange(0, 3))):
            body += f'\n[[predicate]]\nattribute = "qualifier.q{ref}"\nop = "eq"\nvalue = true\n'
        body += f'\n[[predicate]]\nattribute = "user.n"\nop = "gte"\nvalue = {rng.randrange(9)}\n'
        files[f"qualifiers/q{q}.toml"] = body.encode()
    for v in range(variables):
        body = 'schema_version = 1\ntype = "int"\n\n[values]\na = 1\nb = 2\n\n[resolve]\n'
        body += 'default = "a"\n'
        for q in rng.sample(range(count), k=rng.randrange(0, 3)):
            body += f'\n[[resolve.rule]]\nqualifier = "q{q}"\nvalue = "b"\n'
        files[f"variables/v{v}.toml"] = body.encode()
    return files


def _side(files: dict[str, bytes]) -> tuple[Workspace, dict[str, str]]:
    tree = MemoryTree(files)
    return Workspace.from_tree(tree), {p: tree.blob_id(p) for p in tree.files()}


def test_digests_give_the_closure_walks_verdict() -> None:
    rng = random.Random(4)
    differing = 0
    for _ in range(40):
        count = rng.randrange(2, 10)
        base_files = _files(rng, count, 8)
        head_files = dict(base_files)
        for path in rng.sample(sorted(base_files), k=rng.randrange(0, 3)):
            head_files[path] = base_files[path] + b"# edited\n"
        (base, base_blobs), (head, head_blobs) = _side(base_files), _side(head_files)
        base_digests = ClosureDigests(base.model, base_blobs)
        head_digests = ClosureDigests(head.model, head_blobs)
        for vid in base.model.variables:
            walked = closure_digest(base.model, base_blobs, vid) == closure_digest(
                head.model, head_blobs, vid
            )
            differing += not walked
            assert (base_digests.of(vid) == head_digests.of(vid)) == walked
        for qid in base.model.qualifiers:
            walked = qualifier_closure_digest(
                base.model, base_blobs, qid
            ) == qualifier_closure_digest(head.model, head_blobs, qid)
            assert (base_digests.of_qualifier(qid) == head_digests.of_qualifier(qid)) == walked
    assert differing > 20


def test_a_chain_of_2000_qualifiers_digests_in_linear_time() -> None:
    files = {"rototo-workspace.toml": b"schema_version = 1\n"}
    for q in range(2000):
        ref = f"qualifier.q{q + 1}" if q < 1999 else "user.id"
        files[f"qualifiers/q{q}.toml"] = (
            f'schema_version = 1\n\n[[predicate]]\nattribute = "{ref}"\nop = "eq"\nvalue = "x"\n'
        ).encode()
    for v in range(2000):
        files[f"variables/v{v}.toml"] = (
            'schema_version = 1\ntype = "bool"\n\n[values]\noff = false\non = true\n\n'
            f'[resolve]\ndefault = "off"\n\n[[resolve.rule]]\nqualifier = "q{v}"\nvalue = "on"\n'
        ).encode()
    workspace, blobs = _side(files)
    start = time.process_time()
    digests = ClosureDigests(workspace.model, blobs)
    assert len({digests.of(vid) for vid in workspace.model.variables}) == 2000
    # walking each variable's closure took 6 s here
    assert time.process_time() - start < 1.5


def test_trace_free_selection_matches_traced_resolution() -> None:
    rng = random.Random(8)
    cells = 0
    for _ in range(20):
        workspace, _ = _side(_files(rng, 6, 6, clean=True))
        assert not [d for d in workspace.diagnostics if d.is_error]
        for n in range(4):
            evaluation = workspace.evaluation({"user": {"n": n}})
            traced = workspace.evaluation({"user": {"n": n}})
            for vid in workspace.model.variables:
                try:
                    resolution, _ = traced.variable(vid)
                    expected: object = (resolution.value_key, resolution.value)
                except RototoError as error:
                    expected = str(error)
                try:
                    got: object = evaluation.selection(vid)
                except RototoError as error:
                    got = str(error)
                assert got == expected
                cells += 1
    assert cells == 20 * 4 * 6


def test_first_in_closure_is_the_minimum_over_the_closure_walks() -> None:
    from rototo_ci.review.impact import FirstInClosure, closure_paths, qualifier_closure_paths

    rng = random.Random(12)
    for _ in range(30):
        workspace, _ = _side(_files(rng, rng.randrange(2, 10), 8))
        model = workspace.model
        paths = sorted({p for v in model.variables for p in closure_paths(model, v)})
        rank = {p: rng.randrange(50) for p in rng.sample(paths, k=rng.randrange(0, len(paths)))}
        first = FirstInClosure(model, rank)
        for vid in model.variables:
            ranks = [rank[p] for p in closure_paths(model, vid) if p in rank]
            assert first.variable(vid) == (min(ranks) if ranks else None)
        for qid in model.qualifiers:
            ranks = [rank[p] for p in qualifier_closure_paths(model, qid) if p in rank]
            assert first.qualifier(qid) == (min(ranks) if ranks else None)
