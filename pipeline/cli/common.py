"""Helpers shared by the command modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pipeline.config import Settings, load_settings


def settings_from(ctx: click.Context) -> Settings:
    """The configuration for this invocation (`--config`, else found from the working folder)."""
    obj = ctx.find_root().obj or {}
    config_file = obj.get("config_file")
    cached = obj.get("settings")
    if cached is None:
        cached = load_settings(config_file=Path(config_file) if config_file else None)
        obj["settings"] = cached
    assert isinstance(cached, Settings)
    return cached


def use_color(stream: object = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    target = stream or sys.stdout
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


def comma_list(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)
