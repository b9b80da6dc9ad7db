"""The streamed reporters write exactly what the one-string reporters they replaced wrote.

The reference renderers below are the reporters as they were (a dict per finding through
`dataclasses.asdict`, one `json.dumps(indent=2)`, one `"\\n".join`); every format must match
them byte for byte on a findings set that populates every field a report can carry.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Any

import click
import pytest

from pipeline import __version__
from pipeline.lint.engine import AppliedFix, LintReport
from pipeline.lint.findings import Finding, Fix, Severity
from pipeline.lint.masking import mask_digits, mask_email, mask_secret, mask_text
from pipeline.lint.registry import code_rules
from pipeline.lint.reporters import ReportContext, render, stream
from pipeline.lint.reporters.fingerprint import fingerprints
from pipeline.lint.rule import LintContext, RuleInfo
from tests.helpers import settings_for

# --- the reporters before streaming (reference) ---------------------------------------------------


def _old_json(report: LintReport) -> str:
    def to_dict(f: Finding) -> dict[str, Any]:
        data = dataclasses.asdict(f)
        data["severity"] = f.severity.value
        data["fix"] = None if f.fix is None else {"replacement": f.fix.replacement}
        return data

    data = {
        "version": 1,
        "findings": [to_dict(f) for f in report.findings],
        "summary": {
            "files": report.files,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "suggestions": report.count(Severity.SUGGESTION),
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "note"}


def _old_sarif(report: LintReport) -> str:
    def region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
        return {
            "startLine": line,
            "startColumn": column,
            "endLine": end_line,
            "endColumn": max(end_column, column) if end_line == line else end_column,
        }

    def result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
        where = region(f.line, f.column, f.end_line, f.end_column)
        out: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                        "region": where,
                    }
                }
            ],
        }
        if f.rule in index:
            out["ruleIndex"] = index[f.rule]
        if f.fix is not None:
            out["fixes"] = [
                {
                    "description": {"text": f"Replace with '{f.fix.replacement}'"},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                            "replacements": [
                                {
                                    "deletedRegion": where,
                                    "insertedContent": {"text": f.fix.replacement},
                                }
                            ],
                        }
                    ],
                }
            ]
        return out

    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for rule in sorted(report.rule_descriptions, key=lambda r: r.rule_id):
        if rule.rule_id in index:
            continue
        index[rule.rule_id] = len(rules)
        rules.append(
            {
                "id": rule.rule_id,
                "name": rule.rule_id.replace(".", "/"),
                "shortDescription": {"text": rule.summary or rule.rule_id},
                "fullDescription": {"text": rule.documentation or rule.rule_id},
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.default_severity]},
                "properties": {"category": rule.category},
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kbsync",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The repository root."}}
                },
                "results": [result(f, index) for f in report.findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.SUGGESTION: "cyan"}


def _old_text(report: LintReport, color: bool) -> str:
    from pipeline.lint.reporters.text import summary_line

    def style(text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if color else text

    lines: list[str] = []
    if report.findings:
        width = max(len(f"{f.line}:{f.column}") for f in report.findings)
        current = None
        for f in report.findings:
            if f.path != current:
                if current is not None:
                    lines.append("")
                lines.append(style(f.path, bold=True, underline=True))
                current = f.path
            where = f"{f.line}:{f.column}".ljust(width)
            level = style(f.severity.value.ljust(10), fg=_COLOURS[f.severity])
            lines.append(f"  {where}  {level} {f.message}  {style(f.rule, dim=True)}")
        lines.append("")
    for fix in report.fixes:
        lines.append(f"fixed {fix.path}:{fix.line} {fix.rule}: '{fix.before}' -> '{fix.after}'")
    if report.fixes:
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.SUGGESTION: "info"}


def _old_gitlab(report: LintReport, context: ReportContext) -> str:
    def severity(f: Finding) -> str:
        if f.severity is Severity.ERROR and f.category in {"secrets", "pii"}:
            return "critical"
        return _GITLAB_SEVERITY[f.severity]

    issues = [
        {
            "type": "issue",
            "engine_name": "kbsync",
            "check_name": f.rule,
            "description": f.message,
            "categories": [f.category],
            "severity": severity(f),
            "fingerprint": fp,
            "location": {
                "path": f.path,
                "lines": {"begin": f.line, "end": max(f.end_line, f.line)},
            },
        }
        for f, fp in fingerprints(report.findings, context.line_text)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False)


def _old_junit(report: LintReport, context: ReportContext) -> str:
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    by_file = [(path, list(group)) for path, group in groupby(findings, key=lambda f: f.path)]
    clean = max(report.files - len(by_file), 0)
    tests = len(by_file) + (1 if clean else 0)
    counts = {"tests": str(tests), "failures": str(len(by_file)), "errors": "0",
              "skipped": "0", "time": "0"}  # fmt: skip
    root = ET.Element("testsuites", {"name": "kbsync", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "kbsync lint", **counts})
    for path, group in by_file:
        case = ET.SubElement(
            suite, "testcase", {"classname": "kbsync.lint", "name": path, "file": path, "time": "0"}
        )
        for f in group:
            failure = ET.SubElement(
                case, "failure", {"message": f"{f.rule}: {f.message}", "type": f.severity.value}
            )
            failure.text = (
                f"{f.path}:{f.line}:{f.column}: {f.severity.value}: {f.message} [{f.rule}]"
            )
    if clean:
        name = f"{clean} file{'' if clean == 1 else 's'} without findings"
        ET.SubElement(suite, "testcase", {"classname": "kbsync.lint", "name": name, "time": "0"})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


_RD_SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.SUGGESTION: "INFO"}


def _old_rdjsonl(report: LintReport, context: ReportContext) -> str:
    def byte_column(path: str, line: int, column: int) -> int:
        text = context.line(path, line)
        return column if text is None else len(text[: column - 1].encode("utf-8")) + 1

    def diagnostic(f: Finding) -> dict[str, Any]:
        where = {
            "start": {"line": f.line, "column": byte_column(f.path, f.line, f.column)},
            "end": {"line": f.end_line, "column": byte_column(f.path, f.end_line, f.end_column)},
        }
        data: dict[str, Any] = {
            "message": f.message,
            "location": {"path": f.path, "range": where},
            "severity": _RD_SEVERITY[f.severity],
            "source": {"name": "kbsync"},
            "code": {"value": f.rule},
        }
        if f.fix is not None:
            data["suggestions"] = [{"range": where, "text": f.fix.replacement}]
        return data

    return "\n".join(json.dumps(diagnostic(f), ensure_ascii=False) for f in report.findings)


_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "notice"}


def _old_github_order(findings: list[Finding], context: ReportContext) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (not context.on_changed_line(f), f.severity.rank, f.sort_key)
    )


def _old_github(report: LintReport, context: ReportContext) -> str:
    from pipeline.lint.reporters.github import annotation, escape_data

    candidates = _old_github_order(report.findings, context)
    limits = {level: 10 for level in _GH_LEVEL.values()}
    counts = Counter(_GH_LEVEL[f.severity] for f in candidates)
    if any(counts[level] > limit for level, limit in limits.items()):
        limits["notice"] -= 1
    used: Counter[str] = Counter()
    shown: list[Finding] = []
    for f in candidates:
        level = _GH_LEVEL[f.severity]
        if used[level] < limits[level] and len(shown) < 49:
            used[level] += 1
            shown.append(f)
    left_out = len(report.findings) - len(shown)
    lines = [annotation(f) for f in shown]
    if left_out:
        noun = "finding" if left_out == 1 else "findings"
        lines.append(
            f"::notice title=kbsync::{left_out} more {noun} not annotated (GitHub shows "
            "10 annotations of each type per step): they are listed in this "
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


def _old(
    report: LintReport, fmt: str, color: bool = False, context: ReportContext | None = None
) -> str:
    if fmt == "text":
        return _old_text(report, color)
    if fmt in ("json", "sarif"):
        return {"json": _old_json, "sarif": _old_sarif}[fmt](report)
    old_ci = {"gitlab": _old_gitlab, "junit": _old_junit, "rdjsonl": _old_rdjsonl,
              "github": _old_github}  # fmt: skip
    return old_ci[fmt](report, context or ReportContext())


STREAMED = ("json", "sarif", "text", "gitlab", "junit", "rdjsonl")
"""The formats written piece by piece; GitHub's annotations are capped and come whole (its
order and limits are tested in test_ci_reporters.py)."""
FORMATS = (*STREAMED, "github")


# --- a report with every field a finding can carry ------------------------------------------------


def _findings() -> list[Finding]:
    email, phone = mask_email("jane.doe@example.com"), mask_digits("+44 7700 900123")
    person, token = mask_text("Priya Raghunathan"), mask_secret("ghp_" + "a1B2" * 9)
    return [
        Finding("pii.email_address", "pii", Severity.ERROR, "content/docs/a.md", 3, 1, 3, 21,
                f"e-mail address '{email}' in content; write support@example.com instead"),
        Finding("pii.phone_number", "pii", Severity.ERROR, "content/docs/a.md", 12, 7, 12, 22,
                f"phone number '{phone}'"),
        Finding("pii.person", "pii", Severity.WARNING, "content/docs/a.md", 12, 30, 12, 47,
                f"a person's name '{person}'"),
        Finding("secrets.github-token", "secrets", Severity.ERROR, "content/docs/a.md", 40, 1,
                41, 3, f"GitHub token {token} (spans two lines)"),
        Finding("Kbsync.Terms", "wording", Severity.SUGGESTION, "content/docs/a.md", 107, 4, 107,
                10, "Use 'email' instead of 'e-mail'.", Fix(100, 106, "email")),
        Finding("gitlab_base.Quotes", "wording", Severity.WARNING, "content/docs/a.md", 107, 12,
                107, 9, 'Use "straight" quotes, not “curly” \\ ones\tor\x01 controls',
                Fix(110, 118, 'say "it\'s" — ü\\n')),
        Finding("schema.unknown-field", "schema", Severity.WARNING, "content/qa/b, c: d%.md", 2, 1,
                2, 9, "unknown field 'reviwed'\r\nwith: a comma, a colon and 100%"),
        Finding("links.broken", "links", Severity.ERROR, "content/qa/ünïcödé/页面.md", 9999, 123,
                10000, 1, "link to 'missing.md#Überblick' finds no file", Fix(0, 0, "")),
        Finding("no.such-rule", "custom", Severity.SUGGESTION, "content/z.md", 1, 1, 1, 1,
                "a rule the table does not describe (no ruleIndex)"),
        Finding("links.broken", "links", Severity.WARNING, "content/docs/a&b<c>.md", 4, 2, 4, 30,
                'markup in a message: <a href="x">&amp;</a> > \'it\'', Fix(3, 9, "<&>")),
    ]  # fmt: skip


def _report(tmp_path: Path, findings: list[Finding] | None = None) -> LintReport:
    rules = code_rules(LintContext(settings=settings_for(tmp_path)))
    described = [RuleInfo.of(r) for r in rules] + [
        RuleInfo("Kbsync.Terms", "wording", Severity.SUGGESTION, "", ""),
        RuleInfo("Kbsync.Terms", "wording", Severity.ERROR, "a duplicate", "is skipped"),
        RuleInfo("gitlab_base.Quotes", "wording", Severity.WARNING, "Quotes “as” \"typed\"",
                 "Line one.\n\nLine \\ two, with\ta tab."),
    ]  # fmt: skip
    return LintReport(
        findings=_findings() if findings is None else findings,
        files=3,
        load_rules=lambda: rules,
        describe_rules=lambda: described,
        suppressed=2,
        baselined=1,
        fixes=[AppliedFix("content/docs/a.md", 7, "Kbsync.Terms", "e-mail", "email")],
    )


def _lines() -> dict[str, list[str]]:
    """The files' text as the CI formats read it: non-ASCII before a column (reviewdog counts
    bytes), twin lines (GitLab's fingerprints count occurrences), a short line."""
    return {
        "content/docs/a.md": ["---", "title: Grüße — “quoted”", "x"] * 40,
        "content/qa/ünïcödé/页面.md": ["页面 " * 30] * 3,
    }


def _contexts() -> dict[str, ReportContext]:
    lines = _lines()
    return {
        "none": ReportContext(),
        "lines": ReportContext(file_lines=lambda path: lines.get(path, ())),
        "changed": ReportContext(
            changed_lines={"content/docs/a.md": frozenset({12, 107}), "content/z.md": None},
            file_lines=lambda path: lines.get(path, ()),
        ),
    }


@pytest.mark.parametrize("context", ["none", "lines", "changed"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_byte_identical_to_the_old_rendering(
    tmp_path: Path, fmt: str, context: str
) -> None:
    report = _report(tmp_path)
    given = _contexts()[context]
    assert render(report, fmt, context=given) == _old(report, fmt, context=given)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_report_is_byte_identical_too(tmp_path: Path, fmt: str) -> None:
    report = _report(tmp_path, findings=[])
    report.fixes = []
    assert render(report, fmt) == _old(report, fmt)
    report.files = 0  # JUnit: a suite with no test case at all
    assert render(report, fmt) == _old(report, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_many_findings_in_any_order_are_byte_identical(tmp_path: Path, fmt: str) -> None:
    """Over GitHub's limits, findings of every level out of place order, ties on one place."""
    base = _findings()
    many = [
        dataclasses.replace(f, line=(i * 7) % 13 + 1, end_line=(i * 7) % 13 + 1)
        for i, f in enumerate(base * 9)
    ]
    many += [dataclasses.replace(base[0], message="tie one"), dataclasses.replace(base[0])]
    report = _report(tmp_path, findings=many)
    for given in _contexts().values():
        assert render(report, fmt, context=given) == _old(report, fmt, context=given)


def test_coloured_text_is_byte_identical(tmp_path: Path) -> None:
    report = _report(tmp_path)
    assert render(report, "text", color=True) == _old(report, "text", color=True)


def test_json_parses_to_the_findings_as_to_dict_gives_them(tmp_path: Path) -> None:
    report = _report(tmp_path)
    data = json.loads(render(report, "json"))
    assert data["findings"] == [f.to_dict() for f in report.findings]
    assert data["findings"][5]["fix"] == {"replacement": 'say "it\'s" — ü\\n'}


def test_output_comes_in_pieces_not_one_string(tmp_path: Path) -> None:
    """Streaming: no piece holds the findings of two files (text writes a file's findings as one
    block, JUnit a file's test case; the others one finding per piece)."""
    findings = [
        dataclasses.replace(f, message=f"{f.message} (marker-{i}-end)")
        for i, f in enumerate(_findings())
    ]
    report = _report(tmp_path, findings)
    for fmt in STREAMED:
        pieces = list(stream(report, fmt))
        held = [[f for i, f in enumerate(findings) if f"marker-{i}-end" in p] for p in pieces]
        assert sum(len(h) for h in held) == len(findings), fmt
        assert all(len({f.path for f in h}) <= 1 for h in held), fmt
        if fmt not in ("text", "junit"):
            assert max(len(h) for h in held) == 1, fmt
