"""`--format rdjsonl`: reviewdog's Diagnostic Format, one JSON object per line.

`reviewdog -f=rdjsonl` turns these into review comments; a finding `--fix` can correct carries
its replacement as a `suggestions` entry, which reviewdog offers as a suggested change.
Columns are 1-based UTF-8 byte offsets, as the format defines them (kbsync counts characters,
so a line's text converts them when it is known).
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.context import ReportContext

_SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.SUGGESTION: "INFO"}


def _byte_column(context: ReportContext, path: str, line: int, column: int) -> int:
    text = context.line(path, line)
    if text is None:
        return column
    return len(text[: column - 1].encode("utf-8")) + 1


def _range(context: ReportContext, finding: Finding) -> dict[str, Any]:
    return {
        "start": {
            "line": finding.line,
            "column": _byte_column(context, finding.path, finding.line, finding.column),
        },
        "end": {
            "line": finding.end_line,
            "column": _byte_column(context, finding.path, finding.end_line, finding.end_column),
        },
    }


def diagnostic(finding: Finding, context: ReportContext) -> dict[str, Any]:
    where = _range(context, finding)
    data: dict[str, Any] = {
        "message": finding.message,
        "location": {"path": finding.path, "range": where},
        "severity": _SEVERITY[finding.severity],
        "source": {"name": "kbsync"},
        "code": {"value": finding.rule},
    }
    if finding.fix is not None:
        data["suggestions"] = [{"range": where, "text": finding.fix.replacement}]
    return data


def render(report: LintReport, context: ReportContext) -> str:
    return "\n".join(
        json.dumps(diagnostic(f, context), ensure_ascii=False) for f in report.findings
    )
