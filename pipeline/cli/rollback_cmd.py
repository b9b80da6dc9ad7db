"""`kbsync rollback`: take a rollout batch out of an environment now."""

from __future__ import annotations

import click

from pipeline.cli.common import settings_from
from pipeline.cli.connect import open_client
from pipeline.sync.service import rollback, targets


@click.command("rollback")
@click.option("--env", "env_name", required=True, help="Environment.")
@click.option("--batch", required=True, help="Rollout batch id (from content/rollout.yaml).")
@click.option("--site", help="Only this site (default: every site of the environment).")
@click.option("--delete", is_flag=True, help="Delete the documents instead of setting draft.")
@click.option("--release", is_flag=True, help="Lift an earlier rollback (the next sync restores).")
@click.pass_context
def command(
    ctx: click.Context, env_name: str, batch: str, site: str | None, delete: bool, release: bool
) -> None:
    """Roll a batch back: its documents go to draft (reversible; the default) or are deleted.

    The state records the rollback, so later syncs keep the batch out until `--release`.

    \b
    Examples:
      kbsync rollback --env production --batch returns
      kbsync rollback --env production --batch returns --release && kbsync sync --env production --yes
    """
    settings = settings_from(ctx)
    env = settings.environment(env_name)
    with open_client(settings, env) as client:
        for target in targets(settings, env_name, site):
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
