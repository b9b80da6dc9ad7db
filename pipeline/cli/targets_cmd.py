"""`kbsync targets`: every (environment, site) pair, e.g. for a CI job matrix."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import Scope, target_options


@click.command("targets")
@target_options(env_help="Only this environment.", site_help=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.pass_context
def command(ctx: click.Context, scope: Scope, fmt: str) -> None:
    """List the targets: one line (or JSON object) per environment and site.

    \b
    Examples:
      kbsync targets
      kbsync targets --env production --format json   # a GitHub Actions matrix
    """
    chosen = scope.targets
    if fmt == "json":
        rows = [{"environment": t.environment, "site": t.site, "tenant": t.tenant} for t in chosen]
        click.echo(json.dumps({"include": rows}))
    else:
        for t in chosen:
            click.echo(f"{t.environment}\t{t.site}\t{t.tenant}")
