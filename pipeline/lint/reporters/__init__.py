"""Reporters: a lint report as text for people, or JSON / SARIF / CI-native formats.

Each reporter yields the report in pieces (about one per finding), so the CLI writes a report
of ten thousand findings as it goes instead of building it as one string; :func:`render` joins
the pieces (tests, small reports). `FORMATS` is the registry. A reporter gets the run's
:class:`ReportContext` (colour, changed lines, line text), which most ignore. GitHub's
annotations are capped by nature and come as one piece.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pipeline.lint.engine import LintReport
from pipeline.lint.reporters import github, gitlab, json_report, junit, rdjsonl, sarif, text
from pipeline.lint.reporters.context import ReportContext

Reporter = Callable[[LintReport, ReportContext], Iterator[str]]


def _whole(render: Callable[[LintReport, ReportContext], str]) -> Reporter:
    """A reporter that renders in one piece (an empty report: no piece at all)."""

    def stream(report: LintReport, context: ReportContext) -> Iterator[str]:
        text = render(report, context)
        if text:
            yield text

    return stream


FORMATS: dict[str, Reporter] = {
    "text": lambda report, context: text.stream(report, context.color),
    "json": lambda report, context: json_report.stream(report, context.color),
    "sarif": lambda report, context: sarif.stream(report, context.color),
    "github": _whole(github.render),
    "gitlab": gitlab.stream,
    "junit": junit.stream,
    "rdjsonl": rdjsonl.stream,
}


def stream(
    report: LintReport, fmt: str, color: bool = False, context: ReportContext | None = None
) -> Iterator[str]:
    """The report in `fmt`, piece by piece (no final newline)."""
    return FORMATS[fmt](report, context or ReportContext(color=color))


def render(
    report: LintReport, fmt: str, color: bool = False, context: ReportContext | None = None
) -> str:
    """The report in `fmt` as one string (no final newline)."""
    return "".join(stream(report, fmt, color, context))


__all__ = ["FORMATS", "ReportContext", "render", "stream"]
