"""The Markdown job summary `--format github` writes to `$GITHUB_STEP_SUMMARY`.

Annotations stop at GitHub's limits; the summary is where every finding can still be read:
the counts by family and rule, the files with the most findings, then the findings list in the
annotations' order until GitHub's limit for a step's summary (1 MiB) would be passed, with a
last line saying how many did not fit.
"""

from __future__ import annotations

from collections import Counter

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.context import ReportContext
from pipeline.lint.reporters.github import ordered
from pipeline.lint.reporters.text import summary_line

LIMIT_BYTES = 1024 * 1024
WORST_FILES = 10
_LEVELS = (Severity.ERROR, Severity.WARNING, Severity.SUGGESTION)
_HEAD = "| Errors | Warnings | Suggestions |"
_RULE = "|---:|---:|---:|"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, no table or HTML syntax."""
    flat = " ".join(text.split())
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        flat = flat.replace(raw, safe)
    return flat


def _counts(counter: Counter[Severity]) -> str:
    return " | ".join(str(counter[level]) for level in _LEVELS) + " |"


def _by_rule(findings: list[Finding]) -> list[str]:
    counts: dict[tuple[str, str], Counter[Severity]] = {}
    for f in findings:
        counts.setdefault((f.category, f.rule), Counter())[f.severity] += 1
    lines = ["### By family and rule", "", f"| Family | Rule {_HEAD}", f"|---|---{_RULE}"]
    for (family, rule), counter in sorted(counts.items()):
        lines.append(f"| {cell(family)} | `{cell(rule)}` | {_counts(counter)}")
    return lines


def _worst_files(findings: list[Finding]) -> list[str]:
    counts: dict[str, Counter[Severity]] = {}
    for f in findings:
        counts.setdefault(f.path, Counter())[f.severity] += 1
    worst = sorted(counts.items(), key=lambda kv: (*(-kv[1][level] for level in _LEVELS), kv[0]))[
        :WORST_FILES
    ]
    lines = ["### Files with the most findings", "", f"| File {_HEAD}", f"|---{_RULE}"]
    lines.extend(f"| `{cell(path)}` | {_counts(counter)}" for path, counter in worst)
    return lines


def _row(f: Finding, changed: bool) -> str:
    mark = " (changed)" if changed else ""
    where = f"`{cell(f.path)}:{f.line}:{f.column}`{mark}"
    return f"| {f.severity.value} | {where} | `{cell(f.rule)}` | {cell(f.message)} |"


def render(report: LintReport, context: ReportContext, limit: int = LIMIT_BYTES) -> str:
    """The summary; never more than `limit` bytes of UTF-8."""
    head = ["## kbsync lint", "", f"**{cell(summary_line(report))}**", ""]
    findings = report.findings
    if findings:
        head += [*_by_rule(findings), "", *_worst_files(findings), ""]
        head += ["### Findings", "", "| Level | Where | Rule | Message |", "|---|---|---|---|"]
    text = "\n".join(head) + "\n"
    size = len(text.encode("utf-8"))
    rows: list[str] = []
    everything = ordered(findings, context)
    reserve = 200  # room for the line that says how many did not fit
    for index, finding in enumerate(everything):
        row = _row(finding, context.on_changed_line(finding)) + "\n"
        row_size = len(row.encode("utf-8"))
        if size + row_size + reserve > limit:
            left = len(everything) - index
            rows.append(f"\n_{left} more findings do not fit GitHub's 1 MiB summary limit; "
                        "the step log lists every finding._\n")  # fmt: skip
            break
        rows.append(row)
        size += row_size
    return text + "".join(rows)
