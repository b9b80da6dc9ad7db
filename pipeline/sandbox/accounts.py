"""Tenant and site endpoints: info, limits, usage, statistics and the session list."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.sandbox.access import context_of, site_of, tenant_of
from pipeline.sandbox.payloads import calendar_month, iso


async def get_tenant(request: Request) -> Response:
    tenant = tenant_of(request)
    return JSONResponse({"id": tenant.id, "name": tenant.name, "plan": tenant.plan})


async def get_tenant_limits(request: Request) -> Response:
    tenant = tenant_of(request)
    context = context_of(request)
    documents, storage = context.store.tenant_usage(tenant.id)
    _, start, end = calendar_month(context.clock())
    messages = context.store.messages_between(tenant.id, start, end)
    limits = tenant.limits
    return JSONResponse(
        {
            "documents": {"used": documents, "limit": limits.documents},
            "storage_bytes": {"used": storage, "limit": limits.storage_bytes},
            "messages": {"used": messages, "limit": limits.messages},
            "max_upload_bytes": limits.max_upload_bytes,
        }
    )


async def get_tenant_usage(request: Request) -> Response:
    tenant = tenant_of(request)
    context = context_of(request)
    documents, storage = context.store.tenant_usage(tenant.id)
    label, start, end = calendar_month(context.clock())
    return JSONResponse(
        {
            "tenant_id": tenant.id,
            "period": label,
            "period_start": iso(start),
            "period_end": iso(end),
            "messages": context.store.messages_between(tenant.id, start, end),
            "documents": documents,
            "storage_bytes": storage,
        }
    )


async def get_tenant_usage_history(request: Request) -> Response:
    tenant = tenant_of(request)
    context = context_of(request)
    periods: dict[str, dict[str, Any]] = {}

    def bucket(timestamp: float) -> dict[str, Any]:
        label, start, end = calendar_month(timestamp)
        return periods.setdefault(
            label,
            {
                "period": label,
                "period_start": iso(start),
                "period_end": iso(end),
                "messages": 0,
                "documents_created": 0,
            },
        )

    bucket(context.clock())
    for timestamp in context.store.message_times(tenant.id):
        bucket(timestamp)["messages"] += 1
    for timestamp in context.store.document_times(tenant.id):
        bucket(timestamp)["documents_created"] += 1
    return JSONResponse(
        {"tenant_id": tenant.id, "periods": [periods[key] for key in sorted(periods)]}
    )


async def get_tenant_statistics(request: Request) -> Response:
    tenant = tenant_of(request)
    store = context_of(request).store
    site_ids = [site.id for site in store.sites_of(tenant.id)]
    activity = store.activity(site_ids)
    return JSONResponse(
        {
            "tenant_id": tenant.id,
            "sites": len(site_ids),
            "documents": sum(store.count_documents(s) for s in site_ids),
            "active_documents": sum(store.count_documents(s, status="active") for s in site_ids),
            "chats": activity.chats,
            "sessions": activity.sessions,
            "feedback": {"good": activity.good, "bad": activity.bad},
            "low_confidence": activity.low_confidence,
        }
    )


# -- sites -----------------------------------------------------------------------------------


async def get_site(request: Request) -> Response:
    site, _ = site_of(request)
    return JSONResponse({"id": site.id, "tenant_id": site.tenant_id, "name": site.name})


async def get_site_statistics(request: Request) -> Response:
    site, _ = site_of(request)
    store = context_of(request).store
    activity = store.activity([site.id])
    return JSONResponse(
        {
            "site_id": site.id,
            "chats": activity.chats,
            "sessions": activity.sessions,
            "feedback": {"good": activity.good, "bad": activity.bad},
            "documents": store.count_documents(site.id),
            "active_documents": store.count_documents(site.id, status="active"),
            "low_confidence": activity.low_confidence,
        }
    )


async def list_sessions(request: Request) -> Response:
    site, _ = site_of(request)
    email = request.query_params.get("email")
    sessions = context_of(request).store.sessions(site.id, email=email or None)
    return JSONResponse(
        {
            "sessions": [
                {
                    "session_id": s.session_id,
                    "status": s.status,
                    "created_at": iso(s.created_at),
                    "last_message_at": iso(s.last_message_at),
                    "closed_at": iso(s.closed_at),
                    "messages": s.messages,
                }
                for s in sessions
            ]
        }
    )


async def get_user_statistics(request: Request) -> Response:
    site, _ = site_of(request)
    email: str = request.path_params["email"]
    activity = context_of(request).store.activity([site.id], email=email)
    return JSONResponse(
        {
            "site_id": site.id,
            "email": email,
            "chats": activity.chats,
            "sessions": activity.sessions,
            "feedback": {"good": activity.good, "bad": activity.bad},
            "last_message_at": iso(activity.last_message_at),
        }
    )
