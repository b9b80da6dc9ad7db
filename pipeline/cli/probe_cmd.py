"""`kbsync probe`: record the shapes Uppzy answers with and compare them with API.md."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli.common import settings_from
from pipeline.cli.connect import open_client
from pipeline.ops.probe import ProbeReport, probe
from pipeline.sync.service import targets


@click.command("probe")
@click.option("--env", "env_name", required=True, help="Environment to probe.")
@click.option("--site", help="Site (default: the environment's first site).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the shapes (observed and assumed) and differences as JSON here.")  # fmt: skip
@click.option("--write", is_flag=True,
              help="Also create, patch, activate and delete one canary document.")  # fmt: skip
@click.option("--chat", is_flag=True,
              help="Also ask one question (sync and async: 2 messages), rate it, close the "
                   "session.")  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    env_name: str,
    site: str | None,
    out: Path | None,
    write: bool,
    chat: bool,
) -> None:
    """Call every endpoint kbsync relies on and report where the shapes differ (exit 1 if any).

    Only field names and JSON types are recorded, never values.

    \b
    Examples:
      kbsync probe --env staging --out probe-staging.json
      kbsync probe --env staging --write --chat
    """
    settings = settings_from(ctx)
    env = settings.environment(env_name)
    target = targets(settings, env_name, site)[0]
    with open_client(settings, env) as client:
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
        click.echo(f"shapes written to {out}")
    ctx.exit(0 if report.ok else 1)


def render(report: ProbeReport) -> list[str]:
    lines = []
    for item in report.endpoints:
        if item.outcome == "same":
            lines.append(f"ok    {item.endpoint}: as assumed")
        elif item.outcome == "skipped":
            lines.append(f"skip  {item.endpoint}: {item.detail}")
        elif item.outcome == "error":
            lines.append(f"FAIL  {item.endpoint}: {item.detail}")
        else:
            count = len(item.differences)
            lines.append(f"DIFF  {item.endpoint}: {count} difference{'s' * (count != 1)}")
            lines.extend(f"        {difference.describe()}" for difference in item.differences)
    if report.canary_left:
        lines.append(
            f"FAIL  canary {report.canary_title} ({report.canary_left}) could not be deleted "
            f"from site {report.site}: delete it by hand"
        )
    summary = "no differences" if report.differences == 0 else f"{report.differences} differences"
    errors = f", {report.errors} endpoints failed" if report.errors else ""
    lines.append(f"{report.environment}/{report.site}: {summary}{errors}")
    return lines
