"""`kbsync lint` with a catastrophic user pattern: one warning per rule and file, never a hang."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import doc, write_repo

SLOW_RULE = """\
extends: existence
message: "slow '%s'"
level: error
tokens:
  - '(a|a)+$'
"""
SLOW_FACTS = """\
facts:
  - id: slow-fact
    pattern: '(?P<value>(a|a)+)$'
"""
THIRTY = "a" * 30 + "b"
CONFIG = """\
content_dir = "content"
[lint]
pattern_timeout = 0.2
"""


def _slow_repo(root: Path, config: str = CONFIG) -> Path:
    return write_repo(
        root,
        {
            "content/docs/a.md": doc("docs.a", "A", THIRTY),
            "rules/Bad/Slow.yml": SLOW_RULE,
            "rules/facts.yml": SLOW_FACTS,
        },
        config,
    )


def test_cli_lint_finishes_on_a_catastrophic_rule_and_fact(tmp_path: Path) -> None:
    """The issue's reproduction, in a subprocess: on the old code it never finished, so a
    subprocess timeout (not a hung CI) fails the test. Default budget, as a user has it."""
    root = _slow_repo(tmp_path, 'content_dir = "content"\n')
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "lint", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "KBSYNC_TODAY": "2026-11-23"},
    )
    assert run.returncode == 0, run.stderr  # only warnings: lint goes on
    assert "Traceback" not in run.stderr
    assert run.stdout.count("lint.rule-timeout") == 2
    assert "rule Bad.Slow ran out of its 2 s time limit" in run.stdout
    assert "rule conflicts.fact ran out of its 2 s time limit" in run.stdout
    assert "rules/Bad/Slow.yml:5: Bad.Slow: pattern '(a|a)+$' can take exponential" in run.stderr
    assert "rules/facts.yml:3: conflicts.fact: fact 'slow-fact': pattern" in run.stderr


def test_timeout_is_one_warning_per_rule_and_file_and_others_still_report(
    tmp_path: Path, run: Run
) -> None:
    root = _slow_repo(tmp_path)
    (root / "content/docs/b.md").write_text(doc("docs.b", "B", THIRTY + "\n\nTODO: x"))
    result = run(root, "lint", "--no-cache", "--format", "json")
    found = json.loads(result.stdout)["findings"]
    timeouts = sorted(
        (f["path"], f["message"].split()[1]) for f in found if f["rule"] == "lint.rule-timeout"
    )
    assert timeouts == [
        ("content/docs/a.md", "Bad.Slow"),
        ("content/docs/a.md", "conflicts.fact"),
        ("content/docs/b.md", "Bad.Slow"),
        ("content/docs/b.md", "conflicts.fact"),
    ]
    assert all(f["severity"] == "warning" for f in found if f["rule"] == "lint.rule-timeout")
    assert [f["rule"] for f in found if f["path"] == "content/docs/b.md"].count(
        "internal.marker"
    ) == 1
    assert result.exit_code == 1  # from the TODO, not from the timeouts


def test_warm_run_reports_the_timeout_again(tmp_path: Path, run: Run) -> None:
    root = _slow_repo(tmp_path)
    cold = run(root, "lint")
    warm = run(root, "lint")
    assert cold.output.count("lint.rule-timeout") == 2
    assert warm.output == cold.output


def test_timeout_can_be_ignored_like_any_rule(tmp_path: Path, run: Run) -> None:
    root = _slow_repo(tmp_path)
    result = run(root, "lint", "--no-cache", "--ignore", "lint.rule-timeout")
    assert result.exit_code == 0
    assert result.stdout == "1 file: 0 errors, 0 warnings, 0 suggestions\n"


@pytest.mark.parametrize("value", ["0", "-1", "1e9"])
def test_pattern_timeout_out_of_range_is_exit_2(tmp_path: Path, run: Run, value: str) -> None:
    root = _slow_repo(tmp_path, f'content_dir = "content"\n[lint]\npattern_timeout = {value}\n')
    result = run(root, "lint", "--no-cache")
    assert result.exit_code == 2
    assert "lint.pattern_timeout = " in result.output
    assert "is out of range: it must be more than 0 and at most 600" in result.output


def test_a_slow_secrets_allow_pattern_allows_nothing_and_warns(tmp_path: Path, run: Run) -> None:
    """A hostile allow list cannot hide a secret by running out of time."""
    key = "AKIA" + "ZQ7WERTY5UIOP2XM"
    root = write_repo(
        tmp_path,
        {"content/docs/a.md": doc("docs.a", "A", f"Key {key} and {THIRTY}")},
        CONFIG + "[lint.secrets]\nallow = ['/(\\w|\\w)+\\s/']\n",
    )
    result = run(root, "lint", "--no-cache", "--format", "json")
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert "secrets.cloud-key" in rules
    assert "lint.rule-timeout" in rules
    assert result.exit_code == 1


def test_the_shipped_rules_load_without_slow_pattern_warnings(run: Run) -> None:
    repo = Path(__file__).resolve().parents[2]
    result = run(repo, "rules")
    assert result.exit_code == 0
    assert "exponential" not in result.stderr


def test_kbsync_rules_names_the_slow_patterns(tmp_path: Path, run: Run) -> None:
    result = run(_slow_repo(tmp_path), "rules")
    assert result.exit_code == 0
    assert "warning: rules/Bad/Slow.yml:5: Bad.Slow: pattern '(a|a)+$' can take" in result.output
    assert "warning: rules/facts.yml:3: conflicts.fact: fact 'slow-fact'" in result.output


def test_a_slow_allow_pattern_is_named_when_rules_load(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {"content/docs/a.md": doc("docs.a", "A", "Fine.")},
        CONFIG + "[lint.pii]\nallow = ['x', '/(a+)+@x/']\n",
    )
    result = run(root, "lint", "--no-cache")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: kbsync.toml: lint.rule-timeout: lint.pii.allow[1]: pattern "
        "'(a+)+@x' can take exponential time: a repeated group holds another unbounded "
        "repetition (nested quantifiers); rewrite it (e.g. `(a+)+` as `a+`, `(a|a)+` as `a+`) "
        "or it may run out of time on some files\n"
    )


def test_a_slow_pii_allow_pattern_warns_on_the_file_and_rule_it_ran_out_on(
    tmp_path: Path, run: Run
) -> None:
    """PII rules check many files per call: the warning still names the right file."""
    root = write_repo(
        tmp_path,
        {
            "content/docs/a.md": doc("docs.a", "A", "Write to jane.doe@acme-shipping.com today."),
            "content/docs/b.md": doc("docs.b", "B", "Nothing personal here."),
        },
        CONFIG + "[lint.pii]\nallow = ['/(.|\\w)+\\s/']\n",
    )
    result = run(root, "lint", "--no-cache", "--select", "pii,lint", "--format", "json")
    found = json.loads(result.stdout)["findings"]
    assert sorted((f["path"], f["rule"]) for f in found) == [
        ("content/docs/a.md", "lint.rule-timeout"),
        ("content/docs/a.md", "pii.email_address"),
    ]
    timeout = next(f for f in found if f["rule"] == "lint.rule-timeout")
    assert timeout["message"].startswith(
        "rule pii.email_address ran out of its 0.2 s time limit so its allow list allowed nothing"
    )
