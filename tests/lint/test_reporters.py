"""Reporters: SARIF validates against the 2.1.0 schema; every format renders every finding."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Fix, Severity
from pipeline.lint.registry import code_rules
from pipeline.lint.reporters import FORMATS, render
from pipeline.lint.rule import LintContext
from tests.helpers import settings_for

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())


def _report(tmp_path: Path) -> LintReport:
    rules = code_rules(LintContext(settings=settings_for(tmp_path)))
    findings = [
        Finding("internal.marker", "internal", Severity.ERROR, "content/docs/a.md", 3, 1, 3, 5,
                "'TODO' marks a team-only note"),
        Finding("schema.unknown-field", "schema", Severity.WARNING, "content/qa/b c.md", 2, 1, 2,
                9, "unknown field 'reviwed', with: a comma"),
        Finding("Kbsync.Terms", "wording", Severity.SUGGESTION, "content/docs/a.md", 7, 4, 7, 10,
                "Use 'email' instead of 'e-mail'.", Fix(100, 106, "email")),
    ]  # fmt: skip
    return LintReport(findings=findings, files=2, load_rules=lambda: rules)


def test_sarif_validates_against_the_schema(tmp_path: Path) -> None:
    log = json.loads(render(_report(tmp_path), "sarif"))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "kbsync"
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "internal.marker" in ids
    levels = [r["level"] for r in run["results"]]
    assert levels == ["error", "warning", "note"]
    first = run["results"][0]
    assert ids[first["ruleIndex"]] == "internal.marker"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 5}
    assert run["results"][2]["fixes"][0]["artifactChanges"][0]["replacements"][0][
        "insertedContent"
    ] == {"text": "email"}


def test_github_escapes_properties_and_data(tmp_path: Path) -> None:
    lines = render(_report(tmp_path), "github").splitlines()
    assert lines[1] == (
        "::warning file=content/qa/b c.md,line=2,col=1,endLine=2,endColumn=9,"
        "title=schema.unknown-field::unknown field 'reviwed', with: a comma"
    )
    assert lines[2].startswith("::notice file=content/docs/a.md,line=7,col=4,")


def test_json_fix_is_the_replacement(tmp_path: Path) -> None:
    data = json.loads(render(_report(tmp_path), "json"))
    assert data["findings"][2]["fix"] == {"replacement": "email"}
    assert data["summary"] == {"files": 2, "errors": 1, "warnings": 1, "suggestions": 1}


def test_every_format_mentions_every_finding(tmp_path: Path) -> None:
    report = _report(tmp_path)
    for fmt in FORMATS:
        out = render(report, fmt)
        for finding in report.findings:
            assert finding.rule in out, (fmt, finding.rule)


def test_text_colour_only_when_asked(tmp_path: Path) -> None:
    report = _report(tmp_path)
    assert "\x1b[" not in render(report, "text", color=False)
    assert "\x1b[" in render(report, "text", color=True)
