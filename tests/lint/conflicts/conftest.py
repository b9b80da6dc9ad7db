"""Rule tests that go through the CLI use its `run` fixture."""

from __future__ import annotations

from tests.cli.conftest import run

__all__ = ["run"]
