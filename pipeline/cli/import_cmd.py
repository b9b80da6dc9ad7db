"""`kbsync import`: bring an existing Uppzy site into the content repository."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.config import today
from pipeline.ids import shown
from pipeline.sync.importer import ImportResult, import_site
from pipeline.sync.service import make_store


@click.command("import")
@target_options(env_required=True, site_help="The site to import (required).")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="Content folder to write to (default: content_dir from kbsync.toml).",
)
@click.pass_context
def command(ctx: click.Context, scope: Scope, into: Path | None) -> None:
    """Turn a site's text and Q&A documents into content files, a rollout batch and sync-log
    entries, so the next `kbsync plan` has nothing to do for them.

    Active documents become `approved` files, others `draft` ones (not recorded: kbsync manages
    approved content only). Documents already in the sync log or in a content file with the
    same title are skipped; an existing file is never overwritten. File documents are listed.

    \b
    Examples:
      kbsync import --env production --site s_help
      kbsync import --env staging --site s_help --into content/
    """
    if scope.site is None:
        raise click.UsageError("kbsync import needs --site: the site whose documents to import")
    settings = scope.settings
    target = scope.target
    folder = None if into is None else (into if into.is_absolute() else Path.cwd() / into)
    with open_client(settings, scope.env) as client:
        result = import_site(
            settings, target, client, make_store(settings, scope.env), into=folder, today=today()
        )
    _render(result)


def _render(result: ImportResult) -> None:
    key = result.target.key
    for entry in result.imported:
        note = "" if entry.recorded else " (not recorded)"
        note += "; differs from the site's text: the next plan updates it" if entry.differs else ""
        click.echo(f"imported {entry.doc_id} -> {entry.path} ({entry.status}){note}")
    for skipped in result.skipped:
        click.echo(f"skipped {skipped.doc_id} {shown(skipped.title)}: {skipped.reason}")
    for other in result.not_importable:
        click.echo(f"not importable {other.doc_id} {shown(other.title)}: {other.reason}")
    recorded = sum(1 for i in result.imported if i.recorded)
    differs = sum(1 for i in result.imported if i.recorded and i.differs)
    summary = (
        f"{key}: {len(result.imported)} imported ({recorded} recorded in the sync log), "
        f"{len(result.skipped)} skipped, {len(result.not_importable)} not importable"
    )
    if result.batch:
        summary += f"; batch {result.batch} added to rollout.yaml"
    click.echo(summary)
    if differs:
        click.echo(
            f"{differs} imported documents hold text that differs from what their file sends "
            "(converted HTML, spacing): `kbsync plan` shows them as updates"
        )
    if result.imported and not result.state_recorded:
        click.echo(
            "--into is not the content folder kbsync.toml names: nothing was recorded in the "
            "sync log (the next plan adopts the documents by title)"
        )
