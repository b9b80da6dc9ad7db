"""Reporters: a lint report as text for people, or JSON / SARIF / GitHub annotations.

Each reporter returns a string; the CLI prints it. `FORMATS` is the registry.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.lint.engine import LintReport
from pipeline.lint.reporters import github, json_report, sarif, text

Reporter = Callable[[LintReport, bool], str]

FORMATS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
}


def render(report: LintReport, fmt: str, color: bool = False) -> str:
    return FORMATS[fmt](report, color)


__all__ = ["FORMATS", "render"]
