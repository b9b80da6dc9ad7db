"""`kbsync plan`: what a sync would change, per target, without writing anything."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from pipeline.cli import detailed_exit
from pipeline.cli.common import Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.cli.plan_render import plan_text, plans_markdown
from pipeline.config import LOCAL_ENV, Settings
from pipeline.corpus import load_corpus
from pipeline.errors import UsageError
from pipeline.lint.outbound import OutboundChecker
from pipeline.sync.links import SiteLinks
from pipeline.sync.payload import payload_for
from pipeline.sync.plan import Plan
from pipeline.sync.seal import rederive
from pipeline.sync.service import SyncOptions, plan_target

HOLDS_CONTENT = (
    "warning: {what} holds the full text of every item it sends: keep it as private as the content"
)


@click.command("plan", cls=detailed_exit.DetailedExitCommand)
@target_options(env_default=LOCAL_ENV, content=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="`markdown` for a PR comment or job summary.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan (JSON) for `kbsync sync --plan`.")  # fmt: skip
@click.option("--refresh", is_flag=True, help="Compare with the site's listing (show drift).")
@click.option("--adopt/--no-adopt", default=True, show_default=True,
              help="Adopt a document on the site with the same type and title as an item kbsync "
                   "has no record of; --no-adopt refuses instead (never creates a duplicate).")  # fmt: skip
@click.option("--prune", is_flag=True, help="Delete documents on the site kbsync does not manage.")
@click.option("--offline", is_flag=True, help="Do not call the API (no quota check).")
@click.option("--show-payload", "show_payload", metavar="ID",
              help="Print the normalised payload that would be sent for item ID.")  # fmt: skip
@click.option(detailed_exit.FLAG, "detailed_exitcode", is_flag=True,
              help="Exit 0 no changes, 2 changes pending, 1 any error, usage and configuration "
                   "errors included (like Terraform).")  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    scope: Scope,
    fmt: str,
    out: Path | None,
    refresh: bool,
    adopt: bool,
    prune: bool,
    offline: bool,
    show_payload: str | None,
    detailed_exitcode: bool,
) -> None:
    """Show what `kbsync sync` would create, update, activate and delete.

    \b
    Examples:
      kbsync plan                                  the embedded sandbox (local)
      kbsync plan --env staging --format markdown  for a pull request comment
      kbsync plan --env production --out plan.json && kbsync sync --env production --plan plan.json
      kbsync plan --show-payload qa.returns.start-return
    """
    settings = scope.settings
    if show_payload:
        click.echo(_payload_json(settings, show_payload, scope.env_name or LOCAL_ENV, scope.site))
        return
    env = scope.env
    chosen = scope.targets
    if out is not None and len(chosen) != 1:
        raise UsageError("--out saves one target's plan: name it with --site")
    options = SyncOptions(refresh=refresh, adopt=adopt, prune=prune)
    rollout = scope.rollout
    check = OutboundChecker(settings)
    plans: list[Plan] = []
    if offline:
        if refresh or prune:
            raise UsageError("--offline cannot --refresh or --prune (they need the site's listing)")
        plans = [
            plan_target(settings, t, options=options, check=check, env=env, rollout=rollout)
            for t in chosen
        ]
    else:
        with open_client(settings, env) as client:
            plans = [
                plan_target(
                    settings,
                    t,
                    client=client,
                    options=options,
                    check=check,
                    env=env,
                    rollout=rollout,
                )
                for t in chosen
            ]
    if out is not None:
        _save(settings, plans[0], out)
    if fmt == "json":
        click.echo(HOLDS_CONTENT.format(what="the plan JSON"), err=True)
        data = [p.to_json() for p in plans]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(plans_markdown(plans), nl=False)
    else:
        click.echo("\n\n".join(plan_text(p) for p in plans))
    if any(p.blocked for p in plans):
        ctx.exit(1)
    if detailed_exitcode and any(p.has_changes for p in plans):
        ctx.exit(detailed_exit.CHANGES)


def _save(settings: Settings, plan: Plan, out: Path) -> None:
    """Write the plan readable by its owner only (it holds the content), and say so."""
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(plan.dumps() + "\n")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the plan: {exc.strerror}") from None
    click.echo(HOLDS_CONTENT.format(what=str(out)), err=True)
    if plan.head_commit and plan.payloads:
        differ = rederive(settings, plan).differ
        if differ:
            click.echo(
                f"warning: {len(differ)} item(s) differ from commit {plan.head_commit[:12]} "
                f"(uncommitted changes: {', '.join(differ[:5])}); kbsync sync --plan will "
                "refuse this plan: commit, then plan again",
                err=True,
            )


def _payload_json(settings: Settings, item_id: str, env_name: str, site: str | None) -> str:
    """The normalised payload of one item, whatever its status (what sync would send to
    `site`, default the environment's first: links become that site's public URLs)."""
    env = settings.environment(env_name)
    site_id = site or next(iter(env.sites), "")
    if site_id not in env.sites:
        raise UsageError(
            f"environment {env_name!r} has no site {site_id!r} (its sites: "
            f"{', '.join(sorted(env.sites))})"
        )
    links = SiteLinks.for_site(settings, env, site_id)
    corpus = load_corpus([settings.content_root], settings.root)
    for item in corpus.items:
        if item.id == item_id:
            payload = payload_for(item, settings.content_dir, links.rewrite)
            body = {"type": payload.type, **payload.body(), "content_hash": payload.content_hash}
            return json.dumps(body, indent=2, ensure_ascii=False)
    raise UsageError(f"no item with id {item_id!r} under {settings.content_dir}/")
