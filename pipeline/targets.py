"""Targets: the (environment, site) pairs kbsync works on, and resolving `--env`/`--site`.

A target is the unit of sync, smoke, eval and the promotion gate: each has its own state. It
belongs to the model (it imports only the configuration and the error tree) because sync, ops
and the CLI all need it, and `kbsync chat` or `kbsync targets` must not depend on sync for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config import EnvironmentConfig, Settings
from pipeline.errors import UsageError


@dataclass(frozen=True)
class Target:
    """One (environment, site) pair: the unit of work, with its own state."""

    environment: str
    site: str
    tenant: str = ""

    @property
    def key(self) -> str:
        return f"{self.environment}/{self.site}"


def environment_targets(env: EnvironmentConfig, site: str | None = None) -> list[Target]:
    """Every site of `env` as a target (sorted by site id), or only `site` (a UsageError when
    `env` has no such site)."""
    sites = sorted(env.sites)
    if site is not None:
        if site not in env.sites:
            raise UsageError(
                f"environment {env.name!r} has no site {site!r} (sites: {', '.join(sites)})"
            )
        sites = [site]
    return [Target(environment=env.name, site=s, tenant=env.tenant_id) for s in sites]


def resolve_targets(
    settings: Settings, env_name: str | None = None, site: str | None = None
) -> list[Target]:
    """Every (environment, site) pair, or those of one environment / one site."""
    names = [env_name] if env_name else sorted(settings.environments)
    out: list[Target] = []
    for name in names:
        out.extend(environment_targets(settings.environment(name), site))
    return out
