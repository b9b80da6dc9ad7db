"""`--format github`: GitHub Actions workflow commands, the findings that matter most first.

::error file=content/docs/a.md,line=6,col=11,endLine=6,endColumn=21,title=RULE::message

GitHub shows at most 10 annotations of each type (error, warning, notice) per step and 50 per
job, and drops the rest without a word. So the findings are ordered — on lines the change
touched first (with `--changed-since`), then errors, warnings, suggestions, then by place —
each type is cut at its limit, and one notice says how many were left out; those follow as
plain log lines, and the job summary (:mod:`pipeline.lint.reporters.github_summary`) lists
them all.
"""

from __future__ import annotations

from collections import Counter

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import BY_PLACE, Finding, Severity
from pipeline.lint.reporters.context import ReportContext

PER_TYPE_PER_STEP = 10
PER_JOB = 50
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "notice"}
_RANK = {severity: severity.rank for severity in Severity}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def ordered(findings: list[Finding], context: ReportContext) -> list[Finding]:
    """Changed lines first, then by severity, then by place.

    Sorted by place first, then (stably) by the rest: the same order as one sort on the whole
    key, without building a key of six values per finding (a warm run's ten thousand).
    """
    by_place = sorted(findings, key=BY_PLACE)
    if context.changed_lines is None:
        return sorted(by_place, key=_rank)
    return sorted(by_place, key=lambda f: (not context.on_changed_line(f), _RANK[f.severity]))


def _rank(finding: Finding) -> int:
    return _RANK[finding.severity]


def annotated(findings: list[Finding], context: ReportContext) -> tuple[list[Finding], int]:
    """The findings that get an annotation, in order, and how many are left out.

    When some are left out, one notice slot goes to the notice that says so.
    """
    return _annotated(ordered(findings, context))


def _annotated(candidates: list[Finding]) -> tuple[list[Finding], int]:
    limits = {level: PER_TYPE_PER_STEP for level in _LEVEL.values()}
    if _overflows(candidates, limits):
        limits["notice"] -= 1
    used: Counter[str] = Counter()
    shown: list[Finding] = []
    for finding in candidates:
        level = _LEVEL[finding.severity]
        if used[level] < limits[level] and len(shown) < PER_JOB - 1:
            used[level] += 1
            shown.append(finding)
    return shown, len(candidates) - len(shown)


def _overflows(findings: list[Finding], limits: dict[str, int]) -> bool:
    counts = Counter(_LEVEL[f.severity] for f in findings)
    return any(counts[level] > limit for level, limit in limits.items())


def annotation(finding: Finding) -> str:
    props = ",".join(
        [
            f"file={escape_property(finding.path)}",
            f"line={finding.line}",
            f"col={finding.column}",
            f"endLine={finding.end_line}",
            f"endColumn={finding.end_column}",
            f"title={escape_property(finding.rule)}",
        ]
    )
    return f"::{_LEVEL[finding.severity]} {props}::{escape_data(finding.message)}"


def render(report: LintReport, context: ReportContext) -> str:
    """The annotations; the findings left out follow as plain log lines, so none is lost."""
    candidates = ordered(report.findings, context)
    shown, left_out = _annotated(candidates)
    lines = [annotation(f) for f in shown]
    if left_out:
        noun = "finding" if left_out == 1 else "findings"
        lines.append(
            f"::notice title=kbsync::{left_out} more {noun} not annotated (GitHub shows "
            f"{PER_TYPE_PER_STEP} annotations of each type per step): they are listed in this "
            "step's log and in the job summary"
        )
        kept = set(map(id, shown))
        for f in candidates:
            if id(f) not in kept:
                lines.append(
                    f"{f.path}:{f.line}:{f.column}: {f.severity.value}: "
                    f"{escape_data(f.message)} [{f.rule}]"
                )
    return "\n".join(lines)
