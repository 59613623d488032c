"""Every witness of an uncovered change really changes the outcome on the reference engine."""

from __future__ import annotations

import random
import re
from pathlib import Path

from rototo_ci.engine.workspace import Workspace
from rototo_ci.review.changes import semantic_changes
from rototo_ci.review.uncovered import uncovered_changes
from tests.conformance import generator
from tests.helpers import write_files
from tests.oracle.reference import resolve_batch

_RULE_VALUE = re.compile(r'(\[\[resolve\.rule\]\]\nqualifier = "[^"]+"\nvalue = )"(k\d+)"')


def _mutate(files: dict[str, str]) -> dict[str, str] | None:
    """Point the first rule of the first primitive variable at the default's key."""
    for path in sorted(files):
        if path.startswith("variables/v"):
            text = files[path]
            default = re.search(r'default = "(k\d+)"', text)
            if default and _RULE_VALUE.search(text):
                head = dict(files)
                head[path] = _RULE_VALUE.sub(rf'\1"{default.group(1)}"', text, count=1)
                return head
    return None


def test_witnesses_hold_on_the_reference_engine(tmp_path: Path) -> None:
    jobs, expected = [], []
    witnesses = nulls = 0
    for seed in range(16):
        ws = generator.generate(random.Random(seed))
        head_files = _mutate(ws.files)
        if head_files is None:
            continue
        base_dir = write_files(tmp_path / f"s{seed}" / "base", ws.files)
        head_dir = write_files(tmp_path / f"s{seed}" / "head", head_files)
        base, head = Workspace.load(str(base_dir)), Workspace.load(str(head_dir))
        found = uncovered_changes(base, head, semantic_changes(base.model, head.model), [])
        assert found, f"seed {seed}: the changed rule should be reported"
        for item in found:
            if item["context"] is None:
                nulls += 1
                continue
            witnesses += 1
            query = [("variable", item["variable"], item["context"])]
            jobs += [
                {"source": str(base_dir), "queries": query},
                {"source": str(head_dir), "queries": query},
            ]
            expected.append((seed, item))
    print(f"witnesses {witnesses}, none found {nulls}")
    assert witnesses >= 8, (witnesses, nulls)
    answers = resolve_batch(jobs)
    for index, (seed, item) in enumerate(expected):
        before = answers[2 * index]["results"][0]
        after = answers[2 * index + 1]["results"][0]
        assert "error" not in before or "error" not in after, (seed, item)
        if "error" in before or "error" in after:
            assert ("error" in before) != ("error" in after)
            continue
        assert (before["value_key"], after["value_key"]) == (
            item["before"]["value_key"],
            item["after"]["value_key"],
        ), (seed, item)
        assert before["value_key"] != after["value_key"] or before["value"] != after["value"]
