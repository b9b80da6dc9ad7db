"""`--format junit`: JUnit XML, for CI test-report views (GitLab, Jenkins, Azure, CircleCI).

One test suite; one test case per file with findings, holding one `<failure>` per finding; the
files without findings are one passing test case, so the totals match the files linted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding
from pipeline.lint.reporters.context import ReportContext

SUITE = "kbsync lint"
CLASSNAME = "kbsync.lint"


def _failure(case: ET.Element, finding: Finding) -> None:
    failure = ET.SubElement(
        case,
        "failure",
        {"message": f"{finding.rule}: {finding.message}", "type": finding.severity.value},
    )
    failure.text = (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.severity.value}: "
        f"{finding.message} [{finding.rule}]"
    )


def render(report: LintReport, context: ReportContext) -> str:
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    by_file = [(path, list(group)) for path, group in groupby(findings, key=lambda f: f.path)]
    clean = max(report.files - len(by_file), 0)
    tests = len(by_file) + (1 if clean else 0)
    counts = {"tests": str(tests), "failures": str(len(by_file)), "errors": "0",
              "skipped": "0", "time": "0"}  # fmt: skip
    root = ET.Element("testsuites", {"name": "kbsync", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    for path, group in by_file:
        case = ET.SubElement(
            suite, "testcase", {"classname": CLASSNAME, "name": path, "file": path, "time": "0"}
        )
        for finding in group:
            _failure(case, finding)
    if clean:
        name = f"{clean} file{'' if clean == 1 else 's'} without findings"
        ET.SubElement(suite, "testcase", {"classname": CLASSNAME, "name": name, "time": "0"})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
