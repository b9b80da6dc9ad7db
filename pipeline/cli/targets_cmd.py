"""`kbsync targets`: every (environment, site) pair, e.g. for a CI job matrix."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import settings_from
from pipeline.sync.service import targets


@click.command("targets")
@click.option("--env", "env_name", help="Only this environment.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.pass_context
def command(ctx: click.Context, env_name: str | None, fmt: str) -> None:
    """List the targets: one line (or JSON object) per environment and site.

    \b
    Examples:
      kbsync targets
      kbsync targets --env production --format json   # a GitHub Actions matrix
    """
    chosen = targets(settings_from(ctx), env_name)
    if fmt == "json":
        rows = [{"environment": t.environment, "site": t.site, "tenant": t.tenant} for t in chosen]
        click.echo(json.dumps({"include": rows}))
    else:
        for t in chosen:
            click.echo(f"{t.environment}\t{t.site}\t{t.tenant}")
