"""`kbsync check`: is the environment reachable with its key, right now?"""

from __future__ import annotations

import json

import click

from pipeline.cli.common import settings_from
from pipeline.cli.connect import open_client
from pipeline.ops.check import CheckReport, key_fact, run_check


@click.command("check")
@click.option("--env", "env_name", required=True, help="Environment to check.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.pass_context
def command(ctx: click.Context, env_name: str, fmt: str) -> None:
    """Check the key, the tenant, every site, the document quota and latency (exit 1 on a FAIL).

    \b
    Examples:
      kbsync check --env production
      kbsync check --env staging --format json
    """
    settings = settings_from(ctx)
    env = settings.environment(env_name)
    key = key_fact(env)
    if key.status == "FAIL":
        report = CheckReport(env.name, [key])
    else:
        with open_client(settings, env) as client:
            report = run_check(client, env)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for fact in report.facts:
            click.echo(fact.line)
    ctx.exit(0 if report.ok else 1)
