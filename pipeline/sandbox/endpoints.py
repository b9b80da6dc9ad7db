"""The sandbox's endpoints, once: method, path (under ``/api/v1``) and OpenAPI operationId.

The router, the OpenAPI document, fault scripts (``operation=``) and the request log all name
endpoints from this table, so they cannot drift apart. Order matters where paths overlap:
``/documents/bulk-status`` comes before ``/documents/{doc_id}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

API_PREFIX = "/api/v1"
OPENAPI_PATH = f"{API_PREFIX}/openapi.json"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation_id: str
    summary: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.path)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/m2m/tenants/{tenant_id}", "getTenant", "Tenant info"),
    Endpoint("GET", "/m2m/tenants/{tenant_id}/limits", "getTenantLimits", "Tenant limits"),
    Endpoint("GET", "/m2m/tenants/{tenant_id}/usage", "getTenantUsage", "Usage this period"),
    Endpoint(
        "GET", "/m2m/tenants/{tenant_id}/usage/history", "getTenantUsageHistory", "Usage history"
    ),
    Endpoint(
        "GET", "/m2m/tenants/{tenant_id}/statistics", "getTenantStatistics", "Tenant statistics"
    ),
    Endpoint("GET", "/m2m/sites/{site_id}", "getSite", "Site info"),
    Endpoint("GET", "/m2m/sites/{site_id}/statistics", "getSiteStatistics", "Site statistics"),
    Endpoint("GET", "/m2m/sites/{site_id}/sessions", "listSessions", "List conversations"),
    Endpoint(
        "GET",
        "/m2m/sites/{site_id}/users/{email}/statistics",
        "getUserStatistics",
        "Per-user statistics",
    ),
    Endpoint("GET", "/m2m/sites/{site_id}/widget-config", "getWidgetConfig", "Widget settings"),
    Endpoint(
        "PATCH",
        "/m2m/sites/{site_id}/widget-config",
        "updateWidgetConfig",
        "Change widget settings",
    ),
    Endpoint("GET", "/m2m/sites/{site_id}/documents", "listDocuments", "List documents"),
    Endpoint("POST", "/m2m/sites/{site_id}/documents", "uploadDocument", "Upload a file"),
    Endpoint(
        "POST", "/m2m/sites/{site_id}/documents/text", "createTextDocument", "Create a text doc"
    ),
    Endpoint("POST", "/m2m/sites/{site_id}/documents/qa", "createQaDocument", "Create a Q&A doc"),
    Endpoint(
        "PATCH",
        "/m2m/sites/{site_id}/documents/bulk-status",
        "bulkUpdateDocumentStatus",
        "Activate or deactivate many documents",
    ),
    Endpoint(
        "POST",
        "/m2m/sites/{site_id}/documents/bulk-delete",
        "bulkDeleteDocuments",
        "Delete many documents",
    ),
    Endpoint(
        "PATCH", "/m2m/sites/{site_id}/documents/{doc_id}", "updateDocument", "Update a document"
    ),
    Endpoint("POST", "/m2m/sites/{site_id}/chat", "chat", "Chat (synchronous)"),
    Endpoint("POST", "/m2m/sites/{site_id}/chat/async", "chatAsync", "Chat (asynchronous)"),
    Endpoint(
        "GET",
        "/m2m/sites/{site_id}/chat/requests/{request_id}",
        "getChatRequest",
        "Async request status",
    ),
    Endpoint("POST", "/m2m/sites/{site_id}/chat/feedback", "submitFeedback", "Rate a response"),
    Endpoint("POST", "/m2m/sites/{site_id}/chat/session/close", "closeSession", "Close a session"),
)


def _compile(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(f"^{re.escape(API_PREFIX)}{regex}$")


_PATTERNS = tuple((endpoint, _compile(endpoint.path)) for endpoint in ENDPOINTS)


def operation_of(method: str, path: str) -> str | None:
    """The operationId serving `method path` (a full ``/api/v1/...`` path), if any."""
    upper = "GET" if method.upper() == "HEAD" else method.upper()
    for endpoint, pattern in _PATTERNS:
        if endpoint.method == upper and pattern.match(path):
            return endpoint.operation_id
    return None
