"""The sandbox as one object: storage, keys, faults, timing, the ASGI app and test helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from starlette.types import ASGIApp

from pipeline.asgi_bridge import SyncASGITransport
from pipeline.sandbox.access import Context, Settings
from pipeline.sandbox.app import build_api
from pipeline.sandbox.dialect import Dialect
from pipeline.sandbox.documents import document_json
from pipeline.sandbox.edge import DEFAULT_MAX_BODY_BYTES, Edge, LoggedRequest, RequestLog
from pipeline.sandbox.endpoints import operation_of
from pipeline.sandbox.faults import FaultInjector, FaultSpec
from pipeline.sandbox.keys import KeyRing, Scope
from pipeline.sandbox.ratelimit import RateLimit, RateLimiter, parse_rate_limit
from pipeline.sandbox.store import Store
from pipeline.sandbox.transport import IN_PROCESS_BASE_URL, in_process_transport


class Sandbox:
    """A local Uppzy M2M API: ``.app`` is the ASGI app, served in-process or on a port.

    `db_path` None keeps everything in memory. `keys` are the API keys it accepts; with
    `open_scope` a request *without* an ``X-API-Key`` header acts as that scope (the embedded
    `local` environment); keep it None for anything reachable from outside the process.
    `clock` (epoch seconds) drives readiness and async completion, so tests can move time.
    `dialect` (`page`, `offset`, `cursor`) and `status_words` (e.g. ``{"active":
    "published", "draft": "inactive"}``) choose how it answers where Uppzy's docs are silent
    (:mod:`pipeline.sandbox.dialect`); `rate_limit` (``"120/60s"``) announces and enforces a
    limit with ``X-RateLimit-*`` headers.
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
        dialect: str = "page",
        status_words: Mapping[str, str] | None = None,
        rate_limit: RateLimit | str | None = None,
    ) -> None:
        self.keys = keys or KeyRing()
        self.open_scope = open_scope
        self.store = Store(db_path)
        for scope in self.keys.scopes() + ([open_scope] if open_scope else []):
            self.store.ensure_scope(scope)
        self.faults = FaultInjector(faults, seed)
        self.dialect = Dialect(dialect, dict(status_words or {}))
        self.settings = Settings(
            ready_delay=ready_delay, async_delay=async_delay, dialect=self.dialect
        )
        limit = parse_rate_limit(rate_limit) if isinstance(rate_limit, str) else rate_limit
        self.rate_limiter = None if limit is None else RateLimiter(limit)
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
            rate_limiter=self.rate_limiter,
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

    def documents(self, site_id: str, *, wire: bool = False) -> list[dict[str, Any]]:
        """Every document of a site as the API shows it (with `ready` as of now).

        Statuses are the stored `active`/`draft` whatever the dialect, so tests compare the
        same words in every dialect; `wire` gives them in the dialect's words instead.
        """
        documents, _ = self.store.documents(site_id)
        now = self.clock()
        dialect = self.dialect if wire else None
        return [document_json(d, now, self.settings.ready_delay, dialect) for d in documents]


def create_app(db_path: Path | str | None = None, **options: Any) -> ASGIApp:
    """Just the ASGI app of a new :class:`Sandbox` (same options), e.g. for ``httpx.ASGITransport``."""
    return Sandbox(db_path, **options).app
