"""Workspace: load a source into the model; the engine's public, synchronous API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .context import as_context
from .diagnostics import Diagnostic
from .documents import Document, load_documents
from .errors import ContextError, NotFoundError, ResolutionError, WorkspaceError
from .model import Model
from .resolve import (
    Evaluation,
    QualifierResolution,
    QualifierTrace,
    Runtime,
    VariableResolution,
    VariableTrace,
)
from .sources import Source, open_source
from .tree import MANIFEST, Tree


@dataclass
class LintReport:
    workspace: str
    documents: list[Document]
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def to_json(self) -> dict[str, Any]:
        root_uri = (
            Path(self.workspace).as_uri() if self.workspace.startswith("/") else (self.workspace)
        )
        return {
            "workspace": self.workspace,
            "documents": [doc.to_json(root_uri) for doc in self.documents],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def _place_and_problem(error: Any) -> str:
    from .schema_messages import describe, where

    return f"{where(error) or 'the top level'}: {describe(error)}"


class Workspace:
    """A workspace read from a source. `load` refuses error diagnostics, as rototo does."""

    def __init__(
        self, source: Source, documents: list[Document], model: Model, diagnostics: list[Diagnostic]
    ) -> None:
        self.source = source
        self.documents = documents
        self.model = model
        self.diagnostics = diagnostics
        self._runtime: Runtime | None = None
        self._validator: Any = None

    # -- loading ---------------------------------------------------------
    @classmethod
    def inspect(
        cls,
        source: str | None = None,
        *,
        cwd: Path | None = None,
        rev: str | None = None,
        allow_external_extends: bool = False,
    ) -> Workspace:
        """Read and lint a workspace without requiring it to be lint-clean."""
        opened = open_source(
            source, cwd=cwd, rev=rev, allow_external_extends=allow_external_extends
        )
        return cls.from_source(opened)

    @classmethod
    def load(
        cls,
        source: str | None = None,
        *,
        cwd: Path | None = None,
        rev: str | None = None,
        allow_external_extends: bool = False,
    ) -> Workspace:
        """Read, lint and compile a workspace; raise WorkspaceError on lint errors."""
        workspace = cls.inspect(
            source, cwd=cwd, rev=rev, allow_external_extends=allow_external_extends
        )
        workspace.runtime()
        return workspace

    @classmethod
    def from_source(cls, source: Source) -> Workspace:
        return cls.from_tree(source.tree, source)

    @classmethod
    def from_tree(
        cls, tree: Tree, source: Source | None = None, documents: list[Document] | None = None
    ) -> Workspace:
        from ..lint.run import run_lint

        if source is None:
            source = Source(tree=tree, display=tree.label)
        if documents is None:
            documents = load_documents(tree)
        if not any(doc.kind == "manifest" for doc in documents):
            raise WorkspaceError(f"workspace has no {MANIFEST}: {tree.label}")
        model, diagnostics = run_lint(documents)
        if source.refused:  # extends entries not followed (SPEC §8): errors on the manifest
            from .input_rules import extends_findings

            diagnostics = [*extends_findings(documents, source.refused), *diagnostics]
        return cls(source, documents, model, diagnostics)

    @property
    def root(self) -> str:
        return self.source.display

    def lint(self) -> LintReport:
        return LintReport(self.source.display, self.documents, self.diagnostics)

    def runtime(self) -> Runtime:
        if self._runtime is None:
            errors = [d for d in self.diagnostics if d.is_error]
            if errors:
                first = errors[0]
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                raise WorkspaceError(
                    f"workspace has lint errors: {first.rule} in {first.path}: "
                    f"{first.message}{more}"
                )
            resource_values = {
                rid: {key: obj.value for key, obj in resource.objects.items()}
                for rid, resource in self.model.resources.items()
            }
            self._runtime = Runtime(self.model, resource_values)
        return self._runtime

    # -- context ---------------------------------------------------------
    def validate_context(self, context: Any) -> dict[str, Any]:
        """Check a context is a JSON object and satisfies schemas/context.schema.json."""
        checked = as_context(context)
        schema = self.model.context_schema
        if schema is None:
            return checked
        if self._validator is None:
            from .schema_validation import validator_for_schema

            self._validator = validator_for_schema(schema.value)
        from .schema_validation import first_error_text

        problem = first_error_text(self._validator, checked, _place_and_problem)
        if problem is not None:
            raise ContextError(f"context does not match the context schema at {problem}")
        return checked

    def evaluation(
        self, context: Any, *, validate_context: bool = True, trace: bool = False
    ) -> Evaluation:
        """A resolution session for one context: qualifiers are evaluated once each."""
        runtime = self.runtime()
        checked = self.validate_context(context) if validate_context else as_context(context)
        return Evaluation(runtime, checked, trace=trace)

    # -- resolution ------------------------------------------------------
    def require_variable(self, variable_id: str) -> None:
        if variable_id not in self.runtime().variables:
            raise NotFoundError(f"variable not found: variable://{variable_id}")

    def require_qualifier(self, qualifier_id: str) -> None:
        if qualifier_id not in self.runtime().qualifiers:
            raise NotFoundError(f"qualifier not found: qualifier://{qualifier_id}")

    def resolve_variable(
        self, variable_id: str, context: Any, *, validate_context: bool = True
    ) -> VariableResolution:
        self.require_variable(variable_id)
        return self.evaluation(context, validate_context=validate_context).variable(variable_id)[0]

    def resolve_qualifier(
        self, qualifier_id: str, context: Any, *, validate_context: bool = True
    ) -> QualifierResolution:
        self.require_qualifier(qualifier_id)
        evaluation = self.evaluation(context, validate_context=validate_context)
        return QualifierResolution(qualifier_id, evaluation.qualifier(qualifier_id))

    def trace_variable(
        self, variable_id: str, context: Any, *, evaluation: Evaluation | None = None
    ) -> VariableTrace:
        self.require_variable(variable_id)
        evaluation = evaluation or self.evaluation(context, trace=True)
        resolution, rules = evaluation.variable(variable_id)
        default = self.runtime().variables[variable_id].default
        traces = evaluation.qualifier_traces_for([rule.qualifier for rule in rules])
        return VariableTrace(resolution, default, rules, traces)

    def trace_qualifier(
        self, qualifier_id: str, context: Any, *, evaluation: Evaluation | None = None
    ) -> QualifierTrace:
        self.require_qualifier(qualifier_id)
        evaluation = evaluation or self.evaluation(context, trace=True)
        evaluation.qualifier(qualifier_id)
        return evaluation.traces[qualifier_id]

    def resolve_all(self, context: Any) -> dict[str, VariableResolution | ResolutionError]:
        """Every variable for one context; failures are returned, not raised."""
        evaluation = self.evaluation(context)
        results: dict[str, VariableResolution | ResolutionError] = {}
        for variable_id in self.runtime().variables:
            try:
                results[variable_id] = evaluation.variable(variable_id)[0]
            except ResolutionError as error:
                results[variable_id] = error
        return results
