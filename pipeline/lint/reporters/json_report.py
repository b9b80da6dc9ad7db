"""`--format json`: the stable machine interface (version 1).

{"version": 1,
 "findings": [{"rule", "category", "severity", "path", "line", "column",
               "end_line", "end_column", "message", "fix"}],
 "summary": {"files", "errors", "warnings", "suggestions"}}
"""

from __future__ import annotations

import json

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Severity


def render(report: LintReport, color: bool = False) -> str:
    data = {
        "version": 1,
        "findings": [f.to_dict() for f in report.findings],
        "summary": {
            "files": report.files,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "suggestions": report.count(Severity.SUGGESTION),
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
