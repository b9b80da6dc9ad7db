"""Fixtures: the sandbox in-process (through SyncASGITransport) and on a real loopback port."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.api import SyncASGITransport, UppzyClient
from pipeline.config import EnvironmentConfig, HttpConfig, SiteConfig
from pipeline.sandbox import Sandbox, Scope, generate_dev_key, run_on_port

SITE = "s_local"
TENANT = "t_local"
KEY_VAR = "KBSYNC_TEST_API_KEY"

# Honest small waits: backoff really happens, just in milliseconds.
FAST_HTTP = HttpConfig(
    connect_timeout=1.0,
    read_timeout=1.0,
    write_timeout=1.0,
    pool_timeout=1.0,
    chat_read_timeout=2.0,
    total_timeout=10.0,
    max_attempts=4,
    backoff_initial=0.005,
    backoff_max=0.02,
    retry_after_cap=0.05,
    concurrency=8,
)

LOCAL_ENV = EnvironmentConfig(
    name="local",
    base_url="sandbox:",
    tenant_id=TENANT,
    sites={SITE: SiteConfig()},
    http=FAST_HTTP,
)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(
        tmp_path / "sandbox.sqlite3",
        open_scope=Scope.local(),
        ready_delay=0.0,
        async_delay=0.05,
        timeout_sleep=5.0,
        seed=1,
    ) as box:
        yield box


MakeClient = Callable[..., UppzyClient]


def logged(sandbox: Sandbox, operation: str, *, expect: int | None = None) -> int:
    """Requests the sandbox logged for `operation` (an OpenAPI operationId).

    The sandbox logs a request after its response went out (or after it noticed the client
    hang up), a moment after the client saw it; with `expect`, wait up to 5 s for that count.
    """
    deadline = time.monotonic() + 5
    while True:
        count = len(sandbox.request_log(operation=operation))
        if expect is None or count >= expect or time.monotonic() > deadline:
            return count
        time.sleep(0.01)


@pytest.fixture
def make_local(sandbox: Sandbox) -> Iterator[MakeClient]:
    """Clients of the `local` environment, in-process; settings overridable per test."""
    clients: list[UppzyClient] = []

    def make(**http: float) -> UppzyClient:
        env = replace(LOCAL_ENV, http=replace(FAST_HTTP, **http))
        client = UppzyClient.for_environment(env, transport=SyncASGITransport(sandbox.app))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def local(make_local: MakeClient) -> UppzyClient:
    return make_local()


@pytest.fixture
def port_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sandbox, str]]:
    """A sandbox with a generated key, served by uvicorn on 127.0.0.1; yields it and its URL."""
    key, ring = generate_dev_key()
    monkeypatch.setenv(KEY_VAR, key)
    with (
        Sandbox(
            tmp_path / "port.sqlite3",
            keys=ring,
            ready_delay=0.0,
            async_delay=0.05,
            timeout_sleep=5.0,
            seed=2,
        ) as box,
        run_on_port(box) as url,
    ):
        yield box, url


@pytest.fixture
def make_remote(port_sandbox: tuple[Sandbox, str]) -> Iterator[MakeClient]:
    """Clients of an environment that reaches the sandbox over a real socket, with a key."""
    _, url = port_sandbox
    clients: list[UppzyClient] = []

    def make(**http: float) -> UppzyClient:
        env = EnvironmentConfig(
            name="staging",
            base_url=url,
            tenant_id=TENANT,
            api_key_env=KEY_VAR,
            sites={SITE: SiteConfig()},
            http=replace(FAST_HTTP, **http),
        )
        client = UppzyClient.for_environment(env)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
