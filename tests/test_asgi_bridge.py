"""SyncASGITransport: a sync httpx transport in front of an ASGI app, as a server would behave."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from pipeline.asgi_bridge import SyncASGITransport


class App:
    """A tiny raw ASGI app whose behaviour each path selects."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.events: list[str] = []
        self.finished: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.events.append("startup")
                    await send({"type": "lifespan.startup.complete"})
                else:
                    self.events.append("shutdown")
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope["path"]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if path == "/echo":
            payload = {
                "method": scope["method"],
                "path": path,
                "query": scope["query_string"].decode(),
                "body": body.decode(),
                "header": dict(scope["headers"]).get(b"x-test", b"").decode(),
            }
            await _respond(send, 200, json.dumps(payload).encode())
        elif path == "/concurrent":
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            await asyncio.sleep(0.05)
            self.in_flight -= 1
            await _respond(send, 200, b"ok")
        elif path == "/slow":
            await asyncio.sleep(0.3)
            self.finished.append("slow")
            await _respond(send, 200, b"late")
        elif path == "/hang":
            message = await receive()
            self.finished.append(message["type"])
        elif path == "/reset":
            raise ConnectionResetError("peer reset")
        elif path == "/silent":
            return
        elif path == "/half":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"par", "more_body": True})
        elif path == "/bug":
            raise ValueError("a bug in the app")
        elif path == "/after":
            await _respond(send, 201, b"done")
            raise RuntimeError("raised after answering")
        elif path == "/chunked":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for part in (b"a", b"b", b"c"):
                await send({"type": "http.response.body", "body": part, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"x-served", b"yes")],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def app() -> App:
    return App()


@pytest.fixture
def client(app: App) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=SyncASGITransport(app), base_url="http://app.invalid", timeout=5
    ) as http:
        yield http


def test_a_request_reaches_the_app_with_method_path_query_body_and_headers(
    client: httpx.Client,
) -> None:
    response = client.post("/echo?a=1", content=b"hello", headers={"X-Test": "yes"})
    assert response.status_code == 200
    assert response.headers["x-served"] == "yes"
    assert response.json() == {
        "method": "POST",
        "path": "/echo",
        "query": "a=1",
        "body": "hello",
        "header": "yes",
    }


def test_a_streamed_response_is_joined(client: httpx.Client) -> None:
    assert client.get("/chunked").content == b"abc"


def test_many_threads_share_one_transport_and_are_served_concurrently(
    client: httpx.Client, app: App
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: client.get("/concurrent").status_code, range(32)))
    assert statuses == [200] * 32
    assert app.peak > 1


def test_the_read_timeout_bounds_the_wait_and_the_app_carries_on(
    client: httpx.Client, app: App
) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.get("/slow", timeout=httpx.Timeout(5, read=0.05))
    # Like a server, the app finished its work although the client stopped waiting.
    client.get("/slow")
    assert app.finished == ["slow", "slow"]


def test_a_client_that_gives_up_is_seen_by_the_app_as_a_disconnect(
    client: httpx.Client, app: App
) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.get("/hang", timeout=httpx.Timeout(5, read=0.05))
    for _ in range(200):
        if app.finished:
            break
        time.sleep(0.01)
    assert app.finished == ["http.disconnect"]


def test_an_os_error_in_the_app_is_a_lost_connection(client: httpx.Client) -> None:
    with pytest.raises(httpx.ReadError):
        client.get("/reset")


def test_an_app_that_never_answers_is_a_protocol_error(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="without a response"):
        client.get("/silent")


def test_a_response_cut_short_is_a_protocol_error(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="before the response was complete"):
        client.get("/half")


def test_an_app_bug_before_answering_is_a_500_like_a_server_would_send(
    client: httpx.Client,
) -> None:
    assert client.get("/bug").status_code == 500


def test_app_bugs_can_be_raised_instead(app: App) -> None:
    transport = SyncASGITransport(app, raise_app_exceptions=True)
    with (
        httpx.Client(transport=transport, base_url="http://app.invalid") as http,
        pytest.raises(ValueError, match="a bug"),
    ):
        http.get("/bug")


def test_an_exception_after_a_complete_response_keeps_the_response(client: httpx.Client) -> None:
    response = client.get("/after")
    assert (response.status_code, response.content) == (201, b"done")


def test_lifespan_runs_startup_once_and_shutdown_on_close(app: App) -> None:
    transport = SyncASGITransport(app, lifespan=True)
    http = httpx.Client(transport=transport, base_url="http://app.invalid")
    http.get("/echo")
    http.get("/echo")
    assert app.events == ["startup"]
    http.close()
    assert app.events == ["startup", "shutdown"]


def test_a_closed_transport_starts_again_on_the_next_request(app: App) -> None:
    transport = SyncASGITransport(app)
    with httpx.Client(transport=transport, base_url="http://app.invalid") as http:
        assert http.get("/echo").status_code == 200
    threads_before = {t.name for t in threading.enumerate()}
    assert "kbsync-asgi" not in threads_before
    with httpx.Client(transport=transport, base_url="http://app.invalid") as http:
        assert http.get("/echo").status_code == 200
    transport.close()  # idempotent
