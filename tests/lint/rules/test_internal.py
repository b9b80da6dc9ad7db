"""`internal.link` settings: entries that can never name a team's host are said to be ignored."""

from __future__ import annotations

from pathlib import Path

from pipeline.lint.engine import LintOptions, run_lint
from tests.helpers import settings_for, write_repo

PAGE = "---\nid: docs.a\ntitle: A\nstatus: approved\nreviewed: 2026-10-01\n---\nSee http://localhost/.\n"


def test_localhost_in_internal_hosts_is_ignored_with_a_warning(tmp_path: Path) -> None:
    config = '[lint]\ninternal_hosts = ["localhost", "127.0.0.0/8", "::1", "*.example", "*.corp"]\n'
    root = write_repo(tmp_path / "repo", {"content/docs/a.md": PAGE}, config=config)
    report = run_lint(settings_for(root), LintOptions(select=("internal.link",), use_cache=False))
    assert report.findings == []
    assert [str(w) for w in report.rule_warnings] == [
        f"kbsync.toml: internal.link: [lint] internal_hosts entry {entry!r} is ignored: the "
        "reader's own machine and documentation names (localhost, 127.0.0.1, example.com) are "
        "never internal hosts; remove it"
        for entry in ("localhost", "127.0.0.0/8", "::1", "*.example")
    ]


def test_the_default_list_warns_about_nothing(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"content/docs/a.md": PAGE})
    report = run_lint(settings_for(root), LintOptions(select=("internal.link",), use_cache=False))
    assert (report.findings, report.rule_warnings) == ([], [])
