"""`kbsync rollback`: take a rollout batch out of an environment now."""

from __future__ import annotations

import click

from pipeline.cli.common import Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.sync.service import rollback


@click.command("rollback")
@target_options(env_required=True, site_after="batch")
@click.option("--batch", required=True, help="Rollout batch id (from content/rollout.yaml).")
@click.option("--delete", is_flag=True, help="Delete the documents instead of setting draft.")
@click.option("--release", is_flag=True, help="Lift an earlier rollback (the next sync restores).")
@click.pass_context
def command(ctx: click.Context, scope: Scope, batch: str, delete: bool, release: bool) -> None:
    """Roll a batch back: its documents go to draft (reversible; the default) or are deleted.

    The state records the rollback, so later syncs keep the batch out until `--release`.

    \b
    Examples:
      kbsync rollback --env production --batch returns
      kbsync rollback --env production --batch returns --release && kbsync sync --env production --yes
    """
    settings = scope.settings
    with open_client(settings, scope.env) as client:
        for target in scope.targets:
            result = rollback(
                settings, target, None if release else client, batch, delete=delete,
                release=release,
            )  # fmt: skip
            if result.released:
                click.echo(f"{target.key}: batch {batch} released; the next sync restores it")
            else:
                click.echo(
                    f"{target.key}: batch {batch} rolled back ({result.mode}): "
                    f"{result.documents} documents"
                )
