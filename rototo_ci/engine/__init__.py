"""The rototo workspace engine: sources, documents, model, lint gate and resolution."""

from .errors import (
    ContextError,
    NotFoundError,
    ResolutionError,
    RototoError,
    SourceError,
    WorkspaceError,
)
from .resolve import QualifierResolution, VariableResolution
from .workspace import LintReport, Workspace

__all__ = [
    "ContextError",
    "LintReport",
    "NotFoundError",
    "QualifierResolution",
    "ResolutionError",
    "RototoError",
    "SourceError",
    "VariableResolution",
    "Workspace",
    "WorkspaceError",
]
