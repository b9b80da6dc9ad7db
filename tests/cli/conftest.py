"""CLI tests run `kbsync` through click's CliRunner inside a temporary repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli

Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run(root, "lint", "--format", "json")` runs kbsync with `root` as working folder."""
    monkeypatch.setenv("KBSYNC_TODAY", "2026-11-23")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)  # set when CI runs the tests

    def invoke(root: Path, *args: str, input: str | None = None) -> Result:
        monkeypatch.chdir(root)
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke
