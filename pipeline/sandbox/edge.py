"""The sandbox's network edge: body limit, injected faults and the request log.

It wraps the API app as outer ASGI middleware. Per request it buffers the body (over the limit
→ 413 before anything else), asks the :class:`FaultInjector` for a decision, then either fails
*before* the work (no handler runs, nothing is written) or runs the handler with its response
captured and, for an *after* fault, throws the response away and fails instead, the way a
request that committed and then lost its answer behaves on a real network.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.sandbox.endpoints import OPENAPI_PATH
from pipeline.sandbox.faults import Fault, FaultInjector, SandboxConnectionReset
from pipeline.sandbox.ratelimit import RateLimiter

DEFAULT_MAX_BODY_BYTES = 1024 * 1024

logger = logging.getLogger(__name__)

_FAULT_ERRORS = {
    "429": "rate limit exceeded",
    "500": "internal server error",
    "502": "bad gateway",
    "503": "service unavailable",
    "504": "gateway timeout",
}


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the sandbox saw it.

    `status` is None when no response was sent (an injected reset, or a timeout whose client
    gave up). `handled` says whether the API handler ran to the end (its writes committed).
    """

    seq: int
    method: str
    path: str
    operation: str | None
    status: int | None
    fault: str | None
    fault_when: str | None
    handled: bool
    started_at: float
    duration: float


@dataclass
class RequestLog:
    """The requests served so far, in arrival order; thread-safe; keeps the last `limit`."""

    limit: int = 100_000
    _entries: list[LoggedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            bisect.insort(self._entries, entry, key=lambda item: item.seq)
            if len(self._entries) > self.limit:
                del self._entries[: len(self._entries) - self.limit]

    def entries(
        self, *, operation: str | None = None, method: str | None = None
    ) -> list[LoggedRequest]:
        with self._lock:
            return [
                entry
                for entry in self._entries
                if (operation is None or entry.operation == operation)
                and (method is None or entry.method == method.upper())
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Edge:
    """ASGI middleware: body limit, fault injection and request logging around the API app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultInjector,
        log: RequestLog,
        operation_of: Callable[[str, str], str | None],
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        timeout_sleep: float = 30.0,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.rate_limiter = rate_limiter
        self.app = app
        self.faults = faults
        self.log = log
        self.operation_of = operation_of
        self.max_body_bytes = max_body_bytes
        self.timeout_sleep = timeout_sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        record = _Record(self.log.next_seq(), method, path, self.operation_of(method, path))
        logged = False

        def log_once() -> None:
            nonlocal logged
            if not logged:
                logged = True
                self.log.add(record.finish())

        async def send_logged(message: Message) -> None:
            # Log before the last byte goes out: a client that has its answer must find the
            # request in the log (tests count attempts right after a call returns).
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                log_once()
            await send(message)

        try:
            await self._serve(scope, receive, send_logged, record)
        finally:
            log_once()

    async def _serve(self, scope: Scope, receive: Receive, send: Send, record: _Record) -> None:
        body = await _read_body(scope, receive, self.max_body_bytes)
        if body is None:
            record.status = 413
            await _send_json(send, 413, {"error": "payload too large"})
            return
        if record.path == OPENAPI_PATH:
            await self._handle(scope, body, receive, send, record)
            return
        if self.rate_limiter is not None:
            verdict = self.rate_limiter.take()
            if not verdict.allowed:
                record.status = 429
                headers = {**verdict.headers, "Retry-After": str(math.ceil(verdict.retry_after))}
                await _send_json(send, 429, {"error": _FAULT_ERRORS["429"]}, headers)
                return
            send = _with_headers(send, verdict.headers)
        decision = self.faults.decide(record.method, record.path, record.operation)
        if decision.latency > 0:
            await asyncio.sleep(decision.latency)
        fault = decision.fault
        if fault is None:
            await self._handle(scope, body, receive, send, record)
            return
        record.fault, record.fault_when = fault.kind, fault.when
        # Paths may hold personal data (users/{email}/...): log the operation, not the path.
        logger.debug(
            "injecting %s %s the work into %s %s",
            fault.kind,
            fault.when,
            record.method,
            record.operation or "(unrouted request)",
        )
        if fault.when == "before":
            await self._fail(fault, receive, send, record)
            return
        await self._handle(scope, body, receive, _discard, record)
        record.status = None
        await self._fail(fault, receive, send, record)

    async def _handle(
        self, scope: Scope, body: bytes, receive: Receive, send: Send, record: _Record
    ) -> None:
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def track(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                record.handled = True  # the app has produced its whole answer
            await send(message)

        await self.app(scope, replay, track)
        record.handled = True

    async def _fail(self, fault: Fault, receive: Receive, send: Send, record: _Record) -> None:
        if fault.kind == "reset":
            record.status = None
            raise SandboxConnectionReset(f"injected reset ({fault.when} the work)")
        if fault.kind == "timeout":
            if await _client_left(receive, self.timeout_sleep):
                record.status = None
                return
            fault = Fault("504", fault.when, fault.scripted)
        headers: dict[str, str] = {}
        retry_after = (
            fault.retry_after if fault.retry_after is not None else self.faults.retry_after
        )
        if fault.kind == "429" and retry_after is not None:
            headers["Retry-After"] = str(math.ceil(retry_after))
        record.status = int(fault.kind)
        await _send_json(send, int(fault.kind), {"error": _FAULT_ERRORS[fault.kind]}, headers)


@dataclass
class _Record:
    seq: int
    method: str
    path: str
    operation: str | None
    status: int | None = None
    fault: str | None = None
    fault_when: str | None = None
    handled: bool = False
    started_at: float = field(default_factory=time.time)
    _start: float = field(default_factory=time.perf_counter)

    def finish(self) -> LoggedRequest:
        return LoggedRequest(
            seq=self.seq,
            method=self.method,
            path=self.path,
            operation=self.operation,
            status=self.status,
            fault=self.fault,
            fault_when=self.fault_when,
            handled=self.handled,
            started_at=self.started_at,
            duration=time.perf_counter() - self._start,
        )


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    """`send`, adding `headers` to the response's start."""
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


async def _discard(message: Message) -> None:
    """Send target for a response an after-the-work fault throws away."""


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None if it is over `limit` bytes.

    An oversized body is still read to its end (and dropped), so the client gets its 413
    instead of a broken pipe while it is still sending.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return None if size > limit else b"".join(chunks)


async def _client_left(receive: Receive, seconds: float) -> bool:
    """Hang for up to `seconds`; True as soon as the client disconnects."""
    try:
        async with asyncio.timeout(seconds):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        return False
    return True


async def _send_json(
    send: Send, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(payload).encode("utf-8")
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})
