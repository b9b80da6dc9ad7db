"""The sandbox as one object: storage, keys, faults, timing, the ASGI app and test helpers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from starlette.types import ASGIApp

from pipeline.asgi_bridge import SyncASGITransport
from pipeline.sandbox.access import Context, Settings
from pipeline.sandbox.app import build_api
from pipeline.sandbox.documents import document_json
from pipeline.sandbox.edge import DEFAULT_MAX_BODY_BYTES, Edge, LoggedRequest, RequestLog
from pipeline.sandbox.endpoints import operation_of
from pipeline.sandbox.faults import FaultInjector, FaultSpec
from pipeline.sandbox.keys import KeyRing, Scope
from pipeline.sandbox.store import Store
from pipeline.sandbox.transport import IN_PROCESS_BASE_URL, in_process_transport


class Sandbox:
    """A local Uppzy M2M API: ``.app`` is the ASGI app, served in-process or on a port.

    `db_path` None keeps everything in memory. `keys` are the API keys it accepts; with
    `open_scope` a request *without* an ``X-API-Key`` header acts as that scope (the embedded
    `local` environment); keep it None for anything reachable from outside the process.
    `clock` (epoch seconds) drives readiness and async completion, so tests can move time.
    """

    base_url_in_process = IN_PROCESS_BASE_URL

    def __init__(
        self,
        db_path: Path | str | None = None,
        *,
        keys: KeyRing | None = None,
        open_scope: Scope | None = None,
        faults: FaultSpec | str | None = None,
        seed: int | None = None,
        ready_delay: float = 0.5,
        async_delay: float = 1.0,
        timeout_sleep: float = 30.0,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = keys or KeyRing()
        self.open_scope = open_scope
        self.store = Store(db_path)
        for scope in self.keys.scopes() + ([open_scope] if open_scope else []):
            self.store.ensure_scope(scope)
        self.faults = FaultInjector(faults, seed)
        self.settings = Settings(ready_delay=ready_delay, async_delay=async_delay)
        self.clock = clock
        self.log = RequestLog()
        context = Context(self.store, self.keys, open_scope, self.faults, self.settings, clock)
        self.api = build_api(context)
        self.app: ASGIApp = Edge(
            self.api,
            faults=self.faults,
            log=self.log,
            operation_of=operation_of,
            max_body_bytes=max_body_bytes,
            timeout_sleep=timeout_sleep,
        )
        self._transports: list[SyncASGITransport] = []

    # -- serving -----------------------------------------------------------------------------

    def transport(self) -> SyncASGITransport:
        """A sync httpx transport calling this sandbox in-process (thread-safe, shareable)."""
        transport = in_process_transport(self.app)
        self._transports.append(transport)
        return transport

    def close(self) -> None:
        for transport in self._transports:
            transport.close()
        self._transports.clear()
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- faults ------------------------------------------------------------------------------

    def set_faults(self, spec: FaultSpec | str | None, seed: int | None = None) -> None:
        """Replace the random faults at runtime (restarting the seeded sequence)."""
        self.faults.set(spec, seed)

    # -- inspection (for tests and drills; not part of the HTTP API) -------------------------

    def request_log(
        self, *, operation: str | None = None, method: str | None = None
    ) -> list[LoggedRequest]:
        """Requests served so far, oldest first, optionally only one operationId or method."""
        return self.log.entries(operation=operation, method=method)

    def clear_request_log(self) -> None:
        self.log.clear()

    def documents(self, site_id: str) -> list[dict[str, Any]]:
        """Every document of a site as the API shows it (with `ready` as of now)."""
        documents, _ = self.store.documents(site_id)
        now = self.clock()
        return [document_json(d, now, self.settings.ready_delay) for d in documents]


def create_app(db_path: Path | str | None = None, **options: Any) -> ASGIApp:
    """Just the ASGI app of a new :class:`Sandbox` (same options), e.g. for ``httpx.ASGITransport``."""
    return Sandbox(db_path, **options).app
