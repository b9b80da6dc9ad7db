"""`--format gitlab`: GitLab Code Quality JSON, so findings appear in merge requests.

A JSON array of issues, each with the fields GitLab reads: `description`, `check_name`,
`fingerprint` (stable across unrelated edits, :mod:`pipeline.lint.reporters.fingerprint`),
`severity` (info, minor, major, critical or blocker), `location.path` and
`location.lines.begin`. A leaked secret or personal datum outranks other errors (critical);
`blocker` is left to the team's own judgement and never used.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.context import ReportContext
from pipeline.lint.reporters.fingerprint import fingerprints

SEVERITIES = ("info", "minor", "major", "critical", "blocker")
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.SUGGESTION: "info"}
_SENSITIVE = frozenset({"secrets", "pii"})


def severity(finding: Finding) -> str:
    if finding.severity is Severity.ERROR and finding.category in _SENSITIVE:
        return "critical"
    return _SEVERITY[finding.severity]


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "engine_name": "kbsync",
        "check_name": finding.rule,
        "description": finding.message,
        "categories": [finding.category],
        "severity": severity(finding),
        "fingerprint": fingerprint,
        "location": {
            "path": finding.path,
            "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)},
        },
    }


def render(report: LintReport, context: ReportContext) -> str:
    issues = [_issue(f, fp) for f, fp in fingerprints(report.findings, context.line_text)]
    return json.dumps(issues, indent=2, ensure_ascii=False)
