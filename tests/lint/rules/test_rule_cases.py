"""Every code rule against its cases, kept as data in `cases/*.yml` (sqlfluff's way).

Each case writes files into a fresh repository, lints with only the rule under test selected,
and compares findings as (rule, path, line, column) plus a message fragment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.lint.engine import LintOptions, run_lint
from tests.helpers import settings_for, write_repo

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[Any]:
    params = []
    for case_file in sorted(CASES_DIR.glob("*.yml")):
        data = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        for case in data["cases"]:
            case_id = f"{case_file.stem}:{case['name']}"
            params.append(pytest.param(data, case, id=case_id))
    return params


@pytest.mark.parametrize(("suite", "case"), _load_cases())
def test_rule_case(tmp_path: Path, suite: dict[str, Any], case: dict[str, Any]) -> None:
    rule = case.get("rule", suite.get("rule"))
    files: dict[str, str | bytes] = dict(case.get("files", {}))
    if "text" in case:
        files[case.get("path", "content/docs/case.md")] = case["text"]
    root = write_repo(tmp_path / "repo", files, config=case.get("config"), rollout=False)
    today = dt.date.fromisoformat(str(case.get("today", suite.get("today", "2026-11-23"))))
    report = run_lint(
        settings_for(root),
        LintOptions(select=(rule,), use_cache=False, today=today),
    )
    got = [(f.rule, f.path, f.line, f.column) for f in report.findings]
    expected = [
        (e.get("rule", rule), e.get("path", case.get("path", "content/docs/case.md")),
         e["line"], e.get("column", 1))
        for e in case.get("findings", [])
    ]  # fmt: skip
    assert got == expected, [f.message for f in report.findings]
    for finding, wanted in zip(report.findings, case.get("findings", []), strict=True):
        if "message" in wanted:
            assert wanted["message"] in finding.message
        if "severity" in wanted:
            assert finding.severity.value == wanted["severity"]
