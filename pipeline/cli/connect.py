"""Build the Uppzy client for an environment: the real service, or the in-process sandbox.

:func:`open_client` is the one place the command line turns an environment's configuration
into a client. It lives in the CLI because the CLI is the one layer allowed to know both the
client (`pipeline.api`) and the sandbox (`pipeline.sandbox`), which must not know each other:
here the sandbox is built (for `base_url = "sandbox:"`) and handed to the client as its
transport, and everything else about the environment (URL, key, timeouts, retries, status
words) is mapped onto the client by :meth:`UppzyClient.for_environment` alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from pipeline.api import SyncASGITransport, UppzyClient
from pipeline.api.telemetry import Metrics
from pipeline.config import EnvironmentConfig, Settings
from pipeline.sandbox import Sandbox, Scope


@contextmanager
def open_client(
    settings: Settings, env: EnvironmentConfig, metrics: Metrics | None = None
) -> Iterator[UppzyClient]:
    """A client for `env`, closed (then its sandbox, for a sandbox environment) on exit."""
    with ExitStack() as stack:
        transport: SyncASGITransport | None = None
        if env.is_sandbox:
            transport = stack.enter_context(_sandbox(settings, env)).transport()
        yield stack.enter_context(
            UppzyClient.for_environment(env, transport=transport, metrics=metrics)
        )


def _sandbox(settings: Settings, env: EnvironmentConfig) -> Sandbox:
    """The in-process sandbox serving `env`: its database under the project root, its scope the
    environment's tenant and sites, its behaviour the environment's `sandbox_*` settings."""
    db = settings.root / env.sandbox_db
    db.parent.mkdir(parents=True, exist_ok=True)
    scope = Scope(
        tenant_id=env.tenant_id,
        site_ids=tuple(env.sites),
        site_names={sid: site.name or sid for sid, site in env.sites.items()},
    )
    return Sandbox(
        db,
        open_scope=scope,
        faults=env.sandbox_faults,
        seed=env.sandbox_seed,
        ready_delay=env.sandbox_ready_delay,
        async_delay=env.sandbox_async_delay,
        dialect=env.sandbox_dialect,
        status_words=env.api.status_words,
    )
