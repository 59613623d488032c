"""Coverage of rules, defaults and values against a brute force on the reference engine.

For every generated workspace and context, the reference engine (rototo==0.1.0a4)
resolves each variable and each qualifier; the expected counts follow from those
answers alone: a variable that fails contributes nothing; otherwise its rules are
evaluated in order, each one skipped while its qualifier is false, up to the first
true one (matched), else the default is selected; the reference's value key is hit.
Lines come from a plain text scan of the files, not from the engine's spans.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from rototo_ci.engine.workspace import Workspace
from rototo_ci.testing.contexts import DeclaredContext
from rototo_ci.testing.coverage import CoverageCollector
from rototo_ci.testing.runner import TestOptions as Options
from rototo_ci.testing.runner import run_tests
from tests.conformance import generator
from tests.helpers import write_files
from tests.oracle.reference import resolve_batch

from .test_coverage import _scan_lines

KINDS = ("rule", "default", "value")


def _expected(
    files: dict[str, str],
    model: Any,
    contexts: list[dict[str, Any]],
    answers: dict[str, Any],
) -> dict[tuple[str, int], list[int]]:
    expected: dict[tuple[str, int], list[int]] = {}
    for path, text in files.items():
        if not (path.startswith("variables/") and path.endswith(".toml")):
            continue
        # the structure (rule qualifiers, value keys in file order) from the parsed model
        # (the generator writes TOML 1.1 that tomllib refuses); lines from the text scan
        variable = model.variables[path[len("variables/") : -len(".toml")]]
        scan = _scan_lines(text)
        resource = variable.resource is not None
        rules = [{"qualifier": rule.qualifier} for rule in variable.rules]
        keys = [] if resource else list(variable.values)
        assert len(scan["rule"]) == len(rules) and (resource or len(scan["value"]) == len(keys))
        lines = {("rule", i): n for i, n in enumerate(scan["rule"])}
        lines |= {("value", k): n for k, n in zip(keys, scan["value"], strict=True)}
        lines[("default", None)] = scan["default"][0]
        for line in lines.values():
            expected[(path, line)] = [0, 0, 0]
        vid = path[len("variables/") : -len(".toml")]
        for index in range(len(contexts)):
            answer = answers[f"variable:{vid}:{index}"]
            if "error" in answer:
                continue  # a failing resolution covers nothing
            matched = False
            for number, rule in enumerate(rules):
                truth = answers[f"qualifier:{rule['qualifier']}:{index}"]
                assert "error" not in truth, (vid, rule, truth)
                cell = expected[(path, lines[("rule", number)])]
                cell[0] += 1
                if truth["value"] is True:
                    cell[1] += 1
                    matched = True
                    break
                cell[2] += 1
            if not matched:
                expected[(path, lines[("default", None)])][0] += 1
            if not resource:
                expected[(path, lines[("value", answer["value_key"])])][0] += 1
    return expected


def _check(tmp_path: Path, seeds: range) -> tuple[int, int]:
    cases, jobs = [], []
    for seed in seeds:
        rng = random.Random(seed)
        ws = generator.generate(rng)
        contexts = generator.contexts(rng, ws, count=10)
        root = write_files(tmp_path / str(seed), ws.files)
        qualifiers = sorted(p[11:-5] for p in ws.files if p.startswith("qualifiers/"))
        names = []
        queries = []
        for index, context in enumerate(contexts):
            for vid in ws.variables:
                names.append(f"variable:{vid}:{index}")
                queries.append(("variable", vid, context))
            for qid in qualifiers:
                names.append(f"qualifier:{qid}:{index}")
                queries.append(("qualifier", qid, context))
        cases.append((seed, ws, contexts, root, names))
        jobs.append({"source": str(root), "queries": queries})
    answers = resolve_batch(jobs)
    compared = failing = 0
    for (seed, ws, contexts, root, names), answer in zip(cases, answers, strict=True):
        assert "load_error" not in answer, (seed, answer)
        by_name = dict(zip(names, answer["results"], strict=True))
        failing += sum(1 for n, a in by_name.items() if n.startswith("variable:") and "error" in a)
        workspace = Workspace.load(str(root))
        collector = CoverageCollector(workspace.model)
        declared = [DeclaredContext(f"c{i}", c) for i, c in enumerate(contexts)]
        run_tests(workspace, Options(contexts=declared, coverage=collector))
        got = {
            (e.path, e.line): [e.hits, e.true_hits, e.false_hits]
            for e in collector.report().entries
            if e.kind in KINDS
        }
        assert got == _expected(ws.files, workspace.model, contexts, by_name), seed
        compared += len(got)
    return compared, failing


def test_rules_defaults_and_values_match_the_reference_brute_force(tmp_path: Path) -> None:
    compared, failing = _check(tmp_path, range(12))
    assert compared > 100 and failing > 0, (compared, failing)


@pytest.mark.slow
def test_rules_defaults_and_values_match_the_reference_on_many_seeds(tmp_path: Path) -> None:
    compared, failing = _check(tmp_path, range(12, 200))
    assert compared > 2000 and failing > 0, (compared, failing)
