"""Build the Uppzy client for an environment: the real service, or the in-process sandbox.

This wiring lives in the CLI because it is the one layer allowed to know both the client
(`pipeline.api`) and the sandbox (`pipeline.sandbox`), which must not know each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.api import UppzyClient
from pipeline.api.telemetry import Metrics
from pipeline.config import EnvironmentConfig, Settings
from pipeline.sandbox import Sandbox, Scope


@contextmanager
def open_client(
    settings: Settings, env: EnvironmentConfig, metrics: Metrics | None = None
) -> Iterator[UppzyClient]:
    """A client for `env`, closed (with its sandbox, for `local`) on exit."""
    if env.is_sandbox:
        db = settings.root / env.sandbox_db
        db.parent.mkdir(parents=True, exist_ok=True)
        scope = Scope(
            tenant_id=env.tenant_id,
            site_ids=tuple(env.sites),
            site_names={sid: site.name or sid for sid, site in env.sites.items()},
        )
        with Sandbox(
            db,
            open_scope=scope,
            faults=env.sandbox_faults,
            seed=env.sandbox_seed,
            ready_delay=env.sandbox_ready_delay,
            async_delay=env.sandbox_async_delay,
            dialect=env.sandbox_dialect,
            status_words=env.api.status_words,
        ) as sandbox:
            client = UppzyClient.for_environment(
                env, transport=sandbox.transport(), metrics=metrics
            )
            try:
                yield client
            finally:
                client.close()
        return
    client = UppzyClient.for_environment(env, metrics=metrics)
    try:
        yield client
    finally:
        client.close()
