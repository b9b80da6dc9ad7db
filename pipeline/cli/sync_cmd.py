"""`kbsync sync`: push approved, changed content to each target of an environment."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from pipeline.api.telemetry import Metrics
from pipeline.cli.common import content_settings
from pipeline.cli.connect import open_client
from pipeline.cli.metrics_out import metrics_table, write_metrics
from pipeline.cli.plan_render import outcome_text, plan_text
from pipeline.cli.progress import SyncProgress
from pipeline.config import LOCAL_ENV, EnvironmentConfig, Settings
from pipeline.errors import ContentError, UsageError
from pipeline.lint.engine import LintOptions, run_lint
from pipeline.lint.outbound import OutboundChecker
from pipeline.ops.gate import GateResult, check_eval_gate, check_gate
from pipeline.sync.plan import Plan
from pipeline.sync.service import SyncOptions, SyncOutcome, sync_target, targets

log = logging.getLogger("pipeline.cli.sync")


def is_production(env: EnvironmentConfig) -> bool:
    return env.name == "production" or env.promote_from is not None


def lint_gate(settings: Settings, env: EnvironmentConfig, skip_lint: bool, force: bool) -> None:
    """Content with lint errors blocks the sync (`--skip-lint` only with `--force` for prod)."""
    if skip_lint:
        if is_production(env) and not force:
            raise UsageError(
                f"--skip-lint is refused for {env.name} without --force",
                hint="fix the lint errors (kbsync lint) instead",
            )
        log.warning("LINT SKIPPED for %s (--skip-lint): content is synced unchecked", env.name)
        click.echo(f"warning: lint skipped for {env.name} (--skip-lint)", err=True)
        return
    report = run_lint(settings, LintOptions())
    if report.errors:
        raise ContentError(
            f"content has {report.errors} lint errors: the sync of {env.name} is blocked",
            hint="run kbsync lint and fix them (or --skip-lint, logged loudly)",
        )


def _warn_overridden(result: GateResult) -> None:
    for problem in result.overridden:
        click.echo(f"warning: promotion gate overridden (--force): {problem}", err=True)


@click.command("sync")
@click.option("--env", "env_name", default=LOCAL_ENV, show_default=True, help="Environment.")
@click.option("--site", help="Only this site (default: every site of the environment).")
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
    env_name: str,
    site: str | None,
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
    settings = content_settings(ctx)
    env = settings.environment(env_name)
    chosen = targets(settings, env_name, site)
    saved: Plan | None = None
    if plan_file is not None:
        try:
            data = json.loads(plan_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{plan_file}: cannot read the plan: {exc}") from None
        saved = Plan.from_json(data, str(plan_file))
        chosen = [t for t in chosen if t.key == saved.target.key] or chosen
    if not yes and not sys.stdin.isatty():
        raise UsageError(
            "not on a terminal: pass --yes to sync without a confirmation prompt",
            hint=f"review first with: kbsync plan --env {env_name}",
        )
    lint_gate(settings, env, skip_lint, force)
    _warn_overridden(check_gate(settings, env_name, force=force))
    options = SyncOptions(
        concurrency=concurrency or env.http.concurrency,
        allow_mass_delete=allow_mass_delete,
        refresh=refresh,
        adopt=adopt,
        prune=prune,
        wait_ready=wait_ready,
        ready_deadline=env.async_.deadline * 2,
    )
    check = OutboundChecker(settings)
    metrics = Metrics()
    outcomes: list[SyncOutcome] = []
    with open_client(settings, env, metrics) as client:
        for target in chosen:

            def confirm(plan: Plan) -> None:
                for warning in plan.warnings:  # e.g. a file that cannot be read
                    click.echo(f"warning: {plan.target.key}: {warning}", err=True)
                _warn_overridden(check_eval_gate(settings, env_name, plan, force=force))
                if yes or not plan.has_changes:
                    return
                click.echo(plan_text(plan))
                if not click.confirm(f"Apply these changes to {plan.target.key}?", default=False):
                    raise UsageError("not applied")

            progress = SyncProgress(f"sync {target.key}")
            try:
                outcome = sync_target(
                    settings,
                    target,
                    client,
                    options=options,
                    saved_plan=saved,
                    before_write=confirm,
                    progress=progress.start,
                    check=check,
                )
            finally:
                progress.finish()
            outcomes.append(outcome)
            click.echo(outcome_text(outcome))
    table = metrics_table(metrics)
    if table:
        click.echo("\n" + table, err=True)
    destination = metrics_out or (settings.root / env.metrics_out if env.metrics_out else None)
    if destination is not None:
        write_metrics(metrics, destination)
    if any(not o.result.ok or o.plan.blocked for o in outcomes):
        ctx.exit(1)
