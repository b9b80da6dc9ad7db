"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

::error file=content/docs/a.md,line=6,col=11,endLine=6,endColumn=21,title=RULE::message
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.pieces import joined_lines

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _annotation(f: Finding) -> str:
    return (
        f"::{_LEVEL[f.severity]} file={_escape_property(f.path)},line={f.line},col={f.column},"
        f"endLine={f.end_line},endColumn={f.end_column},title={_escape_property(f.rule)}"
        f"::{_escape_data(f.message)}"
    )


def stream(report: LintReport, color: bool = False) -> Iterator[str]:
    return joined_lines(_annotation(f) for f in report.findings)
