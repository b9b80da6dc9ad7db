"""Who is calling: the API key (or the open in-process scope), its plan, tenant and sites.

A key reaches only its tenant and the sites it lists: an existing tenant or site outside that
scope is a 403, an unknown one a 404, a level1 plan a 403, a missing or unknown key a 401.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from pipeline.sandbox.dialect import Dialect
from pipeline.sandbox.faults import FaultInjector
from pipeline.sandbox.keys import API_PLANS, KeyRing
from pipeline.sandbox.keys import Scope as KeyScope
from pipeline.sandbox.payloads import HttpError
from pipeline.sandbox.store import Site, Store, Tenant

FORBIDDEN_TENANT = "forbidden: the API key is not allowed to use this tenant"
FORBIDDEN_SITE = "forbidden: the API key is not allowed to use this site"


@dataclass(frozen=True)
class Settings:
    """Timing of the emulated service, and the dialect it speaks."""

    ready_delay: float = 0.5
    async_delay: float = 1.0
    dialect: Dialect = field(default_factory=Dialect)


@dataclass
class Context:
    """What every handler needs; kept on ``app.state.sandbox``."""

    store: Store
    keys: KeyRing
    open_scope: KeyScope | None
    faults: FaultInjector
    settings: Settings
    clock: Callable[[], float]


def context_of(request: Request) -> Context:
    """The sandbox state the app was built with."""
    context: Context = request.app.state.sandbox
    return context


def authorize(request: Request) -> KeyScope:
    """The caller's scope from `X-API-Key` (or the open scope when no key is sent)."""
    context = context_of(request)
    api_key = request.headers.get("x-api-key")
    if not api_key:
        if context.open_scope is not None:
            return context.open_scope
        raise HttpError(401, "invalid_api_key")
    scope = context.keys.lookup(api_key)
    if scope is None:
        raise HttpError(401, "invalid_api_key")
    if scope.plan not in API_PLANS:
        raise HttpError(403, "api_access_not_available_on_plan")
    return scope


def tenant_of(request: Request) -> Tenant:
    """The path's tenant, if the caller may use it."""
    scope = authorize(request)
    tenant_id = request.path_params["tenant_id"]
    tenant = context_of(request).store.tenant(tenant_id)
    if tenant is None:
        raise HttpError(404, "tenant not found")
    if tenant.id != scope.tenant_id:
        raise HttpError(403, FORBIDDEN_TENANT)
    return tenant


def site_of(request: Request) -> tuple[Site, Tenant]:
    """The path's site and its tenant, if the caller may use the site."""
    scope = authorize(request)
    store = context_of(request).store
    site = store.site(request.path_params["site_id"])
    if site is None:
        raise HttpError(404, "site not found")
    if site.tenant_id != scope.tenant_id or site.id not in scope.site_ids:
        raise HttpError(403, FORBIDDEN_SITE)
    tenant = store.tenant(site.tenant_id)
    if tenant is None:  # a site always has its tenant; kept for the type checker
        raise HttpError(404, "site not found")
    return site, tenant
