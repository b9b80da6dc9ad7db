"""`kbsync init`: scaffold a new content repository that lints and syncs to `local` at once."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import __version__
from pipeline.config import today
from pipeline.scaffold import CI_SYSTEMS, ScaffoldOptions, scaffold


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--kbsync-requirement", metavar="SPEC", default=f"kbsync=={__version__}",
              show_default=True,
              help="What the CI workflows `pip install` (a version, a git URL, a path).")  # fmt: skip
@click.option("--hook-repo", metavar="URL",
              help="kbsync's git URL for pre-commit's shared hook (default: a local hook).")  # fmt: skip
@click.option("--ci", type=click.Choice(CI_SYSTEMS), default="github", show_default=True,
              help="The CI pipeline to write: GitHub Actions workflows or .gitlab-ci.yml.")  # fmt: skip
def command(
    directory: Path, force: bool, kbsync_requirement: str, hook_repo: str | None, ci: str
) -> None:
    """Create a content repository: examples, rules, kbsync.toml, a CI pipeline, README.

    The examples pass `kbsync lint` and sync to the local sandbox straight away. Existing files
    are never overwritten without --force.

    \b
    Examples:
      kbsync init help-content
      kbsync init . --kbsync-requirement "kbsync @ git+https://git.example.com/kbsync@v0.1.0"
      kbsync init --ci gitlab             .gitlab-ci.yml instead of GitHub workflows
      kbsync init --force                 overwrite the scaffold's files in this folder
    """
    options = ScaffoldOptions(
        today=today(),
        kbsync_requirement=kbsync_requirement,
        hook_repo=hook_repo,
        force=force,
        ci=ci,
    )
    result = scaffold(directory, options)
    overwritten = set(result.overwritten)
    for rel in result.written:
        click.echo(f"{'overwrote' if rel in overwritten else 'created'}  {rel}")
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(
        f"\nA content repository is ready in {directory}. Next:\n"
        f"  {where}git init && kbsync lint && kbsync sync --env local --yes\n"
        "Then put your tenant and site ids in kbsync.toml and read README.md."
    )
