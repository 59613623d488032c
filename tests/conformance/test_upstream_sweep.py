"""Upstream rototo's own workspaces (four alpha tags, examples/ between them) lint and
resolve as the reference engine does. Needs a local git copy of upstream: set
ROTOTO_UPSTREAM_REPO to its git directory; skipped when absent (CI has none)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .upstream_sweep import sweep

REPO = Path(os.environ.get("ROTOTO_UPSTREAM_REPO", "/nonexistent"))


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / "HEAD").exists(), reason="no local copy of upstream rototo")
def test_upstream_workspaces_match_the_reference() -> None:
    result = sweep(REPO)
    figures = result["figures"]
    assert not result["problems"], "\n".join(result["problems"][:40])
    assert figures["unique_workspaces"] >= 100
    assert figures["diagnostics_compared"] >= 800
    assert figures["resolutions_compared"] >= 3000
