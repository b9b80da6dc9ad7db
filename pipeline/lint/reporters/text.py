"""`--format text` (the default): findings grouped by file, for people.

content/docs/billing/plans.md
  6:11  warning  last reviewed 400 days ago (…)  freshness.review-overdue

40 files: 1 error, 2 warnings, 0 suggestions
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Severity
from pipeline.lint.reporters.pieces import joined_lines

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.SUGGESTION: "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: LintReport) -> str:
    counts = ", ".join(
        [
            _plural(report.count(Severity.ERROR), "error"),
            _plural(report.count(Severity.WARNING), "warning"),
            _plural(report.count(Severity.SUGGESTION), "suggestion"),
        ]
    )
    extras = []
    if report.suppressed:
        extras.append(f"{report.suppressed} suppressed")
    if report.baselined:
        extras.append(f"{report.baselined} in baseline")
    tail = f" ({', '.join(extras)})" if extras else ""
    return f"{_plural(report.files, 'file')}: {counts}{tail}"


def _blocks(report: LintReport, color: bool) -> Iterator[str]:
    """The report's lines, one file's findings as one block (joined with newlines)."""

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    if report.findings:
        width = max(len(f"{f.line}:{f.column}") for f in report.findings)
        levels = {s: style(s.value.ljust(10), fg=_COLOURS[s]) for s in Severity}
        current = None
        block: list[str] = []
        for f in report.findings:
            if f.path != current:
                if current is not None:
                    yield "\n".join(block)
                    yield ""
                block = [style(f.path, bold=True, underline=True)]
                current = f.path
            where = f"{f.line}:{f.column}".ljust(width)
            block.append(f"  {where}  {levels[f.severity]} {f.message}  {style(f.rule, dim=True)}")
        yield "\n".join(block)
        yield ""
    for fix in report.fixes:
        yield f"fixed {fix.path}:{fix.line} {fix.rule}: '{fix.before}' -> '{fix.after}'"
    if report.fixes:
        yield ""
    yield summary_line(report)


def stream(report: LintReport, color: bool = False) -> Iterator[str]:
    return joined_lines(_blocks(report, color))
