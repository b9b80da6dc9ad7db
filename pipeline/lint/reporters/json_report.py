"""`--format json`: the stable machine interface (version 1).

{"version": 1,
 "findings": [{"rule", "category", "severity", "path", "line", "column",
               "end_line", "end_column", "message", "fix"}],
 "summary": {"files", "errors", "warnings", "suggestions"}}

Written finding by finding from a template, byte for byte what `json.dumps(data, indent=2,
ensure_ascii=False)` of that shape writes: the generic encoder (and `dataclasses.asdict`) took
nine tenths of a warm run on ten thousand findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.pieces import json_string

_SEVERITY = {severity: json_string(severity.value) for severity in Severity}


def _finding(f: Finding) -> str:
    """One finding as an element of the `findings` array (two levels deep)."""
    if f.fix is None:
        fix = "null"
    else:
        fix = '{\n        "replacement": ' + json_string(f.fix.replacement) + "\n      }"
    return (
        "    {\n"
        f'      "rule": {json_string(f.rule)},\n'
        f'      "category": {json_string(f.category)},\n'
        f'      "severity": {_SEVERITY[f.severity]},\n'
        f'      "path": {json_string(f.path)},\n'
        f'      "line": {int(f.line)},\n'
        f'      "column": {int(f.column)},\n'
        f'      "end_line": {int(f.end_line)},\n'
        f'      "end_column": {int(f.end_column)},\n'
        f'      "message": {json_string(f.message)},\n'
        f'      "fix": {fix}\n'
        "    }"
    )


def stream(report: LintReport, color: bool = False) -> Iterator[str]:
    yield '{\n  "version": 1,\n  "findings": ['
    separator = "\n"
    for finding in report.findings:
        yield separator + _finding(finding)
        separator = ",\n"
    yield "\n  ]" if report.findings else "]"
    yield (
        ',\n  "summary": {\n'
        f'    "files": {int(report.files)},\n'
        f'    "errors": {report.count(Severity.ERROR)},\n'
        f'    "warnings": {report.count(Severity.WARNING)},\n'
        f'    "suggestions": {report.count(Severity.SUGGESTION)}\n'
        "  }\n}"
    )
