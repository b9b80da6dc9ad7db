"""Reporters: a lint report as text for people, or JSON / SARIF / GitHub annotations.

Each reporter yields the report in pieces (about one per finding), so the CLI writes a report
of ten thousand findings as it goes instead of building it as one string; :func:`render` joins
the pieces (tests, small reports). `FORMATS` is the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pipeline.lint.engine import LintReport
from pipeline.lint.reporters import github, json_report, sarif, text

Reporter = Callable[[LintReport, bool], Iterator[str]]

FORMATS: dict[str, Reporter] = {
    "text": text.stream,
    "json": json_report.stream,
    "sarif": sarif.stream,
    "github": github.stream,
}


def stream(report: LintReport, fmt: str, color: bool = False) -> Iterator[str]:
    """The report in `fmt`, piece by piece (no final newline)."""
    return FORMATS[fmt](report, color)


def render(report: LintReport, fmt: str, color: bool = False) -> str:
    """The report in `fmt` as one string (no final newline)."""
    return "".join(stream(report, fmt, color))


__all__ = ["FORMATS", "render", "stream"]
