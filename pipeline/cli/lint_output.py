"""What `kbsync lint` does with a report: render it, write the GitHub job summary, exit.

Kept apart from the command so the command stays a list of options: the context the CI formats
need (changed lines, file text), the `$GITHUB_STEP_SUMMARY` file and `--fail-level`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

import click

from pipeline.config import Settings
from pipeline.corpus import decode
from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Severity
from pipeline.lint.reporters import ReportContext, github_summary

FAIL_LEVELS = [level.value for level in Severity]
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def report_context(settings: Settings, changed_since: str | None, color: bool) -> ReportContext:
    """The context for this run: changed lines only with `--changed-since`."""
    root = settings.root

    @functools.lru_cache(maxsize=256)
    def file_lines(path: str) -> Sequence[str]:
        try:
            data = (root / path).read_bytes()
        except OSError:
            return ()
        text = decode(path, data)[0]
        return tuple(text.splitlines()) if text is not None else ()

    changed = None
    if changed_since:
        from pipeline import vcs  # GitPython, only for --changed-since

        changed = vcs.changed_lines(root, changed_since)
    return ReportContext(color=color, changed_lines=changed, file_lines=file_lines)


def write_step_summary(report: LintReport, context: ReportContext) -> None:
    """Append the Markdown summary to `$GITHUB_STEP_SUMMARY` when GitHub Actions sets it."""
    target = os.environ.get(SUMMARY_ENV)
    if not target:
        return
    try:
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(github_summary.render(report, context))
    except OSError as exc:
        click.echo(f"warning: could not write the job summary to {target}: {exc}", err=True)


def exit_status(report: LintReport, fail_level: str) -> int:
    """1 when a finding is at `fail_level` or worse (error < warning < suggestion), else 0."""
    worst = Severity(fail_level).rank
    return 1 if any(f.severity.rank <= worst for f in report.findings) else 0
