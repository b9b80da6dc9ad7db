"""`--format sarif`: SARIF 2.1.0, one run, every rule of the run in `tool.driver.rules`.

The log is what `json.dumps(log, indent=2, ensure_ascii=False)` writes, byte for byte, but each
result is written from a template as it comes (ten thousand results through the generic encoder
took most of a warm run). The rule table comes from the manifest's rule descriptions, so a run
answered from the cache builds no rule for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline import __version__
from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.reporters.pieces import indented_json, json_string

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "note"}
_LEVEL_JSON = {severity: json_string(level) for severity, level in _LEVEL.items()}


def _region(finding: Finding, indent: str) -> str:
    """The finding's region as a JSON object whose keys sit at `indent`."""
    line, column, end_line = finding.line, finding.column, finding.end_line
    end_column = max(finding.end_column, column) if end_line == line else finding.end_column
    return (
        "{\n"
        f'{indent}"startLine": {int(line)},\n'
        f'{indent}"startColumn": {int(column)},\n'
        f'{indent}"endLine": {int(end_line)},\n'
        f'{indent}"endColumn": {int(end_column)}\n'
        f"{indent[:-2]}}}"
    )


def _fixes(finding: Finding, uri: str, replacement: str) -> str:
    """The `fixes` member of a result (its key at 10 spaces)."""
    description = json_string(f"Replace with '{replacement}'")
    return (
        ',\n          "fixes": [\n'
        "            {\n"
        '              "description": {\n'
        f'                "text": {description}\n'
        "              },\n"
        '              "artifactChanges": [\n'
        "                {\n"
        '                  "artifactLocation": {\n'
        f'                    "uri": {uri},\n'
        '                    "uriBaseId": "%SRCROOT%"\n'
        "                  },\n"
        '                  "replacements": [\n'
        "                    {\n"
        f'                      "deletedRegion": {_region(finding, " " * 24)},\n'
        '                      "insertedContent": {\n'
        f'                        "text": {json_string(replacement)}\n'
        "                      }\n"
        "                    }\n"
        "                  ]\n"
        "                }\n"
        "              ]\n"
        "            }\n"
        "          ]"
    )


def _result(finding: Finding, index: dict[str, int]) -> str:
    """One result as an element of `results` (four levels deep)."""
    uri = json_string(finding.path)
    rule_index = index.get(finding.rule)
    tail = "" if rule_index is None else f',\n          "ruleIndex": {rule_index}'
    if finding.fix is not None:
        tail += _fixes(finding, uri, finding.fix.replacement)
    return (
        "        {\n"
        f'          "ruleId": {json_string(finding.rule)},\n'
        f'          "level": {_LEVEL_JSON[finding.severity]},\n'
        '          "message": {\n'
        f'            "text": {json_string(finding.message)}\n'
        "          },\n"
        '          "locations": [\n'
        "            {\n"
        '              "physicalLocation": {\n'
        '                "artifactLocation": {\n'
        f'                  "uri": {uri},\n'
        '                  "uriBaseId": "%SRCROOT%"\n'
        "                },\n"
        f'                "region": {_region(finding, " " * 18)}\n'
        "              }\n"
        "            }\n"
        f"          ]{tail}\n"
        "        }"
    )


def _rule_table(report: LintReport) -> tuple[list[dict[str, Any]], dict[str, int]]:
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
                "defaultConfiguration": {"level": _LEVEL[rule.default_severity]},
                "properties": {"category": rule.category},
            }
        )
    return rules, index


def stream(report: LintReport, color: bool = False) -> Iterator[str]:
    rules, index = _rule_table(report)
    tool = {
        "driver": {
            "name": "kbsync",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": rules,
        }
    }
    bases = {"%SRCROOT%": {"description": {"text": "The repository root."}}}
    yield (
        "{\n"
        f'  "$schema": {json_string(SCHEMA)},\n'
        '  "version": "2.1.0",\n'
        '  "runs": [\n'
        "    {\n"
        f'      "tool": {indented_json(tool, 3)},\n'
        f'      "originalUriBaseIds": {indented_json(bases, 3)},\n'
        '      "results": ['
    )
    separator = "\n"
    for finding in report.findings:
        yield separator + _result(finding, index)
        separator = ",\n"
    yield "\n      ]" if report.findings else "]"
    yield "\n    }\n  ]\n}"
