"""Helpers shared by the command modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pipeline.cli.errors import MASKER
from pipeline.config import Settings, load_settings


def settings_from(ctx: click.Context) -> Settings:
    """The configuration for this invocation (`--config`, else found from the working folder)."""
    obj = ctx.find_root().obj or {}
    config_file = obj.get("config_file")
    cached = obj.get("settings")
    if cached is None:
        cached = load_settings(config_file=Path(config_file) if config_file else None)
        MASKER.add_from_environment(
            env.api_key_env for env in cached.environments.values() if env.api_key_env
        )
        obj["settings"] = cached
    assert isinstance(cached, Settings)
    return cached


def content_settings(ctx: click.Context) -> Settings:
    """The configuration, for a command that reads the content (lint, plan, sync): refuses a
    missing or empty content folder, a missing rollout.yaml, and a rollout naming an
    environment the configuration does not define (exit 2), instead of "0 files, 0 errors"
    and a plan that deletes everything."""
    from pipeline.corpus.loader import require_content
    from pipeline.rollout import check_environments, load_rollout

    settings = settings_from(ctx)
    require_content(settings.content_root)
    rollout = load_rollout(settings.content_root, required=True)
    check_environments(rollout, settings.environments, settings.source)
    return settings


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
