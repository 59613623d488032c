"""GitHub workflow-command escaping (kept for existing imports; see `escape`)."""

from __future__ import annotations

from .escape import command_data as escape_data
from .escape import command_property as escape_property

__all__ = ["escape_data", "escape_property"]
