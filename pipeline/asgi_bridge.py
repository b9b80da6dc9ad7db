"""A synchronous httpx transport that serves requests from an ASGI app in the same process.

httpx's own `ASGITransport` is async-only, and the client is synchronous (and used from a pool of
threads). :class:`SyncASGITransport` runs the app on a private event loop in a background thread
and bridges each request to it, so any number of threads can call it at once.

It behaves like a server on the other end of a socket, not like a test harness:

- the request's read timeout bounds the wait for the response (`httpx.ReadTimeout`), so an app
  that stalls looks like a slow server, not a hang; the app then receives `http.disconnect`, as
  from a client that hung up, and may finish its work (as a real server would);
- an app that raises `OSError` (say `ConnectionResetError`) before answering surfaces as
  `httpx.ReadError`, and one that returns without answering as `httpx.RemoteProtocolError`, as
  a dropped connection would;
- an app that raises anything else before answering gets a 500, as from uvicorn (pass
  `raise_app_exceptions=True` to see the exception instead); an exception after a complete
  response is logged and the response delivered.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx

ASGIMessage = MutableMapping[str, Any]
ASGIReceive = Callable[[], Awaitable[ASGIMessage]]
ASGISend = Callable[[ASGIMessage], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], ASGIReceive, ASGISend], Awaitable[None]]

log = logging.getLogger("pipeline.asgi_bridge")

_INTERNAL_ERROR = b"Internal Server Error"


class _Dropped(Exception):
    """The app ended the exchange without a complete response."""


class SyncASGITransport(httpx.BaseTransport):
    """Serve httpx requests from `app` on a private event loop (thread-safe, reusable).

    `lifespan=True` runs the app's ASGI lifespan startup before the first request and its
    shutdown on :meth:`close`. After :meth:`close` the transport may be used again: it starts a
    fresh loop on the next request.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 50000),
        lifespan: bool = False,
        raise_app_exceptions: bool = False,
    ) -> None:
        self.app = app
        self.root_path = root_path
        self.client = client
        self.lifespan = lifespan
        self.raise_app_exceptions = raise_app_exceptions
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lifespan_task: concurrent.futures.Future[None] | None = None
        self._lifespan_queue: asyncio.Queue[ASGIMessage] | None = None

    # ------------------------------------------------------------------------------ loop

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                started = threading.Event()
                thread = threading.Thread(
                    target=self._run_loop, args=(loop, started), name="kbsync-asgi", daemon=True
                )
                thread.start()
                started.wait()
                self._loop, self._thread = loop, thread
                if self.lifespan:
                    self._start_lifespan(loop)
            return self._loop

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop, started: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(started.set)
        try:
            loop.run_forever()
        finally:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def close(self) -> None:
        """Shut the app's lifespan down (if started) and stop the loop thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
            if loop is None or thread is None:
                return
            if self._lifespan_queue is not None:
                self._stop_lifespan(loop)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    # -------------------------------------------------------------------------- lifespan

    def _start_lifespan(self, loop: asyncio.AbstractEventLoop) -> None:
        async def make_queue() -> asyncio.Queue[ASGIMessage]:
            return asyncio.Queue()

        receive_queue = asyncio.run_coroutine_threadsafe(make_queue(), loop).result()
        sent: concurrent.futures.Future[ASGIMessage] = concurrent.futures.Future()
        replies: list[ASGIMessage] = []

        async def receive() -> ASGIMessage:
            return await receive_queue.get()

        async def send(message: ASGIMessage) -> None:
            replies.append(message)
            if message["type"].startswith("lifespan.startup.") and not sent.done():
                sent.set_result(message)

        async def run() -> None:
            scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
            try:
                await self.app(scope, receive, send)
            except Exception as exc:  # apps without lifespan support raise here
                if not sent.done():
                    sent.set_exception(exc)

        self._lifespan_task = asyncio.run_coroutine_threadsafe(run(), loop)
        receive_queue_put = receive_queue.put_nowait
        loop.call_soon_threadsafe(receive_queue_put, {"type": "lifespan.startup"})
        reply = sent.result(timeout=30)
        if reply["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"ASGI app failed to start: {reply.get('message', '')}")
        self._lifespan_queue = receive_queue

    def _stop_lifespan(self, loop: asyncio.AbstractEventLoop) -> None:
        queue, task = self._lifespan_queue, self._lifespan_task
        self._lifespan_queue = self._lifespan_task = None
        if queue is None or task is None:
            return
        loop.call_soon_threadsafe(queue.put_nowait, {"type": "lifespan.shutdown"})
        try:
            task.result(timeout=30)
        except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
            log.warning("ASGI app did not finish its lifespan shutdown")

    # -------------------------------------------------------------------------- requests

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        loop = self._running_loop()
        client_gone = _Flag()
        future = asyncio.run_coroutine_threadsafe(self._exchange(request, body, client_gone), loop)
        wait = _response_timeout(request)
        done, _ = concurrent.futures.wait([future], timeout=wait)
        if not done:
            # Like a real client, hang up: the app sees `http.disconnect` and may carry on.
            loop.call_soon_threadsafe(client_gone.set)
            raise httpx.ReadTimeout(f"no response within {wait:g}s", request=request)
        try:
            status, headers, content = future.result()
        except _Dropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None
        except OSError as exc:
            raise httpx.ReadError(
                f"connection lost: {type(exc).__name__}", request=request
            ) from exc
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content))

    async def _exchange(
        self, request: httpx.Request, body: bytes, client_gone: _Flag
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        url = request.url
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "root_path": self.root_path,
            "headers": [(key.lower(), value) for key, value in request.headers.raw],
            "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
            "client": self.client,
            "extensions": {},
        }
        request_sent = False
        response_done = asyncio.Event()
        disconnected = client_gone.bind()
        status: int | None = None
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> ASGIMessage:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def send(message: ASGIMessage) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body" and not response_done.is_set():
                if request.method != "HEAD":
                    chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    response_done.set()
                    disconnected.set()

        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            if response_done.is_set():
                log.exception("ASGI app raised after its response was complete")
            elif self.raise_app_exceptions or isinstance(exc, OSError):
                raise
            elif status is None:
                log.exception("ASGI app raised before responding; answering 500")
                return 500, [(b"content-type", b"text/plain")], _INTERNAL_ERROR
            else:
                log.exception("ASGI app raised in the middle of its response")
                raise _Dropped("the server dropped the connection mid-response") from None
        if status is None:
            raise _Dropped("the server closed the connection without a response")
        if not response_done.is_set():
            raise _Dropped("the server closed the connection before the response was complete")
        return status, headers, b"".join(chunks)


class _Flag:
    """ "The client hung up", settable from the caller's thread before or after the app starts."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self._early = False

    def bind(self) -> asyncio.Event:
        """The event the app's `receive` waits on (created on the loop's thread)."""
        self._event = asyncio.Event()
        if self._early:
            self._event.set()
        return self._event

    def set(self) -> None:
        """Called on the loop's thread (through `call_soon_threadsafe`)."""
        self._early = True
        if self._event is not None:
            self._event.set()


def _response_timeout(request: httpx.Request) -> float | None:
    """How long to wait for the app: the request's read timeout (None waits indefinitely)."""
    timeout = request.extensions.get("timeout") or {}
    read = timeout.get("read")
    return None if read is None else float(read)
