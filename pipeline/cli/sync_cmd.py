"""`kbsync sync`: push approved, changed content to each target of an environment.

This module parses the options, calls the release service (:mod:`pipeline.ops.release`: the
lint, promotion and eval gates and the loop over targets) once, and renders what it reports.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from pipeline.api.telemetry import Metrics
from pipeline.cli.common import Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.cli.metrics_out import metrics_table, write_metrics
from pipeline.cli.plan_render import outcome_text, plan_text
from pipeline.cli.progress import SyncProgress
from pipeline.config import LOCAL_ENV
from pipeline.errors import UsageError
from pipeline.ops.release import ReleaseRequest, release
from pipeline.sync.apply import ProgressCallback
from pipeline.sync.plan import Plan
from pipeline.sync.service import SyncOptions, SyncOutcome
from pipeline.targets import Target


class SyncScreen:
    """How a release shows on the terminal (:class:`pipeline.ops.release.ReleaseHooks`)."""

    def __init__(self, yes: bool) -> None:
        self.yes = yes
        self._progress: SyncProgress | None = None

    def warn(self, message: str) -> None:
        click.echo(f"warning: {message}", err=True)

    def confirm(self, plan: Plan) -> None:
        for warning in plan.warnings:  # e.g. a file that cannot be read: its item is kept
            click.echo(f"warning: {plan.target.key}: {warning}", err=True)
        if self.yes or not plan.has_changes:
            return
        click.echo(plan_text(plan))
        if not click.confirm(f"Apply these changes to {plan.target.key}?", default=False):
            raise UsageError("not applied")

    def start(self, target: Target) -> Callable[[Plan], ProgressCallback]:
        self._progress = SyncProgress(f"sync {target.key}")
        return self._progress.start

    def finish(self, target: Target) -> None:
        if self._progress is not None:
            self._progress.finish()
            self._progress = None

    def synced(self, outcome: SyncOutcome) -> None:
        click.echo(outcome_text(outcome))


@click.command("sync")
@target_options(env_default=LOCAL_ENV, content=True)
@click.option("--plan", "plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Apply this saved plan exactly (refused if the state moved since).")  # fmt: skip
@click.option("--yes", "-y", is_flag=True, help="Do not ask; required when not on a terminal.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Requests at once (default: the environment's http.concurrency, 8).")  # fmt: skip
@click.option("--wait-ready", is_flag=True, help="Wait until new documents are ready.")
@click.option("--allow-mass-delete", is_flag=True, help="Allow deleting over the threshold.")
@click.option("--refresh", is_flag=True, help="Repair drift found in the site's listing.")
@click.option("--adopt/--no-adopt", default=True, show_default=True,
              help="Adopt a document on the site with the same type and title as an item kbsync "
                   "has no record of; --no-adopt refuses instead (never creates a duplicate).")  # fmt: skip
@click.option("--prune", is_flag=True, help="Delete documents kbsync does not manage.")
@click.option("--skip-lint", is_flag=True, help="Sync without the lint gate (logged loudly).")
@click.option("--force", is_flag=True, help="Override refusals meant for production.")
@click.option("--metrics-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write API metrics: JSON, or Prometheus text for a .prom file.")  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    scope: Scope,
    plan_file: Path | None,
    yes: bool,
    concurrency: int | None,
    wait_ready: bool,
    allow_mass_delete: bool,
    refresh: bool,
    adopt: bool,
    prune: bool,
    skip_lint: bool,
    force: bool,
    metrics_out: Path | None,
) -> None:
    """Sync approved, changed content to every target (site) of an environment.

    \b
    Examples:
      kbsync sync --yes                          the embedded sandbox (local)
      kbsync sync --env staging --yes --wait-ready
      kbsync sync --env production --plan plan.json --yes
    """
    settings = scope.settings
    env = scope.env
    chosen = scope.targets
    saved: Plan | None = None
    if plan_file is not None:
        try:
            data = json.loads(plan_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{plan_file}: cannot read the plan: {exc}") from None
        saved = Plan.from_json(data, str(plan_file))
    if not yes and not sys.stdin.isatty():
        raise UsageError(
            "not on a terminal: pass --yes to sync without a confirmation prompt",
            hint=f"review first with: kbsync plan --env {env.name}",
        )
    options = SyncOptions(
        concurrency=concurrency or env.http.concurrency,
        allow_mass_delete=allow_mass_delete,
        refresh=refresh,
        adopt=adopt,
        prune=prune,
        wait_ready=wait_ready,
        ready_deadline=env.async_.deadline * 2,
    )
    request = ReleaseRequest(options, saved_plan=saved, skip_lint=skip_lint, force=force)
    metrics = Metrics()
    outcomes = release(
        settings,
        env,
        chosen,
        request,
        lambda: open_client(settings, env, metrics),
        SyncScreen(yes),
        rollout=scope.rollout,
    )
    table = metrics_table(metrics)
    if table:
        click.echo("\n" + table, err=True)
    destination = metrics_out or (settings.root / env.metrics_out if env.metrics_out else None)
    if destination is not None:
        write_metrics(metrics, destination)
    if any(not o.result.ok or o.plan.blocked for o in outcomes):
        ctx.exit(1)
