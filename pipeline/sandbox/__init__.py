"""The sandbox: a real local server emulating Uppzy's M2M API (API.md), for tests and drills.

It serves every endpoint kbsync uses under ``/api/v1`` over SQLite, with API keys, plan and
scope checks, quotas, document readiness, BM25 chat answers, async requests, feedback,
statistics, seeded fault injection and its own OpenAPI document (``/api/v1/openapi.json``).
The choices it makes where Uppzy's docs are silent are listed in :mod:`pipeline.sandbox.app`;
the fault grammar in :mod:`pipeline.sandbox.faults`.

Public interface::

    Sandbox(db_path=None, *, keys=None, open_scope=None, faults=None, seed=None,
            ready_delay=0.5, async_delay=1.0, timeout_sleep=30.0,
            max_body_bytes=1048576, clock=time.time,
            dialect="page", status_words=None, rate_limit=None)
        .app                    the ASGI app (Starlette inside a fault/limit/log edge)
        .transport()            SyncASGITransport (pipeline.asgi_bridge): sync, thread-safe
        .set_faults(spec, seed=None)    change random faults at runtime
        .faults.script(kind, *, times=1, when="before", operation=None, method=None,
                       path=None, retry_after=None) -> ScriptedFault
        .request_log(operation=None, method=None) -> list[LoggedRequest]
        .clear_request_log()
        .documents(site_id, wire=False) -> list[dict]   the site's documents (statuses in
                                kbsync's words unless wire=True)
        .dialect                Dialect(paging, status_words): how it answers
        .close()                (also a context manager)
    run_on_port(sandbox, host="127.0.0.1", port=0)  context manager → base URL ".../api/v1"
    create_app(db_path=None, **options) -> ASGI app
    Scope(tenant_id, site_ids, plan="level2", limits=Limits(), ...); Scope.local()
    load_keys_file(path) -> KeyRing; parse_keys(data) -> KeyRing; generate_dev_key()
    parse_faults(spec) -> FaultSpec
    parse_status_words("active=published,draft=inactive") -> dict; DIALECTS
    parse_rate_limit("120/60s") -> RateLimit

In-process from synchronous code (no key needed with an open scope)::

    sandbox = Sandbox(".kbsync/sandbox.sqlite3", open_scope=Scope.local())
    client = httpx.Client(base_url=IN_PROCESS_BASE_URL, transport=sandbox.transport())
    client.get("/m2m/tenants/t_local/limits")

Any sync ASGI bridge works the same way (``pipeline.asgi_bridge.SyncASGITransport(sandbox.app)``
does: an injected reset is a ``ConnectionResetError`` before any response, so it becomes
``httpx.ReadError``). From async code, ``httpx.AsyncClient(transport=httpx.ASGITransport(
sandbox.app), base_url=IN_PROCESS_BASE_URL)`` works too (an injected reset then surfaces as
:class:`SandboxConnectionReset`, and nothing enforces timeouts).

On a port, ``run_on_port`` serves with uvicorn in a thread; an injected reset aborts the TCP
connection (the client sees a transport error, never a 500).
"""

from __future__ import annotations

from pipeline.sandbox.dialect import DIALECTS, Dialect, parse_status_words
from pipeline.sandbox.edge import LoggedRequest
from pipeline.sandbox.faults import (
    FaultInjector,
    FaultSpec,
    SandboxConnectionReset,
    ScriptedFault,
    parse_faults,
)
from pipeline.sandbox.keys import (
    KeyRing,
    Limits,
    Scope,
    generate_dev_key,
    load_keys_file,
    parse_keys,
)
from pipeline.sandbox.ratelimit import RateLimit, parse_rate_limit
from pipeline.sandbox.sandbox import Sandbox, create_app
from pipeline.sandbox.server import run_on_port
from pipeline.sandbox.transport import IN_PROCESS_BASE_URL

__all__ = [
    "DIALECTS",
    "IN_PROCESS_BASE_URL",
    "Dialect",
    "FaultInjector",
    "FaultSpec",
    "KeyRing",
    "Limits",
    "LoggedRequest",
    "RateLimit",
    "Sandbox",
    "SandboxConnectionReset",
    "Scope",
    "ScriptedFault",
    "create_app",
    "generate_dev_key",
    "load_keys_file",
    "parse_faults",
    "parse_keys",
    "parse_rate_limit",
    "parse_status_words",
    "run_on_port",
]
