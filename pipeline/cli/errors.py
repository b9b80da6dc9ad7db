"""Turn kbsync's exceptions into one clear message and an exit status (pre-commit's way)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from pipeline.errors import KbsyncError


def render_error(exc: KbsyncError) -> str:
    """The message a user sees for `exc`: what is wrong, then what to do."""
    text = f"error: {exc.message}"
    if exc.hint:
        text += f"\n  hint: {exc.hint}"
    return text


@contextmanager
def handle_errors() -> Iterator[None]:
    """Exit with the error's status and message instead of a traceback."""
    try:
        yield
    except KbsyncError as exc:
        click.echo(render_error(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


def fail(exc: KbsyncError, exit_code: int | None = None) -> None:
    """Inside a click command: report `exc` and exit (works under CliRunner too) with
    `exit_code`, by default the error's own."""
    click.echo(render_error(exc), err=True)
    raise SystemExit(exc.exit_code if exit_code is None else exit_code)
