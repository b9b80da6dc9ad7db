"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

::error file=content/docs/a.md,line=6,col=11,endLine=6,endColumn=21,title=RULE::message
"""

from __future__ import annotations

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: LintReport, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        props = ",".join(
            [
                f"file={_escape_property(f.path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_column}",
                f"title={_escape_property(f.rule)}",
            ]
        )
        lines.append(f"::{_LEVEL[f.severity]} {props}::{_escape_data(f.message)}")
    return "\n".join(lines)
