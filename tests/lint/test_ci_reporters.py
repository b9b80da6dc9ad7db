"""The CI formats against what their consumers read: GitHub's annotation limits and job
summary, GitLab's Code Quality fields, JUnit XML as test-report parsers walk it, reviewdog's
Diagnostic schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Fix, Severity
from pipeline.lint.reporters import ReportContext, github_summary, render

DATA = Path(__file__).parents[1] / "data"
RDJSONL_SCHEMA = json.loads((DATA / "rdjsonl-diagnostic.schema.json").read_text())
GITLAB_SCHEMA = json.loads((DATA / "gitlab-code-quality.schema.json").read_text())
LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "suggestion": Severity.SUGGESTION}


def finding(
    level: str, path: str = "content/docs/a.md", line: int = 1, rule: str = "internal.marker",
    message: str = "a problem", fix: Fix | None = None, column: int = 1, end_column: int = 5,
) -> Finding:  # fmt: skip
    return Finding(rule, rule.split(".")[0], LEVELS[level], path, line, column, line,
                   end_column, message, fix)  # fmt: skip


def report(findings: list[Finding], files: int = 1) -> LintReport:
    return LintReport(findings=findings, files=files, load_rules=list)


def lines_of(texts: dict[str, list[str]]) -> ReportContext:
    return ReportContext(file_lines=lambda path: texts.get(path, ()))


# --- GitHub ---------------------------------------------------------------------------------


def test_thirty_errors_give_ten_annotations_one_notice_and_the_rest_in_the_log() -> None:
    errors = [finding("error", line=n, message=f"problem {n}") for n in range(1, 31)]
    out = render(report(errors), "github").splitlines()
    annotations = [line for line in out if line.startswith("::error ")]
    notices = [line for line in out if line.startswith("::notice ")]
    assert len(annotations) == 10
    assert [a.split("::")[-1] for a in annotations] == [f"problem {n}" for n in range(1, 11)]
    assert notices == [
        "::notice title=kbsync::20 more findings not annotated (GitHub shows 10 annotations "
        "of each type per step): they are listed in this step's log and in the job summary"
    ]
    rest = out[11:]
    assert rest == [
        f"content/docs/a.md:{n}:1: error: problem {n} [internal.marker]" for n in range(11, 31)
    ]
    assert not any(line.startswith("::") for line in rest)


def test_each_type_is_capped_and_the_notice_takes_a_notice_slot() -> None:
    many = [finding(level, line=n) for level in LEVELS for n in range(1, 16)]
    out = render(report(many), "github").splitlines()
    kinds = [line.split(" ", 1)[0] for line in out if line.startswith("::")]
    assert kinds.count("::error") == 10
    assert kinds.count("::warning") == 10
    assert kinds.count("::notice") == 10  # nine suggestions and the notice
    assert len(kinds) <= 50
    assert out[29].startswith("::notice title=kbsync::16 more findings")  # 5 + 5 + 6


def test_under_the_limits_every_finding_is_annotated_and_no_notice() -> None:
    few = [finding("warning", line=n) for n in range(1, 11)] + [finding("suggestion")] * 10
    out = render(report(few), "github").splitlines()
    assert len(out) == 20 and not any("title=kbsync" in line for line in out)


def test_changed_lines_first_then_errors_before_warnings() -> None:
    findings = [
        finding("error", line=1),
        finding("warning", line=40, rule="freshness.x"),
        finding("error", path="content/docs/b.md", line=3),
        finding("suggestion", line=41, rule="wording.x"),
    ]
    context = ReportContext(changed_lines={"content/docs/a.md": frozenset({40, 41})})
    out = render(report(findings), "github", context=context).splitlines()
    assert [(line.split(" ")[0], line.split(",")[1]) for line in out] == [
        ("::warning", "line=40"),
        ("::notice", "line=41"),
        ("::error", "line=1"),
        ("::error", "line=3"),
    ]
    new_file = ReportContext(changed_lines={"content/docs/b.md": None})
    first = render(report(findings), "github", context=new_file).splitlines()[0]
    assert first.startswith("::error file=content/docs/b.md,line=3")


def test_changed_errors_fill_the_error_slots_before_older_ones() -> None:
    old = [finding("error", line=n, message="old") for n in range(1, 21)]
    new = [finding("error", line=n, message="new") for n in range(100, 105)]
    context = ReportContext(changed_lines={"content/docs/a.md": frozenset(range(100, 105))})
    out = render(report(old + new), "github", context=context).splitlines()
    messages = [line.split("::")[-1] for line in out if line.startswith("::error")]
    assert messages == ["new"] * 5 + ["old"] * 5


def test_the_job_summary_counts_and_lists_every_finding() -> None:
    findings = [finding("error", line=n) for n in range(1, 31)]
    findings.append(finding("warning", path="content/qa/b.md", rule="freshness.review-overdue"))
    findings.append(finding("error", path="content/q|a.md", message="a <b> | c\nd"))
    text = github_summary.render(report(findings, files=3), ReportContext())
    assert text.startswith("## kbsync lint\n\n**3 files: 31 errors, 1 warning, 0 suggestions**")
    assert "| internal | `internal.marker` | 31 | 0 | 0 |" in text
    assert "| freshness | `freshness.review-overdue` | 0 | 1 | 0 |" in text
    worst = text.split("### Files with the most findings")[1].split("###")[0]
    assert worst.index("content/docs/a.md") < worst.index("content/q\\|a.md")
    assert worst.index("content/q\\|a.md") < worst.index("content/qa/b.md")
    rows = [line for line in text.splitlines() if line.startswith("| error |")]
    assert len(rows) == 31
    assert "| error | `content/q\\|a.md:1:1` | `internal.marker` | a &lt;b&gt; \\| c d |" in rows


def test_the_job_summary_stays_under_githubs_limit() -> None:
    findings = [finding("error", line=n, message="x" * 900) for n in range(1, 3001)]
    text = github_summary.render(report(findings), ReportContext())
    assert len(text.encode("utf-8")) <= github_summary.LIMIT_BYTES == 1024 * 1024
    shown = sum(1 for line in text.splitlines() if line.startswith("| error |"))
    assert 1000 < shown < 3000
    assert text.rstrip().endswith(
        f"_{3000 - shown} more findings do not fit GitHub's 1 MiB summary limit; "
        "the step log lists every finding._"
    )


# --- GitLab ---------------------------------------------------------------------------------


def test_gitlab_issues_match_the_code_quality_fields() -> None:
    findings = [
        finding("error", rule="secrets.cloud-key", message="AWS key (AKIA…96W)"),
        finding("error", line=2),
        finding("warning", line=3, rule="freshness.review-overdue"),
        finding("suggestion", line=4, rule="House.Terms"),
    ]
    issues = json.loads(render(report(findings), "gitlab", context=lines_of({})))
    jsonschema.Draft7Validator(GITLAB_SCHEMA).validate(issues)
    assert [i["severity"] for i in issues] == ["critical", "major", "minor", "info"]
    assert issues[1]["check_name"] == "internal.marker"
    assert issues[1]["description"] == "a problem"
    assert issues[1]["location"] == {"path": "content/docs/a.md", "lines": {"begin": 2, "end": 2}}
    assert len({i["fingerprint"] for i in issues}) == 4


def test_gitlab_fingerprints_survive_edits_elsewhere_and_tell_twins_apart() -> None:
    before = {"content/docs/a.md": ["intro", "TODO here", "middle", "TODO here"]}
    after = {"content/docs/a.md": ["new line", "intro", "more", "TODO here", "middle", "TODO here"]}
    old = [finding("error", line=2), finding("error", line=4)]
    new = [finding("error", line=4), finding("error", line=6)]
    first = json.loads(render(report(old), "gitlab", context=lines_of(before)))
    second = json.loads(render(report(new), "gitlab", context=lines_of(after)))
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]
    assert first[0]["fingerprint"] != first[1]["fingerprint"]
    edited = {"content/docs/a.md": ["intro", "TODO there", "middle", "TODO here"]}
    third = json.loads(render(report(old), "gitlab", context=lines_of(edited)))
    assert third[0]["fingerprint"] != first[0]["fingerprint"]


# --- JUnit ----------------------------------------------------------------------------------


def test_junit_is_one_case_per_file_and_a_failure_per_finding() -> None:
    findings = [
        finding("error", line=2),
        finding("warning", line=5, rule="freshness.review-overdue", message='old & "stale" <x>'),
        finding("suggestion", path="content/qa/b.md", line=7, rule="House.Terms"),
    ]
    root = ET.fromstring(render(report(findings, files=5), "junit"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "content/docs/a.md",
        "content/qa/b.md",
        "3 files without findings",
    ]
    assert all(c.get("classname") == "kbsync.lint" for c in cases)
    for element in (root, suite):
        assert element.get("tests") == "3" and element.get("failures") == "2"
        assert element.get("errors") == "0" and element.get("skipped") == "0"
    failures = cases[0].findall("failure")
    assert [(f.get("type"), f.get("message")) for f in failures] == [
        ("error", "internal.marker: a problem"),
        ("warning", 'freshness.review-overdue: old & "stale" <x>'),
    ]
    assert failures[1].text == (
        'content/docs/a.md:5:1: warning: old & "stale" <x> [freshness.review-overdue]'
    )
    assert cases[0].get("file") == "content/docs/a.md"
    assert cases[2].findall("failure") == []


def test_junit_with_no_findings_is_one_passing_case() -> None:
    root = ET.fromstring(render(report([], files=1), "junit"))
    (case,) = root.iter("testcase")
    assert case.get("name") == "1 file without findings" and list(case) == []


# --- reviewdog ------------------------------------------------------------------------------


def test_rdjsonl_lines_validate_and_fixes_are_suggestions() -> None:
    text = {"content/docs/a.md": ["Send an e-mail.", "Café e-mail here"]}
    findings = [
        finding("error", line=1, rule="House.Terms", message="Use 'email'.",
                fix=Fix(0, 0, "email"), column=9, end_column=15),
        finding("warning", line=2, rule="House.Terms", column=6, end_column=12),
        finding("suggestion", path="content/docs/unknown.md", line=3, column=2, end_column=4),
    ]  # fmt: skip
    out = render(report(findings), "rdjsonl", context=lines_of(text))
    lines = out.split("\n")
    assert len(lines) == 3
    diagnostics = [json.loads(line) for line in lines]
    validator = jsonschema.Draft7Validator(RDJSONL_SCHEMA)
    for diagnostic in diagnostics:
        validator.validate(diagnostic)
    first, second, third = diagnostics
    where = {"start": {"line": 1, "column": 9}, "end": {"line": 1, "column": 15}}
    assert first == {
        "message": "Use 'email'.",
        "location": {"path": "content/docs/a.md", "range": where},
        "severity": "ERROR",
        "source": {"name": "kbsync"},
        "code": {"value": "House.Terms"},
        "suggestions": [{"range": where, "text": "email"}],
    }
    # "Café " is 5 characters and 6 UTF-8 bytes: reviewdog counts bytes.
    assert second["location"]["range"]["start"] == {"line": 2, "column": 7}
    assert "suggestions" not in second and second["severity"] == "WARNING"
    assert third["severity"] == "INFO"
    assert third["location"]["range"]["start"] == {"line": 3, "column": 2}


@pytest.mark.parametrize("bad", [{"message": "x"}, {"message": "x", "location": {"path": ""}}])
def test_the_rdjsonl_schema_rejects_what_reviewdog_rejects(bad: dict[str, object]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(RDJSONL_SCHEMA).validate(bad)
