"""`kbsync pause` / `kbsync resume`: stop and restart syncs of a target, with who and why."""

from __future__ import annotations

import click

from pipeline.cli.common import Scope, target_options
from pipeline.sync.service import pause, resume


@click.command("pause")
@target_options(env_required=True)
@click.option("--reason", required=True, help="Why (shown to whoever tries to sync).")
@click.pass_context
def pause_command(ctx: click.Context, scope: Scope, reason: str) -> None:
    """Pause syncs of a target: a paused target refuses to sync and says who paused it.

    \b
    Example:
      kbsync pause --env production --reason "bad answers after the returns batch"
    """
    for target in scope.targets:
        state = pause(scope.settings, target, reason)
        assert state.pause is not None
        click.echo(f"paused {target.key} ({state.pause.by}, {state.pause.at}): {reason}")


@click.command("resume")
@target_options(env_required=True)
@click.pass_context
def resume_command(ctx: click.Context, scope: Scope) -> None:
    """Resume syncs of a paused target.

    \b
    Example:
      kbsync resume --env production
    """
    for target in scope.targets:
        resume(scope.settings, target)
        click.echo(f"resumed {target.key}")


commands = [pause_command, resume_command]
