"""Custom Lua lint host (sandboxed lupa runtime)."""

from __future__ import annotations

from typing import Any

from ..engine.diagnostics import Collector
from ..engine.model import Model


class CustomLint:
    """Registers `lint/*.lua` handlers and runs them per stage."""

    def __init__(self, model: Model, out: Collector) -> None:
        self.model = model
        self.out = out
        self.registrations: list[Any] = []

    def register(self) -> None:
        raise NotImplementedError("custom Lua lint is not implemented yet")

    def run_stage(self, stage: str) -> None:
        raise NotImplementedError("custom Lua lint is not implemented yet")
