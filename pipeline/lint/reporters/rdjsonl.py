"""`--format rdjsonl`: reviewdog's Diagnostic Format, one JSON object per line.

`reviewdog -f=rdjsonl` turns these into review comments; a finding `--fix` can correct carries
its replacement as a `suggestions` entry, which reviewdog offers as a suggested change.
Columns are 1-based UTF-8 byte offsets, as the format defines them (kbsync counts characters,
so a line's text converts them when it is known).

Each line is written from a template, byte for byte what `json.dumps(diagnostic,
ensure_ascii=False)` writes (a dict and the generic encoder per finding cost more than the
rest of a warm run).
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.context import ReportContext
from pipeline.lint.reporters.pieces import joined_lines, json_string

_SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.SUGGESTION: "INFO"}


def _byte_column(context: ReportContext, path: str, line: int, column: int) -> int:
    text = context.line(path, line)
    if text is None:
        return column
    return len(text[: column - 1].encode("utf-8")) + 1


def _range(context: ReportContext, finding: Finding) -> str:
    start = _byte_column(context, finding.path, finding.line, finding.column)
    end = _byte_column(context, finding.path, finding.end_line, finding.end_column)
    return (
        f'{{"start": {{"line": {int(finding.line)}, "column": {start}}}, '
        f'"end": {{"line": {int(finding.end_line)}, "column": {end}}}}}'
    )


def diagnostic(finding: Finding, context: ReportContext) -> str:
    """One finding as one line of JSON."""
    where = _range(context, finding)
    suggestion = ""
    if finding.fix is not None:
        text = json_string(finding.fix.replacement)
        suggestion = f', "suggestions": [{{"range": {where}, "text": {text}}}]'
    return (
        f'{{"message": {json_string(finding.message)}, '
        f'"location": {{"path": {json_string(finding.path)}, "range": {where}}}, '
        f'"severity": "{_SEVERITY[finding.severity]}", "source": {{"name": "kbsync"}}, '
        f'"code": {{"value": {json_string(finding.rule)}}}{suggestion}}}'
    )


def stream(report: LintReport, context: ReportContext) -> Iterator[str]:
    return joined_lines(diagnostic(f, context) for f in report.findings)


def render(report: LintReport, context: ReportContext) -> str:
    return "".join(stream(report, context))
