"""Reporters: a lint report as text for people, or JSON / SARIF / CI-native formats.

Each reporter returns a string; the CLI prints it. `FORMATS` is the registry. A reporter gets
the run's :class:`ReportContext` (colour, changed lines, line text), which most ignore.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.lint.engine import LintReport
from pipeline.lint.reporters import github, gitlab, json_report, junit, rdjsonl, sarif, text
from pipeline.lint.reporters.context import ReportContext

Reporter = Callable[[LintReport, ReportContext], str]

FORMATS: dict[str, Reporter] = {
    "text": lambda report, context: text.render(report, context.color),
    "json": lambda report, context: json_report.render(report, context.color),
    "sarif": lambda report, context: sarif.render(report, context.color),
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
    "rdjsonl": rdjsonl.render,
}


def render(
    report: LintReport, fmt: str, color: bool = False, context: ReportContext | None = None
) -> str:
    return FORMATS[fmt](report, context or ReportContext(color=color))


__all__ = ["FORMATS", "ReportContext", "render"]
