"""Serving the sandbox on a real port with uvicorn, in the foreground or in a thread.

An injected ``reset`` must look like a dropped connection to the client, not like a 500.
uvicorn answers 500 for an exception that escapes the app before a response starts, so the
sandbox runs uvicorn's h11 protocol with one addition: each request task knows its connection's
transport (a context variable set while uvicorn creates the task). When the app raises
:class:`SandboxConnectionReset`, the wrapper aborts that transport with SO_LINGER 0, so the
client sees a TCP reset (``httpx.ReadError`` / ``RemoteProtocolError``) and no response.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from pipeline.errors import UsageError
from pipeline.sandbox.endpoints import API_PREFIX
from pipeline.sandbox.faults import SandboxConnectionReset

if TYPE_CHECKING:
    from pipeline.sandbox.sandbox import Sandbox

logger = logging.getLogger(__name__)

_CONNECTION: contextvars.ContextVar[asyncio.Transport | None] = contextvars.ContextVar(
    "kbsync_sandbox_connection", default=None
)


class _ResettableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, exposing the connection to the request task it starts."""

    def handle_events(self) -> None:
        token = _CONNECTION.set(self.transport)
        try:
            super().handle_events()
        finally:
            _CONNECTION.reset(token)


class _ResetOnSignal:
    """ASGI wrapper turning :class:`SandboxConnectionReset` into a real TCP reset."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except SandboxConnectionReset:
            transport = _CONNECTION.get()
            if transport is None:
                raise
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            # Wait for uvicorn to notice the loss, so it does not try to answer with a 500.
            while (await receive())["type"] != "http.disconnect":
                pass


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int, *, allow_remote: bool = False) -> socket.socket:
    """A listening socket; :class:`UsageError` for a non-loopback host or a busy port."""
    if not allow_remote and not is_loopback(host):
        raise UsageError(
            f"refusing to listen on {host}: the sandbox is for this machine only",
            hint="use --host 127.0.0.1, or pass --allow-remote if you really mean it",
        )
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve --host {host}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(
        family, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )  # lets asyncio set TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="pick another --port (0 picks a free one)",
        ) from None
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{API_PREFIX}"


def _server(sandbox: Sandbox) -> uvicorn.Server:
    config = uvicorn.Config(
        _ResetOnSignal(sandbox.app),
        http=_ResettableH11Protocol,
        lifespan="off",
        log_config=None,  # leave the host's logging alone; uvicorn's loggers propagate to it
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def serve_forever(sandbox: Sandbox, sock: socket.socket) -> None:
    """Serve on a bound socket until interrupted (Ctrl-C)."""
    _server(sandbox).run(sockets=[sock])


@contextmanager
def run_on_port(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `sandbox` from a background thread; yields the base URL (``…/api/v1``).

    Port 0 picks a free port. Leaving the block stops the server and joins the thread.
    """
    sock = bind(host, port)
    server = _server(sandbox)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="kbsync-sandbox", daemon=True
    )
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the sandbox server stopped during start-up")
            time.sleep(0.01)
        yield base_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
