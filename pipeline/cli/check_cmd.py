"""`kbsync check`: is the environment reachable with its key, right now?"""

from __future__ import annotations

import json

import click

from pipeline.cli.common import Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.ops.check import CheckReport, key_fact, run_check


@click.command("check")
@target_options(env_required=True, env_help="Environment to check.", site_help=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.pass_context
def command(ctx: click.Context, scope: Scope, fmt: str) -> None:
    """Check the key, the tenant, every site, the document quota and latency (exit 1 on a FAIL).

    \b
    Examples:
      kbsync check --env production
      kbsync check --env staging --format json
    """
    settings, env = scope.settings, scope.env
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
