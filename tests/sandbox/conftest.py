"""Sandbox tests talk HTTP to a real sandbox: in-process (sync transport) or on a loopback port.

Time is a :class:`FakeClock` the tests move, so readiness and async completion are tested
without sleeping. Keys:

    key-acme      tenant t_acme (level2), sites s_help and s_shop
    key-acme-shop tenant t_acme (level2), site s_shop only
    key-beta      tenant t_beta (level3), site s_beta
    key-basic     tenant t_basic (level1: no API access), site s_basic
    key-tiny      tenant t_tiny (level2, tiny limits), site s_tiny
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pipeline.sandbox import IN_PROCESS_BASE_URL, KeyRing, Sandbox, parse_keys, run_on_port
from tests.sandbox.support import FakeClock

KEYS_DOCUMENT: dict[str, Any] = {
    "keys": {
        "key-acme": {
            "tenant_id": "t_acme",
            "tenant_name": "Acme",
            "site_ids": ["s_help", "s_shop"],
            "site_names": {"s_help": "Help centre"},
            "plan": "level2",
        },
        "key-acme-shop": {"tenant_id": "t_acme", "site_ids": ["s_shop"], "plan": "level2"},
        "key-beta": {"tenant_id": "t_beta", "site_ids": ["s_beta"], "plan": "level3"},
        "key-basic": {"tenant_id": "t_basic", "site_ids": ["s_basic"], "plan": "level1"},
        "key-tiny": {
            "tenant_id": "t_tiny",
            "site_ids": ["s_tiny"],
            "limits": {
                "documents": 2,
                "storage_bytes": 200,
                "messages": 3,
                "max_upload_bytes": 100,
            },
        },
    }
}


@pytest.fixture
def keys() -> KeyRing:
    return parse_keys(KEYS_DOCUMENT)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(keys: KeyRing, clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(keys=keys, clock=clock, seed=1, timeout_sleep=5.0) as box:
        yield box


ClientFactory = Callable[..., httpx.Client]


@pytest.fixture
def connect(sandbox: Sandbox) -> Iterator[ClientFactory]:
    """`connect("key-acme")`: a sync client calling `sandbox` in-process with that key."""
    clients: list[httpx.Client] = []
    transport = sandbox.transport()

    def make(api_key: str | None = "key-acme", timeout: float = 5.0) -> httpx.Client:
        headers = {} if api_key is None else {"X-API-Key": api_key}
        client = httpx.Client(
            base_url=IN_PROCESS_BASE_URL, transport=transport, headers=headers, timeout=timeout
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def acme(connect: ClientFactory) -> httpx.Client:
    return connect("key-acme")


@pytest.fixture
def served(sandbox: Sandbox) -> Iterator[str]:
    """The base URL (…/api/v1) of `sandbox` served on a free loopback port."""
    with run_on_port(sandbox) as url:
        yield url
