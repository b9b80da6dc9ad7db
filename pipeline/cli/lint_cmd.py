"""`kbsync lint`: check content against the rules; exit 0 clean, 1 findings at --fail-level
(errors by default), 2 bad usage."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import click

from pipeline.cli.common import comma_list, content_settings, use_color
from pipeline.cli.lint_output import FAIL_LEVELS, exit_status, report_context, write_step_summary
from pipeline.errors import UsageError
from pipeline.lint.engine import LintOptions, run_lint
from pipeline.lint.reporters import FORMATS, stream


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--select", multiple=True, help="Only these rules or families (comma list).")
@click.option("--ignore", multiple=True, help="Skip these rules or families (comma list).")
@click.option(
    "--changed-since",
    metavar="REF",
    help="Only files changed against git REF (plus cross-file findings that involve them).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write .kbsync/cache.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for large trees.")  # fmt: skip
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Findings in this file are accepted and not reported.")  # fmt: skip
@click.option("--update-baseline", is_flag=True, help="Write every current finding to --baseline.")
@click.option("--fix", is_flag=True, help="Apply unambiguous substitutions in place.")
@click.option("--fail-level", type=click.Choice(FAIL_LEVELS), default="error", show_default=True,
              help="Exit 1 when a finding is at this level or worse.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output.")  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    changed_since: str | None,
    no_cache: bool,
    jobs: int,
    baseline: Path | None,
    update_baseline: bool,
    fix: bool,
    fail_level: str,
    output: Path | None,
) -> None:
    """Lint content (default: the content root) and report findings.

    \b
    Examples:
      kbsync lint
      kbsync lint content/qa --select schema,freshness
      kbsync lint --changed-since origin/main --format github
      kbsync lint --format gitlab -o gl-code-quality-report.json
      kbsync lint --fail-level warning
      kbsync lint --format sarif -o kbsync.sarif
      kbsync lint --baseline .kbsync-baseline.json --update-baseline
    """
    settings = content_settings(ctx)
    options = LintOptions(
        paths=paths,
        select=comma_list(select),
        ignore=comma_list(ignore),
        changed_since=changed_since,
        use_cache=not no_cache,
        jobs=jobs,
        baseline=baseline,
        update_baseline=update_baseline,
        fix=fix,
    )
    report = run_lint(settings, options)
    for skipped in report.skipped_rules:
        click.echo(
            f"warning: skipped {skipped.rule_id} ({skipped.path}): {skipped.reason}", err=True
        )
    for warning in report.rule_warnings:
        click.echo(f"warning: {warning}", err=True)
    color = use_color() and output is None and fmt == "text"
    context = report_context(settings, changed_since if fmt == "github" else None, color)
    pieces = stream(report, fmt, context=context)
    if output is not None:
        try:
            with output.open("w", encoding="utf-8") as out:
                _write(pieces, out.write)
        except OSError as exc:
            raise UsageError(
                f"-o {output}: cannot write the report ({exc.strerror or exc})",
                hint="name a file in a folder that exists and that you can write to",
            ) from None
    else:
        _write(pieces, lambda block: click.echo(block, nl=False))
    if report.baseline_written is not None:
        click.echo(f"wrote {report.baseline_written} findings to {baseline}", err=True)
    if fmt == "github":
        write_step_summary(report, context)
    ctx.exit(exit_status(report, fail_level))


WRITE_BLOCK = 1 << 16
"""Characters gathered before each write: few system calls, and never the whole report in
memory (ten thousand findings are megabytes of SARIF)."""


def _write(pieces: Iterable[str], write: Callable[[str], object]) -> None:
    """Write the report's pieces in blocks, then the final newline — none for a report with no
    text at all (a line format with no findings is an empty file, as reviewdog expects)."""
    block: list[str] = []
    size = 0
    wrote = False
    for piece in pieces:
        if not piece:
            continue
        block.append(piece)
        size += len(piece)
        wrote = True
        if size >= WRITE_BLOCK:
            write("".join(block))
            block, size = [], 0
    if wrote:
        block.append("\n")
    write("".join(block))
