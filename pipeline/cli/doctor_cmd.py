"""`kbsync doctor`: the production checklist, every item checked."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.ops.check import key_fact
from pipeline.ops.doctor import run_doctor


@click.command("doctor")
@target_options(env_required=True, env_help="Environment to examine.", site_help=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.pass_context
def command(ctx: click.Context, scope: Scope, fmt: str) -> None:
    """Check the environment against the production checklist (exit 1 if an item fails).

    \b
    Items: its own key (not shared, not in git), tenant and sites live, session strategy,
    bounded retries of retryable classes only, async deadline, metrics output, the last
    smoke of the environment promoted from, clean content lint.

    \b
    Example:
      kbsync doctor --env production
    """
    settings, env = scope.settings, scope.env
    if key_fact(env).status == "FAIL":
        report = run_doctor(settings, env, None)
    else:
        with open_client(settings, env) as client:
            report = run_doctor(settings, env, client)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for item in report.items:
            click.echo(item.line)
    ctx.exit(0 if report.ok else 1)
