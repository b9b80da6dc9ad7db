"""A synchronous httpx transport that calls the sandbox app in-process.

``httpx.ASGITransport`` is async only, so a plain ``httpx.Client`` cannot use it. This
transport runs one event loop in a daemon thread and hands each request to it, so any number
of client threads can share one app (and one SQLite store) without a port:

    transport = sandbox.transport()
    client = httpx.Client(base_url=IN_PROCESS_BASE_URL, transport=transport, timeout=10)

It behaves like the network where it matters to a client: the request's read timeout is
enforced (``httpx.ReadTimeout``, and the server-side work is cancelled), and an injected reset
surfaces as ``httpx.ReadError``. Exceptions escaping the app otherwise (bugs) are re-raised.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any

import httpx
from starlette.types import ASGIApp

from pipeline.sandbox.faults import SandboxConnectionReset

IN_PROCESS_BASE_URL = "http://sandbox.invalid/api/v1"


class InProcessTransport(httpx.BaseTransport):
    """Thread-safe sync transport to an ASGI app running on a private event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="kbsync-sandbox-inprocess", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        read_timeout = timeouts.get("read")
        future = asyncio.run_coroutine_threadsafe(
            self._call(request.method, request.url, request.headers, body), self._running_loop()
        )
        try:
            status, headers, content = future.result(timeout=read_timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("timed out waiting for the sandbox", request=request) from None
        except SandboxConnectionReset as exc:
            raise httpx.ReadError(
                f"connection reset by the sandbox: {exc}", request=request
            ) from exc
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(
        self, method: str, url: httpx.URL, headers: httpx.Headers, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        forwarded = httpx.Request(method, url, headers=headers, stream=httpx.ByteStream(body))
        response = await self._asgi.handle_async_request(forwarded)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            try:
                asyncio.run_coroutine_threadsafe(_cancel_pending(), loop).result(timeout=5)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=5)
                loop.close()


async def _cancel_pending() -> None:
    """Cancel requests still running (e.g. hanging on an injected timeout) before stopping."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
