"""The sandbox's API: Uppzy's M2M endpoints (API.md) as a Starlette app over the store.

Choices where Uppzy's docs are silent (API.md's open questions), all returned as
``{"error": "<string>"}``:

- Key scope: a key reaches only its tenant and the sites it lists. An existing tenant or site
  outside the key's scope is ``403 {"error": "forbidden: the API key is not allowed to use
  this tenant"}`` (…``this site``); an unknown one is ``404 tenant not found`` / ``404 site
  not found``. A ``level1`` key gets ``403 api_access_not_available_on_plan``; a missing or
  unknown key ``401 invalid_api_key``.
- Quotas (open question 15): creating past the tenant's document quota is
  ``403 document_limit_reached``, past its storage quota ``403 storage_limit_reached``, a chat
  past the monthly message quota ``403 message_limit_reached`` (403 because it is a plan
  limit the caller must act on, not a transient condition to retry). A file over
  ``max_upload_bytes`` is ``413 file exceeds max_upload_bytes``; any body over the sandbox's
  body limit (1 MiB) is ``413 payload too large``.
- Bodies: malformed JSON or a non-object body is ``400 invalid payload``; a field of the wrong
  type or shape ``400 invalid payload: <field> must be …``; a missing required field
  ``400 <field> is required`` (as Uppzy's ``session_id is required``). A JSON endpoint sent
  another Content-Type is ``415``; an upload that is not multipart ``415``; a file that is not
  plain text, PDF or Word ``415 unsupported file type``.
- Documents: ids are ``doc_<24 hex>``; creates answer ``201`` with the document; documents
  start ``draft`` unless created with ``"status": "active"`` (uploads always start draft);
  ``ready`` turns true ``ready_delay`` seconds after creation or the last change to title or
  content. A Q&A document's title defaults to its question. PATCH of a field the document's
  type does not have (``content`` on a Q&A) is ``400``. Unknown ids in bulk calls are
  ignored; ids of other sites count as unknown.
- Chat: ``session_id`` and ``message`` are required; a closed session is ``409 session
  closed``; async submit answers ``202`` with status ``pending``, which turns ``completed``
  (with answer and confidence) or ``failed`` (with ``error``) ``async_delay`` seconds later.
  Feedback needs a completed request of that session (``404 request not found`` otherwise,
  ``409 request is not completed`` while pending or failed); missing fields or a value other
  than good/bad are ``400 feedback must be 'good' or 'bad'``, as Uppzy documents. A repeat
  rating replaces the first and its response omits ``feedback_submitted_at``.
- Listings are wrapped: ``{"documents": […], "page", "per_page", "total"}``,
  ``{"sessions": […]}``, ``{"periods": […]}``; ``per_page`` is 1–100 (default 50). The
  document listing and the status words can speak other dialects
  (:mod:`pipeline.sandbox.dialect`: offset or cursor paging, ``published``/``inactive``…).
- Widget settings (Uppzy documents no fields): see :mod:`pipeline.sandbox.widget`.
- Rate limit (off unless configured): ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (seconds,
  decimal) on every answer, ``429 rate limit exceeded`` with ``Retry-After`` past it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from pipeline.sandbox import accounts, chat, documents, widget
from pipeline.sandbox.access import Context
from pipeline.sandbox.endpoints import API_PREFIX, ENDPOINTS
from pipeline.sandbox.openapi import openapi_document
from pipeline.sandbox.payloads import HttpError

Handler = Callable[[Request], Awaitable[Response]]


def build_api(context: Context) -> Starlette:
    """The Starlette app serving every endpoint of API.md under ``/api/v1``."""
    handlers: dict[str, Handler] = {
        "getTenant": accounts.get_tenant,
        "getTenantLimits": accounts.get_tenant_limits,
        "getTenantUsage": accounts.get_tenant_usage,
        "getTenantUsageHistory": accounts.get_tenant_usage_history,
        "getTenantStatistics": accounts.get_tenant_statistics,
        "getSite": accounts.get_site,
        "getSiteStatistics": accounts.get_site_statistics,
        "listSessions": accounts.list_sessions,
        "getUserStatistics": accounts.get_user_statistics,
        "getWidgetConfig": widget.get_widget_config,
        "updateWidgetConfig": widget.update_widget_config,
        "listDocuments": documents.list_documents,
        "uploadDocument": documents.upload_document,
        "createTextDocument": documents.create_text_document,
        "createQaDocument": documents.create_qa_document,
        "updateDocument": documents.update_document,
        "bulkUpdateDocumentStatus": documents.bulk_update_status,
        "bulkDeleteDocuments": documents.bulk_delete,
        "chat": chat.chat,
        "chatAsync": chat.chat_async,
        "getChatRequest": chat.get_chat_request,
        "submitFeedback": chat.submit_feedback,
        "closeSession": chat.close_session,
    }
    # One route per path, so a 405's Allow header lists every method the path serves.
    by_path: dict[str, dict[str, Handler]] = {}
    for endpoint in ENDPOINTS:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = handlers[endpoint.operation_id]
    routes: list[BaseRoute] = [Route("/openapi.json", serve_openapi, methods=["GET"])]
    routes += [
        Route(path, _dispatch(methods), methods=list(methods)) for path, methods in by_path.items()
    ]
    app = Starlette(
        routes=[Mount(API_PREFIX, routes=routes)],
        exception_handlers={HttpError: _http_error, HTTPException: _starlette_error},
    )
    app.state.sandbox = context
    return app


def _dispatch(methods: dict[str, Handler]) -> Handler:
    """The handler of one path, choosing by method (HEAD is served as GET)."""
    if len(methods) == 1:
        return next(iter(methods.values()))

    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await methods[method](request)

    return endpoint


# -- errors ----------------------------------------------------------------------------------


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)


async def _starlette_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "not found", 405: "method not allowed"}
    message = messages.get(exc.status_code, str(exc.detail).lower())
    return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)


# -- openapi ---------------------------------------------------------------------------------


async def serve_openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())
