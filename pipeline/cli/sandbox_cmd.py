"""`kbsync sandbox`: the local Uppzy emulator (its commands are being built)."""

from __future__ import annotations

import click


@click.group("sandbox")
def command() -> None:
    """Run the local Uppzy emulator."""
