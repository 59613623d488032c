"""Typed errors for users: the CLI renders each as one line."""

from __future__ import annotations


class RototoError(Exception):
    """Base for every error a user can cause; exit code 2 unless stated."""

    exit_code = 2


class SourceError(RototoError):
    """A workspace source cannot be opened, parsed or staged."""


class WorkspaceError(RototoError):
    """The workspace cannot be loaded (missing manifest, lint errors, …)."""


class ContextError(RototoError):
    """A context input is malformed or fails the context schema."""


class NotFoundError(RototoError):
    """An id named by the user does not exist in the workspace."""


class ResolutionError(RototoError):
    """Resolution failed for the given context (missing attribute, cycle, …)."""

    exit_code = 1
