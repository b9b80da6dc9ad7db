"""`kbsync site show|set`: a site's chat-widget settings (`/m2m/sites/{id}/widget-config`)."""

from __future__ import annotations

import json
from typing import Any

import click

from pipeline.cli.common import FIRST_SITE, Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.cli.stats_cmd import flatten, table
from pipeline.errors import UsageError

_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                       show_default=True)  # fmt: skip
_WORDS = {"true": True, "false": False}


@click.group("site")
def command() -> None:
    """Show or change a site's chat-widget settings.

    \b
    Examples:
      kbsync site show --env staging
      kbsync site set --env staging welcome_message="Hi! Ask me anything." enabled=false
    """


def parse_assignments(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`key=value` arguments as a PATCH body: `true`/`false` are booleans, the rest text."""
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"{pair!r} is not FIELD=VALUE",
                hint='e.g. kbsync site set --env staging welcome_message="Hello" enabled=true',
            )
        if key.strip() in changes:
            raise UsageError(f"{key.strip()} is given twice")
        changes[key.strip()] = _WORDS.get(value.strip().lower(), value)
    return changes


def _render(site: str, config: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"widget settings of site {site}")
    rows = sorted((k, v) for k, v in flatten(config).items() if k != "site_id")
    for line in table(("field", "value"), rows):
        click.echo(line)


@command.command("show")
@target_options(env_required=True, site_help=FIRST_SITE)
@_FORMAT
@click.pass_context
def show(ctx: click.Context, scope: Scope, fmt: str) -> None:
    """Show the site's widget settings as Uppzy holds them.

    \b
    Examples:
      kbsync site show --env staging
      kbsync site show --env production --site s_help --format json
    """
    env, target = scope.env, scope.target
    with open_client(scope.settings, env) as client:
        config = client.widget_config(target.site)
    _render(target.site, config, fmt)


@command.command("set")
@target_options(env_required=True, site_help=FIRST_SITE)
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@_FORMAT
@click.pass_context
def set_(ctx: click.Context, scope: Scope, assignments: tuple[str, ...], fmt: str) -> None:
    """Change some widget settings (the others stay); `true`/`false` are booleans.

    Uppzy documents no field names: `kbsync site show` lists the ones the site has, and a
    field Uppzy does not know is refused by it (exit 1) with its message.

    \b
    Example:
      kbsync site set --env staging welcome_message="Hi! Ask me anything." enabled=true
    """
    changes = parse_assignments(assignments)
    env, target = scope.env, scope.target
    with open_client(scope.settings, env) as client:
        config = client.update_widget_config(target.site, changes)
    if fmt == "text":
        click.echo(f"changed {', '.join(sorted(changes))}")
    _render(target.site, config, fmt)
