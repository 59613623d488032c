"""Runs the lint stages in order and returns diagnostics.

Stages: discover, parse, project, register, reference, value, graph, policy.
Custom Lua handlers run inside the stage they registered for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.diagnostics import Collector, Diagnostic
from ..engine.documents import Document
from ..engine.model import Model, project
from .stages import graph, parse, reference, schemas, value

STAGES = ("discover", "parse", "project", "register", "reference", "value", "graph", "policy")


@dataclass
class LintContext:
    documents: list[Document]
    model: Model
    out: Collector
    # compiled JSON Schema validators by schema path (None when the schema is invalid)
    validators: dict[str, Any] = field(default_factory=dict)
    custom: Any = None


def run_lint(documents: list[Document], custom_lint: bool = True) -> tuple[Model, list[Diagnostic]]:
    """Lint parsed documents; return the projected model and every diagnostic."""
    out = Collector()
    parse.check(documents, out)
    model = project(documents, out)
    ctx = LintContext(documents, model, out)
    runner = None
    if custom_lint and model.custom_lint:
        from .lua import CustomLint

        runner = CustomLint(model, out)
    ctx.custom = runner
    for stage, check in (
        ("project", schemas.check),
        ("reference", reference.check),
        ("value", value.check),
        ("graph", graph.check),
        ("policy", None),
    ):
        if check is not None:
            check(ctx)
        if runner is not None:
            if stage == "project":
                runner.run()  # every custom rule file, in a worker process
            runner.release(stage)
    if runner is not None:
        model.custom_rules = runner.rules()
        model.custom_registrations = runner.registration_data()
    return model, sorted(out.items, key=Diagnostic.sort_key)
