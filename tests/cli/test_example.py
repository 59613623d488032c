"""The bundled example workspace: clean and resolving exactly as the reference engine does."""

from __future__ import annotations

import json

from rototo_ci.engine import Workspace
from rototo_ci.engine.context import merge_context_inputs

from ..oracle.lint import reference_lint
from ..oracle.reference import resolve_batch
from .conftest import EXAMPLE


def _contexts() -> dict[str, dict]:
    return {
        path.name: merge_context_inputs(["@" + str(path)])
        for path in sorted((EXAMPLE / "contexts").iterdir())
    }


def test_example_is_lint_clean_for_the_reference() -> None:
    [report] = reference_lint([EXAMPLE])
    assert report["diagnostics"] == []
    assert Workspace.inspect(str(EXAMPLE)).diagnostics == []


def test_example_resolves_as_the_reference_does() -> None:
    workspace = Workspace.load(str(EXAMPLE))
    runtime = workspace.runtime()
    contexts = _contexts()
    assert len(contexts) >= 3
    queries = [["variable", v, c] for c in contexts.values() for v in sorted(runtime.variables)]
    queries += [["qualifier", q, c] for c in contexts.values() for q in sorted(runtime.qualifiers)]
    [theirs] = resolve_batch([{"source": str(EXAMPLE), "queries": queries}])
    ours = []
    for kind, ident, context in queries:
        if kind == "variable":
            r = workspace.resolve_variable(ident, context)
            ours.append({"value_key": r.value_key, "value": r.value})
        else:
            ours.append({"value": workspace.resolve_qualifier(ident, context).value})
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs["results"], sort_keys=True)
    # the contexts exercise both sides of every rule's qualifier
    values = {json.dumps(o, sort_keys=True) for o in ours if "value_key" in o}
    assert len(values) >= 6
