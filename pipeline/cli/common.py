"""Helpers shared by the command modules, among them the one declaration of `--env`/`--site`."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from pipeline.cli.errors import MASKER
from pipeline.config import EnvironmentConfig, Settings, load_settings
from pipeline.rollout import Rollout
from pipeline.targets import Target, environment_targets, resolve_targets

F = TypeVar("F", bound=Callable[..., Any])

EVERY_SITE = "Only this site (default: every site of the environment)."
FIRST_SITE = "Site (default: the environment's first site)."


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
    return content_and_rollout(ctx)[0]


def content_and_rollout(ctx: click.Context) -> tuple[Settings, Rollout]:
    """:func:`content_settings` and the rollout it checked, for a command that needs both
    (read once per command)."""
    from pipeline.corpus.loader import require_content
    from pipeline.rollout import check_environments, load_rollout

    settings = settings_from(ctx)
    require_content(settings.content_root)
    rollout = load_rollout(settings.content_root, required=True)
    check_environments(rollout, settings.environments, settings.source)
    return settings, rollout


class Scope:
    """What `--env`/`--site` name for one invocation: the settings, the environment, its
    targets, each resolved once, when the command first asks (so a command's own checks keep
    their order: `kbsync plan --show-payload` needs no environment)."""

    def __init__(
        self, ctx: click.Context, env_name: str | None, site: str | None, *, content: bool
    ) -> None:
        self.ctx = ctx
        self.env_name = env_name
        self.site = site
        self._content = content
        self._rollout: Rollout | None = None

    @cached_property
    def settings(self) -> Settings:
        """The configuration; for a command reading the content, checked as
        :func:`content_settings` does."""
        if self._content:
            settings, self._rollout = content_and_rollout(self.ctx)
            return settings
        return settings_from(self.ctx)

    @property
    def rollout(self) -> Rollout | None:
        """The rollout checked with the content (None for a command that reads no content)."""
        _ = self.settings
        return self._rollout

    @cached_property
    def env(self) -> EnvironmentConfig:
        """The environment `--env` names (a ConfigError when none is configured by that name)."""
        if self.env_name is None:
            raise click.UsageError("this command needs --env")
        return self.settings.environment(self.env_name)

    @cached_property
    def targets(self) -> list[Target]:
        """Every site of the environment (or only `--site`); without `--env`, of every one."""
        if self.env_name is None:
            return resolve_targets(self.settings, None, self.site)
        return environment_targets(self.env, self.site)

    @property
    def target(self) -> Target:
        """The one target of a command that works on one site: `--site`, else the first."""
        return self.targets[0]


def target_options(
    *,
    env_help: str = "Environment.",
    env_default: str | None = None,
    env_required: bool = False,
    site_help: str | None = EVERY_SITE,
    site_after: str | None = None,
    content: bool = False,
) -> Callable[[F], F]:
    """Declare `--env` (and `--site`, unless `site_help` is None) for a command, and hand it
    a :class:`Scope` as `scope` in place of the two values.

    Goes right under `@click.command`: the options are listed first, as every command has
    always listed them (`site_after` names the option `--site` follows instead). `content`
    checks the content and reads the rollout once, as :func:`content_settings`.
    """

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def with_scope(*args: Any, **kwargs: Any) -> Any:
            env_name = kwargs.pop("env_name")
            site = kwargs.pop("site", None)
            ctx = click.get_current_context()
            kwargs["scope"] = Scope(ctx, env_name, site, content=content)
            return f(*args, **kwargs)

        decorated: Any = with_scope
        if site_help is not None:
            decorated = click.option("--site", help=site_help)(decorated)
        env_attrs: dict[str, Any] = {"help": env_help}
        if env_default is not None:
            env_attrs.update(default=env_default, show_default=True)
        if env_required:
            env_attrs["required"] = True
        decorated = click.option("--env", "env_name", **env_attrs)(decorated)
        if site_help is not None and site_after is not None:
            _move_site_after(decorated.__click_params__, site_after)
        return cast(F, decorated)

    return decorate


def _move_site_after(params: list[click.Parameter], name: str) -> None:
    """Show `--site` after option `name` (click keeps declared options in reverse order)."""
    shown = list(reversed(params))
    site = next(p for p in shown if p.name == "site")
    shown.remove(site)
    shown.insert(next(i for i, p in enumerate(shown) if p.name == name) + 1, site)
    params[:] = reversed(shown)


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
