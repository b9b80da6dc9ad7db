"""The client over a real loopback socket: key auth, connect failures, resets, threads."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.api import AuthError, TextDocument, TransportError, UppzyClient
from pipeline.config import EnvironmentConfig, SiteConfig
from pipeline.sandbox import Sandbox
from tests.api.conftest import FAST_HTTP, SITE, TENANT, MakeClient, logged


def test_a_round_trip_with_the_key_from_the_environment(
    make_remote: MakeClient, port_sandbox: tuple[Sandbox, str]
) -> None:
    client = make_remote()
    assert client.limits().documents.limit == 500
    doc = client.create_text_document(SITE, TextDocument("Hours", "9 to 5"))
    assert [d.id for d in client.list_documents(SITE)] == [doc.id]


def test_a_wrong_key_is_401_sent_once(
    port_sandbox: tuple[Sandbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, url = port_sandbox
    monkeypatch.setenv("KBSYNC_OTHER_KEY", "sbx_not-a-key")
    env = EnvironmentConfig(
        name="staging",
        base_url=url,
        tenant_id=TENANT,
        api_key_env="KBSYNC_OTHER_KEY",
        sites={SITE: SiteConfig()},
        http=FAST_HTTP,
    )
    with UppzyClient.for_environment(env) as client, pytest.raises(AuthError) as caught:
        client.limits()
    assert "KBSYNC_OTHER_KEY" in str(caught.value)
    assert "sbx_not-a-key" not in str(caught.value)
    assert logged(sandbox, "getTenantLimits", expect=1) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connect_failures_are_retried_even_for_a_create() -> None:
    with UppzyClient(
        base_url=f"http://127.0.0.1:{closed_port()}/api/v1",
        tenant_id=TENANT,
        api_key="k",
        http=FAST_HTTP,
        environment="staging",
    ) as client:
        with pytest.raises(TransportError) as caught:
            client.create_text_document(SITE, TextDocument("Hours", "9 to 5"))
        error = caught.value
        assert (error.kind, error.uncertain, error.attempts) == ("connect", False, 4)
        assert str(error).startswith("could not connect to Uppzy (create_text_document after 4")
        assert error.hint == "check the network, any proxy and base_url of environment 'staging'"
        (row,) = client.metrics.endpoints()
    assert (row.attempts, row.retries, row.transport_errors, row.failures) == (4, 3, 4, 1)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_real_tcp_reset_is_retried_for_a_read(
    make_remote: MakeClient, port_sandbox: tuple[Sandbox, str], when: str
) -> None:
    sandbox, _ = port_sandbox
    sandbox.faults.script("reset", operation="listDocuments", when=when)  # type: ignore[arg-type]
    assert make_remote().list_documents(SITE) == []
    assert logged(sandbox, "listDocuments", expect=2) == 2


def test_a_real_read_timeout_is_not_retried_for_a_chat(
    make_remote: MakeClient, port_sandbox: tuple[Sandbox, str]
) -> None:
    sandbox, _ = port_sandbox
    client = make_remote(chat_read_timeout=0.25)
    sandbox.faults.script("timeout", operation="chat")
    with pytest.raises(TransportError) as caught:
        client.chat(SITE, "s-1", "hello")
    assert (caught.value.kind, caught.value.uncertain) == ("read_timeout", True)
    assert "http.chat_read_timeout" in str(caught.value.hint)


def test_one_client_serves_many_threads(
    make_remote: MakeClient, port_sandbox: tuple[Sandbox, str]
) -> None:
    sandbox, _ = port_sandbox
    client = make_remote()
    sandbox.set_faults("503=0.1,429=0.05", seed=3)

    def work(number: int) -> str:
        doc = client.create_or_adopt_document(
            SITE, TextDocument(f"Doc {number}", f"Body {number}"), known_ids=set()
        )
        return doc.document.id

    with ThreadPoolExecutor(max_workers=client.concurrency) as pool:
        ids = list(pool.map(work, range(120)))
    sandbox.set_faults(None)
    stored = sandbox.documents(SITE)
    sent = logged(
        sandbox,
        "createTextDocument",
        expect=sum(
            row.attempts for row in client.metrics.endpoints() if row.endpoint.startswith("create")
        ),
    )
    assert len(set(ids)) == 120
    assert sorted(doc["title"] for doc in stored) == sorted(f"Doc {n}" for n in range(120))
    calls = sum(
        row.calls for row in client.metrics.endpoints() if row.endpoint.startswith("create")
    )
    assert calls == sent - sum(
        row.retries for row in client.metrics.endpoints() if row.endpoint.startswith("create")
    )
