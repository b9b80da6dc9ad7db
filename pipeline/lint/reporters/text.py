"""`--format text` (the default): findings grouped by file, for people.

content/docs/billing/plans.md
  6:11  warning  last reviewed 400 days ago (…)  freshness.review-overdue

40 files: 1 error, 2 warnings, 0 suggestions
"""

from __future__ import annotations

import click

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Severity

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


def render(report: LintReport, color: bool = False) -> str:
    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    lines: list[str] = []
    if report.findings:
        width = max(len(f"{f.line}:{f.column}") for f in report.findings)
        current = None
        for f in report.findings:
            if f.path != current:
                if current is not None:
                    lines.append("")
                lines.append(style(f.path, bold=True, underline=True))
                current = f.path
            where = f"{f.line}:{f.column}".ljust(width)
            level = style(f.severity.value.ljust(10), fg=_COLOURS[f.severity])
            lines.append(f"  {where}  {level} {f.message}  {style(f.rule, dim=True)}")
        lines.append("")
    for fix in report.fixes:
        lines.append(f"fixed {fix.path}:{fix.line} {fix.rule}: '{fix.before}' -> '{fix.after}'")
    if report.fixes:
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)
