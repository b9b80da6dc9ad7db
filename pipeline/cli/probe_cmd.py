"""`kbsync probe`: compare what Uppzy answers (shapes and values) with what kbsync assumes."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli.common import FIRST_SITE, Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.ops.probe import ProbeReport, probe


@click.command("probe")
@target_options(env_required=True, env_help="Environment to probe.", site_help=FIRST_SITE)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the shapes (observed and assumed) and differences as JSON here.")  # fmt: skip
@click.option("--write", is_flag=True,
              help="Also write: canary documents (created, patched, set draft and active, "
                   "deleted), the listing across two pages, the documented error answers, one "
                   "async question (1 message).")  # fmt: skip
@click.option("--chat", is_flag=True,
              help="Also ask one question (sync and async: 2 messages), rate it, close the "
                   "session.")  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    scope: Scope,
    out: Path | None,
    write: bool,
    chat: bool,
) -> None:
    """Call every endpoint kbsync relies on; report where Uppzy's answers differ from what
    kbsync assumes (exit 1 if any), and the setting that would absorb each difference.

    Shapes (field names and JSON types) and the values kbsync acts on are checked: how the
    listing pages and its total, status words, documented error answers, rate-limit headers,
    async chat's first answer. --out writes the report as JSON: shapes (never the values of
    a response) and the checks.

    \b
    Examples:
      kbsync probe --env staging --out probe-staging.json
      kbsync probe --env staging --write --chat
    """
    env, target = scope.env, scope.target
    with open_client(scope.settings, env) as client:
        report = probe(
            client,
            env.name,
            target.site,
            write=write,
            chat=chat,
            poll_interval=env.async_.poll_interval,
            poll_deadline=env.async_.deadline,
        )
    for line in render(report):
        click.echo(line)
    if out is not None:
        out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        click.echo(f"report written to {out}")
    ctx.exit(0 if report.ok else 1)


SHAPE_SETTING = (
    "no setting: kbsync ignores extra fields; a missing or retyped one needs a change to "
    "kbsync's wire module (pipeline/api/uppzy.py): attach the --out report"
)
_MARKS = {"same": "ok", "differs": "DIFF", "error": "FAIL", "skipped": "skip", "info": "info"}


def render(report: ProbeReport) -> list[str]:
    lines = []
    for item in report.ordered_endpoints:
        mark = f"{_MARKS[item.outcome]:<6}"
        if item.outcome == "same":
            lines.append(f"{mark}{item.endpoint}: as assumed")
        elif item.outcome == "differs":
            count = len(item.differences)
            lines.append(f"{mark}{item.endpoint}: {count} difference{'s' * (count != 1)}")
        else:
            lines.append(f"{mark}{item.endpoint}: {item.detail}")
        lines.extend(f"        {difference.describe()}" for difference in item.differences)
        if item.differences:
            lines.append(f"        absorb it: {SHAPE_SETTING}")
    for check in report.checks:
        lines.append(f"{_MARKS[check.outcome]:<6}{check.name}: {check.detail}")
        if check.setting and check.outcome in ("differs", "error"):
            lines.append(f"        absorb it: {check.setting}")
    if report.canaries_left:
        lines.append(
            f"FAIL  canaries {', '.join(report.canaries_left)} could not be deleted from site "
            f"{report.site}: delete them by hand"
        )
    count = report.differences
    summary = "no differences" if count == 0 else f"{count} difference{'s' * (count != 1)}"
    errors = f", {report.errors} failed" if report.errors else ""
    lines.append(f"{report.environment}/{report.site}: {summary}{errors}")
    return lines
