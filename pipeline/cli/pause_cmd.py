"""`kbsync pause` / `kbsync resume`: stop and restart syncs of a target, with who and why."""

from __future__ import annotations

import click

from pipeline.cli.common import settings_from
from pipeline.sync.service import pause, resume, targets


@click.command("pause")
@click.option("--env", "env_name", required=True, help="Environment.")
@click.option("--site", help="Only this site (default: every site of the environment).")
@click.option("--reason", required=True, help="Why (shown to whoever tries to sync).")
@click.pass_context
def pause_command(ctx: click.Context, env_name: str, site: str | None, reason: str) -> None:
    """Pause syncs of a target: a paused target refuses to sync and says who paused it.

    \b
    Example:
      kbsync pause --env production --reason "bad answers after the returns batch"
    """
    settings = settings_from(ctx)
    for target in targets(settings, env_name, site):
        state = pause(settings, target, reason)
        assert state.pause is not None
        click.echo(f"paused {target.key} ({state.pause.by}, {state.pause.at}): {reason}")


@click.command("resume")
@click.option("--env", "env_name", required=True, help="Environment.")
@click.option("--site", help="Only this site (default: every site of the environment).")
@click.pass_context
def resume_command(ctx: click.Context, env_name: str, site: str | None) -> None:
    """Resume syncs of a paused target.

    \b
    Example:
      kbsync resume --env production
    """
    settings = settings_from(ctx)
    for target in targets(settings, env_name, site):
        resume(settings, target)
        click.echo(f"resumed {target.key}")


commands = [pause_command, resume_command]
