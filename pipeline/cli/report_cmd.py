"""`kbsync report`: a content-health report (HTML, Markdown and JSON) for the whole repository."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli.common import settings_from
from pipeline.config import today
from pipeline.lint.engine import LintOptions, run_lint
from pipeline.ops.holdings import gather_holdings
from pipeline.report.health import build_health
from pipeline.report.render import health_html, health_markdown, report_json


@click.command("report")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Folder for index.html, report.md and report.json.")  # fmt: skip
@click.option("--no-cache", is_flag=True, help="Do not read or write .kbsync/cache.")
@click.pass_context
def command(ctx: click.Context, out_dir: Path, no_cache: bool) -> None:
    """Write a content-health report: lint findings by family, file and rule; how long ago
    content was reviewed and which reviews and expiry dates come due (by owner); what each
    environment and site holds by rollout batch; and the last smoke and eval runs.

    The page is one self-contained HTML file (nothing is fetched when it is opened). State is
    read from the local store only: a git store's remote is not fetched, so when other machines
    sync, first run: git fetch REMOTE '+refs/kbsync/*:refs/kbsync/*'

    \b
    Examples:
      kbsync report --out health
      kbsync report --out health && cat health/report.md >> "$GITHUB_STEP_SUMMARY"
    """
    settings = settings_from(ctx)
    lint = run_lint(settings, LintOptions(use_cache=not no_cache))
    health = build_health(settings, lint, today())
    holdings = gather_holdings(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index.html").write_text(health_html(health, holdings), encoding="utf-8")
    (out_dir / "report.md").write_text(health_markdown(health, holdings), encoding="utf-8")
    data = json.dumps(report_json(health, holdings), indent=2, ensure_ascii=False)
    (out_dir / "report.json").write_text(data + "\n", encoding="utf-8")
    click.echo(
        f"{health.items} items, {health.lint_errors} lint errors, "
        f"{len(health.reviews_overdue)} reviews overdue, {len(health.reviews_due_soon)} due soon, "
        f"{len(health.expired)} expired: wrote {out_dir}/index.html, report.md, report.json"
    )
