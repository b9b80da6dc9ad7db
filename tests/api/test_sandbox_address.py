"""The in-process sandbox has one address, known to the client and to the sandbox alike.

It used to have two (`sandbox.kbsync.invalid` in the client, `sandbox.invalid` in the sandbox):
a client a test or a tool built on the sandbox's own address then named it "Uppzy" in errors.
"""

from __future__ import annotations

import httpx
import pytest

from pipeline.api import UppzyClient
from pipeline.api.errors import TransportError
from pipeline.config import SANDBOX_URL, EnvironmentConfig, HttpConfig
from pipeline.sandbox import IN_PROCESS_BASE_URL, Sandbox

ONE_ATTEMPT = HttpConfig(max_attempts=1, total_timeout=5.0)


def test_a_sandbox_environment_is_addressed_where_the_sandbox_says_it_answers() -> None:
    env = EnvironmentConfig(name="local", base_url=SANDBOX_URL, tenant_id="t_local")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "t_local"})

    with UppzyClient.for_environment(env, transport=httpx.MockTransport(handler)) as client:
        client.tenant()
    assert Sandbox.base_url_in_process == IN_PROCESS_BASE_URL
    assert str(seen[0].url) == f"{Sandbox.base_url_in_process}/m2m/tenants/t_local"


def test_a_client_on_the_sandbox_address_names_the_sandbox_when_it_fails() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with (
        UppzyClient(
            base_url=Sandbox.base_url_in_process,
            tenant_id="t_local",
            api_key=None,
            http=ONE_ATTEMPT,
            transport=httpx.MockTransport(refuse),
        ) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.tenant()
    assert str(caught.value) == "could not connect to the in-process sandbox (tenant): refused"
