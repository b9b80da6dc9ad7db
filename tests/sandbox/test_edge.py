"""Faults and limits as a client sees them, in-process and on a real port.

Resets and timeouts strike before the work (nothing written) or after it (written, answer
lost); the document listing shows which, as it would against the real service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from pipeline.sandbox import (
    IN_PROCESS_BASE_URL,
    KeyRing,
    Sandbox,
    SandboxConnectionReset,
    run_on_port,
)
from pipeline.sandbox.faults import FaultKind, When

TEXT = "/m2m/sites/s_help/documents/text"
HEADERS = {"X-API-Key": "key-acme"}

Connect = Callable[[float], httpx.Client]


@pytest.fixture(params=["in-process", "port"])
def connect(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Connect]:
    """A client factory (argument: read timeout) for each way of reaching the sandbox."""
    clients: list[httpx.Client] = []
    if request.param == "port":
        with run_on_port(sandbox) as url:

            def on_port(timeout: float = 5.0) -> httpx.Client:
                client = httpx.Client(base_url=url, headers=HEADERS, timeout=timeout)
                clients.append(client)
                return client

            yield on_port
    else:
        transport = sandbox.transport()

        def in_process(timeout: float = 5.0) -> httpx.Client:
            client = httpx.Client(
                base_url=IN_PROCESS_BASE_URL, transport=transport, headers=HEADERS, timeout=timeout
            )
            clients.append(client)
            return client

        yield in_process
    for client in clients:
        client.close()


def _titles(sandbox: Sandbox) -> list[str]:
    return [d["title"] for d in sandbox.documents("s_help")]


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_reset_is_a_transport_error_and_after_the_work_the_document_exists(
    connect: Connect, sandbox: Sandbox, when: When, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.faults.script("reset", when=when, operation="createTextDocument")
    with caplog.at_level(logging.ERROR), pytest.raises(httpx.TransportError):
        connect(5.0).post(TEXT, json={"title": "Reset", "content": "x"})
    assert _titles(sandbox) == ([] if when == "before" else ["Reset"])
    [entry] = sandbox.request_log(operation="createTextDocument")
    assert (entry.status, entry.fault, entry.fault_when, entry.handled) == (
        None,
        "reset",
        when,
        when == "after",
    )
    assert "Exception in ASGI application" not in caplog.text
    # The next request is served normally.
    assert connect(5.0).get("/m2m/sites/s_help").status_code == 200


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_timeout_fires_the_clients_read_timeout(
    connect: Connect, sandbox: Sandbox, when: When
) -> None:
    sandbox.faults.script("timeout", when=when, operation="createTextDocument")
    with pytest.raises(httpx.ReadTimeout):
        connect(0.2).post(TEXT, json={"title": "Slow", "content": "x"})
    assert _titles(sandbox) == ([] if when == "before" else ["Slow"])
    assert connect(5.0).get("/m2m/sites/s_help").status_code == 200


def test_a_timeout_answers_504_to_a_client_that_waits_longer(keys: KeyRing) -> None:
    with Sandbox(keys=keys, timeout_sleep=0.05) as box, run_on_port(box) as url:
        box.faults.script("timeout", when="after")
        response = httpx.post(url + TEXT, json={"title": "T", "content": "x"}, headers=HEADERS)
        assert (response.status_code, response.json()) == (504, {"error": "gateway timeout"})
        assert _titles(box) == ["T"]


@pytest.mark.parametrize(
    ("kind", "when", "stored"),
    [
        ("503", "before", False),
        ("503", "after", True),
        ("500", "after", True),
        ("429", "before", False),
    ],
)
def test_status_faults_answer_uppzy_errors(
    connect: Connect, sandbox: Sandbox, kind: FaultKind, when: When, stored: bool
) -> None:
    sandbox.faults.script(kind, when=when)
    response = connect(5.0).post(TEXT, json={"title": "S", "content": "x"})
    messages = {
        "429": "rate limit exceeded",
        "500": "internal server error",
        "503": "service unavailable",
    }
    assert (response.status_code, response.json()) == (int(kind), {"error": messages[kind]})
    assert "retry-after" not in response.headers
    assert _titles(sandbox) == (["S"] if stored else [])


def test_429s_carry_retry_after_when_configured(connect: Connect, sandbox: Sandbox) -> None:
    sandbox.set_faults("429=1,retry_after=1.5")
    response = connect(5.0).get("/m2m/sites/s_help")
    assert (response.status_code, response.headers["retry-after"]) == (429, "2")
    sandbox.set_faults(None)
    sandbox.faults.script("429", retry_after=7)
    response = connect(5.0).get("/m2m/sites/s_help")
    assert (response.status_code, response.headers["retry-after"]) == (429, "7")


def test_faults_change_at_runtime_and_spare_the_openapi_document(
    connect: Connect, sandbox: Sandbox
) -> None:
    client = connect(5.0)
    assert client.get("/m2m/sites/s_help").status_code == 200
    sandbox.set_faults("503=1")
    assert client.get("/m2m/sites/s_help").status_code == 503
    assert client.get("/openapi.json").status_code == 200
    sandbox.set_faults(None)
    assert client.get("/m2m/sites/s_help").status_code == 200


def test_scripted_faults_give_exact_attempt_counts(connect: Connect, sandbox: Sandbox) -> None:
    sandbox.faults.script("502", times=2, operation="createTextDocument")
    client = connect(5.0)
    statuses = [
        client.post(TEXT, json={"title": f"D{n}", "content": "x"}).status_code for n in range(3)
    ]
    assert statuses == [502, 502, 201]
    log = sandbox.request_log(operation="createTextDocument")
    assert [(e.status, e.fault) for e in log] == [(502, "502"), (502, "502"), (201, None)]
    assert _titles(sandbox) == ["D2"]


def _outcomes(sandbox: Sandbox, count: int) -> list[str]:
    client = httpx.Client(
        base_url=IN_PROCESS_BASE_URL, transport=sandbox.transport(), headers=HEADERS, timeout=5
    )
    outcomes = []
    for n in range(count):
        try:
            response = client.post(TEXT, json={"title": f"D{n}", "content": "x"})
            outcomes.append(str(response.status_code))
        except httpx.TransportError as exc:
            outcomes.append(type(exc).__name__)
    return outcomes


def test_random_faults_over_http_repeat_with_the_seed(keys: KeyRing) -> None:
    spec = "429=0.15,500=0.1,503=0.1,reset=0.15"
    runs = []
    for seed in (5, 5, 6):
        with Sandbox(keys=keys, faults=spec, seed=seed) as box:
            runs.append((_outcomes(box, 60), _titles(box)))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    outcomes = runs[0][0]
    assert {"201", "429", "500", "503", "ReadError"} <= set(outcomes)


def test_latency_delays_each_request(sandbox: Sandbox) -> None:
    sandbox.set_faults("latency=30ms")
    client = httpx.Client(
        base_url=IN_PROCESS_BASE_URL, transport=sandbox.transport(), headers=HEADERS
    )
    assert client.get("/m2m/sites/s_help").status_code == 200
    assert sandbox.request_log()[-1].duration >= 0.03


def test_many_threads_share_one_sandbox(connect: Connect, sandbox: Sandbox) -> None:
    client = connect(10.0)

    def create(n: int) -> int:
        return client.post(TEXT, json={"title": f"T{n}", "content": "x"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(40)))
    assert statuses == [201] * 40
    assert sorted(_titles(sandbox)) == sorted(f"T{n}" for n in range(40))
    assert len(sandbox.request_log(operation="createTextDocument")) == 40


def test_a_large_body_on_a_port_gets_its_413(sandbox: Sandbox) -> None:
    with run_on_port(sandbox) as url:
        response = httpx.post(
            url + TEXT, json={"title": "Big", "content": "x" * (3 * 1024 * 1024)}, headers=HEADERS
        )
    assert (response.status_code, response.json()) == (413, {"error": "payload too large"})


def test_the_async_asgi_transport_works_and_surfaces_resets(sandbox: Sandbox) -> None:
    async def scenario() -> tuple[int, bool]:
        transport = httpx.ASGITransport(app=sandbox.app)
        async with httpx.AsyncClient(
            transport=transport, base_url=IN_PROCESS_BASE_URL, headers=HEADERS
        ) as client:
            created = await client.post(TEXT, json={"title": "Async", "content": "x"})
            sandbox.faults.script("reset", when="after")
            try:
                await client.post(TEXT, json={"title": "Reset", "content": "x"})
            except SandboxConnectionReset:
                return created.status_code, True
            return created.status_code, False

    assert asyncio.run(scenario()) == (201, True)
    assert _titles(sandbox) == ["Async", "Reset"]
