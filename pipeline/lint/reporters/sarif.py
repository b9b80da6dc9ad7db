"""`--format sarif`: SARIF 2.1.0, one run, every rule of the run in `tool.driver.rules`."""

from __future__ import annotations

import json
from typing import Any

from pipeline import __version__
from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "note"}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": max(end_column, column) if end_line == line else end_column,
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    location = {
        "physicalLocation": {
            "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
            "region": _region(finding.line, finding.column, finding.end_line, finding.end_column),
        }
    }
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": f"Replace with '{finding.fix.replacement}'"},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                        "replacements": [
                            {
                                "deletedRegion": _region(
                                    finding.line,
                                    finding.column,
                                    finding.end_line,
                                    finding.end_column,
                                ),
                                "insertedContent": {"text": finding.fix.replacement},
                            }
                        ],
                    }
                ],
            }
        ]
    return result


def render(report: LintReport, color: bool = False) -> str:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for rule in sorted(report.rules, key=lambda r: r.rule_id):
        if rule.rule_id in index:
            continue
        index[rule.rule_id] = len(rules)
        rules.append(
            {
                "id": rule.rule_id,
                "name": rule.rule_id.replace(".", "/"),
                "shortDescription": {"text": rule.summary or rule.rule_id},
                "fullDescription": {"text": rule.documentation or rule.rule_id},
                "defaultConfiguration": {"level": _LEVEL[rule.default_severity]},
                "properties": {"category": rule.category},
            }
        )
    log = {
        "$schema": SCHEMA,
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
                "results": [_result(f, index) for f in report.findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
