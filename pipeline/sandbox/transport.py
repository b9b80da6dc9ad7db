"""Calling the sandbox in-process, from synchronous code, without a port.

``httpx.ASGITransport`` is async only; :class:`pipeline.asgi_bridge.SyncASGITransport` runs the
app on a private event loop and behaves like a server on a socket (read timeouts enforced, an
injected reset surfacing as ``httpx.ReadError``). In-process, bugs in the sandbox are raised
rather than turned into a 500, so tests see them:

    client = httpx.Client(base_url=IN_PROCESS_BASE_URL, transport=sandbox.transport())
"""

from __future__ import annotations

from starlette.types import ASGIApp

from pipeline.asgi_bridge import SyncASGITransport
from pipeline.config import IN_PROCESS_BASE_URL

__all__ = ["IN_PROCESS_BASE_URL", "in_process_transport"]


def in_process_transport(app: ASGIApp) -> SyncASGITransport:
    """A thread-safe sync transport to `app` that re-raises the app's own exceptions."""
    return SyncASGITransport(app, raise_app_exceptions=True)
