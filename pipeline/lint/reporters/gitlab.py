"""`--format gitlab`: GitLab Code Quality JSON, so findings appear in merge requests.

A JSON array of issues, each with the fields GitLab reads: `description`, `check_name`,
`fingerprint` (stable across unrelated edits, :mod:`pipeline.lint.reporters.fingerprint`),
`severity` (info, minor, major, critical or blocker), `location.path` and
`location.lines.begin`. A leaked secret or personal datum outranks other errors (critical);
`blocker` is left to the team's own judgement and never used.

Written issue by issue from a template, byte for byte what `json.dumps(issues, indent=2,
ensure_ascii=False)` writes: the generic encoder (pure Python once it indents) took most of a
warm run on ten thousand findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.context import ReportContext
from pipeline.lint.reporters.fingerprint import fingerprints
from pipeline.lint.reporters.pieces import json_string

SEVERITIES = ("info", "minor", "major", "critical", "blocker")
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.SUGGESTION: "info"}
_SENSITIVE = frozenset({"secrets", "pii"})


def severity(finding: Finding) -> str:
    if finding.severity is Severity.ERROR and finding.category in _SENSITIVE:
        return "critical"
    return _SEVERITY[finding.severity]


def _issue(finding: Finding, fingerprint: str) -> str:
    """One issue as an element of the top-level array (one level deep)."""
    return (
        "  {\n"
        '    "type": "issue",\n'
        '    "engine_name": "kbsync",\n'
        f'    "check_name": {json_string(finding.rule)},\n'
        f'    "description": {json_string(finding.message)},\n'
        '    "categories": [\n'
        f"      {json_string(finding.category)}\n"
        "    ],\n"
        f'    "severity": "{severity(finding)}",\n'
        f'    "fingerprint": "{fingerprint}",\n'
        '    "location": {\n'
        f'      "path": {json_string(finding.path)},\n'
        '      "lines": {\n'
        f'        "begin": {int(finding.line)},\n'
        f'        "end": {int(max(finding.end_line, finding.line))}\n'
        "      }\n"
        "    }\n"
        "  }"
    )


def stream(report: LintReport, context: ReportContext) -> Iterator[str]:
    if not report.findings:
        yield "[]"
        return
    separator = "[\n"
    for finding, fingerprint in fingerprints(report.findings, context.line_text):
        yield separator + _issue(finding, fingerprint)
        separator = ",\n"
    yield "\n]"


def render(report: LintReport, context: ReportContext) -> str:
    return "".join(stream(report, context))
