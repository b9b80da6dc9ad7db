"""`kbsync rules`: every rule, its family, default level and documentation."""

from __future__ import annotations

import click

from pipeline.cli.common import settings_from
from pipeline.lint.docs import rules_markdown, rules_table
from pipeline.lint.engine import rule_catalogue


@click.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="`markdown` writes the rules reference (docs/rules.md).",
)
@click.pass_context
def command(ctx: click.Context, fmt: str) -> None:
    """List the rules kbsync runs, with their documentation.

    \b
    Examples:
      kbsync rules
      kbsync rules --format markdown > docs/rules.md
    """
    rules, skipped = rule_catalogue(settings_from(ctx))
    click.echo(rules_markdown(rules) if fmt == "markdown" else rules_table(rules))
    for item in skipped:
        click.echo(f"skipped {item.rule_id} ({item.path}): {item.reason}", err=True)
    for rule in rules:
        for warning in rule.load_warnings():
            click.echo(f"warning: {warning}", err=True)
