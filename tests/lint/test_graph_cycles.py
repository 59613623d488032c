"""Cycle detection by strongly connected components reports exactly what a naive walk does."""

from __future__ import annotations

import random
import time

from rototo_ci.engine.tree import MemoryTree
from rototo_ci.engine.workspace import Workspace


def _workspace(edges: dict[int, list[int]], count: int) -> Workspace:
    files = {"rototo-workspace.toml": b"schema_version = 1\n"}
    for q in range(count):
        body = "schema_version = 1\n"
        for ref in edges.get(q, []):
            body += f'\n[[predicate]]\nattribute = "qualifier.q{ref}"\nop = "eq"\nvalue = true\n'
        if not edges.get(q):
            body += '\n[[predicate]]\nattribute = "user.id"\nop = "eq"\nvalue = "x"\n'
        files[f"qualifiers/q{q}.toml"] = body.encode()
    files["variables/v.toml"] = (
        b'schema_version = 1\ntype = "bool"\n\n[values]\noff = false\non = true\n\n'
        b'[resolve]\ndefault = "off"\n\n[[resolve.rule]]\nqualifier = "q0"\nvalue = "on"\n'
    )
    return Workspace.from_tree(MemoryTree(files))


def _naive_cycles(workspace: Workspace) -> list[tuple[str, str, list[str]]]:
    """The walk the stage used to do from every qualifier over the whole graph."""
    qualifiers = workspace.model.qualifiers
    found = []
    for qualifier in qualifiers.values():
        stack = [(qualifier.id, [qualifier.id])]
        seen: set[str] = set()
        while stack:
            current, trail = stack.pop()
            node = qualifiers.get(current)
            if node is None:
                continue
            hit = False
            for _, ref, _ in node.references:
                if ref == qualifier.id:
                    if len(trail) == 1:
                        message = f"qualifier references itself: {qualifier.id}"
                    else:
                        message = "qualifier participates in a reference cycle with: " + ", ".join(
                            sorted(set(trail))
                        )
                    related = [
                        f"cycle reference: {a} -> {b}"
                        for a, b in zip(trail, trail[1:], strict=False)
                    ]
                    if len(trail) > 1:
                        related.append(f"cycle reference: {trail[-1]} -> {trail[0]}")
                    found.append((qualifier.id, message, related[1:]))
                    hit = True
                    break
                if ref not in seen:
                    seen.add(ref)
                    stack.append((ref, [*trail, ref]))
            if hit:
                break
    return sorted(found)


def _reported(workspace: Workspace) -> list[tuple[str, str, list[str]]]:
    return sorted(
        (d.entity["id"], d.message, [r.message for r in d.related])
        for d in workspace.diagnostics
        if d.rule.endswith("qualifier-cycle")
    )


def test_cycles_match_the_naive_walk_on_random_graphs() -> None:
    rng = random.Random(3)
    with_cycles = 0
    for _ in range(80):
        count = rng.randrange(2, 12)
        edges = {q: rng.sample(range(count), k=rng.randrange(0, 3)) for q in range(count) if q != 0}
        edges[0] = rng.sample(range(1, count), k=min(count - 1, rng.randrange(1, 3)))
        workspace = _workspace(edges, count)
        expected = _naive_cycles(workspace)
        with_cycles += bool(expected)
        assert _reported(workspace) == expected, edges
    assert with_cycles > 25


def test_a_chain_of_2000_qualifiers_lints_in_linear_time() -> None:
    chain = {q: [q + 1] for q in range(1999)}
    start = time.process_time()
    assert _reported(_workspace(chain, 2000)) == []
    # 0.25 s here; the walk from every qualifier took 4.7 s
    assert time.process_time() - start < 2.0


def test_a_ring_reports_every_member() -> None:
    ring = {q: [(q + 1) % 40] for q in range(40)}
    reported = _reported(_workspace(ring, 40))
    assert len(reported) == 40
    assert all(len(related) == 39 for _, _, related in reported)
