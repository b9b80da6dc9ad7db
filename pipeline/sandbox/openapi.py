"""The sandbox's OpenAPI 3.1 document, written by hand as data (served at /api/v1/openapi.json).

It describes exactly what the sandbox accepts and answers (API.md plus the sandbox's choices
for what Uppzy leaves open), precisely enough for schemathesis to fuzz it: every field the
handlers reject is constrained here, and every status a handler or the fault injector can
answer is listed. Paths and operationIds come from :mod:`pipeline.sandbox.endpoints`.

Long because it is data (a hand-written OpenAPI document); `_schemas` is one table.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pipeline import __version__
from pipeline.sandbox.endpoints import API_PREFIX, ENDPOINTS

JsonObject = dict[str, Any]

_NON_BLANK = r"\S"
_REF = "#/components/schemas/"


def _ref(name: str) -> JsonObject:
    return {"$ref": _REF + name}


def _string(
    *,
    min_length: int | None = None,
    max_length: int | None = None,
    non_blank: bool = False,
    nullable: bool = False,
    description: str | None = None,
) -> JsonObject:
    schema: JsonObject = {"type": ["string", "null"] if nullable else "string"}
    if min_length is not None:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    if non_blank:
        schema["pattern"] = _NON_BLANK
    if description:
        schema["description"] = description
    return schema


def _object(
    properties: JsonObject, required: list[str], description: str | None = None
) -> JsonObject:
    schema: JsonObject = {"type": "object", "properties": properties, "required": required}
    if description:
        schema["description"] = description
    return schema


_TIMESTAMP = {"type": "string", "format": "date-time"}
_OPTIONAL_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
_COUNT = {"type": "integer", "minimum": 0}
_FEEDBACK_COUNTS = _object({"good": _COUNT, "bad": _COUNT}, ["good", "bad"])
_USED_LIMIT = _object({"used": _COUNT, "limit": _COUNT}, ["used", "limit"])
_DOCUMENT_STATUS = {"type": "string", "enum": ["draft", "active"]}
_OPTIONAL_STATUS = {
    "type": ["string", "null"],
    "enum": ["draft", "active", None],
    "description": "draft (default) or active; null means unchanged/default.",
}
_TITLE = _string(min_length=1, max_length=300, non_blank=True)
_WIDGET_FIELDS: JsonObject = {
    "title": _string(min_length=1, max_length=100, non_blank=True),
    "welcome_message": _string(min_length=1, max_length=500, non_blank=True),
    "placeholder": _string(min_length=1, max_length=200, non_blank=True),
    "primary_color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
    "position": {"type": "string", "enum": ["bottom-right", "bottom-left"]},
    "language": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$"},
    "enabled": {"type": "boolean"},
}
_CATEGORY = _string(max_length=100, nullable=True)
_SESSION_ID = _string(
    min_length=1,
    max_length=200,
    non_blank=True,
    description="Chosen by the caller; stable and opaque (never a raw e-mail address).",
)
_DOCUMENT_IDS = {"type": "array", "items": {"type": "string"}, "maxItems": 1000}


def _schemas() -> JsonObject:
    return {
        "Error": _object(
            {"error": {"type": "string"}},
            ["error"],
            "Uppzy's error body. Branch on the HTTP status, not on this text.",
        ),
        "Document": _object(
            {
                "id": {"type": "string", "description": "Server-assigned, e.g. doc_<24 hex>."},
                "type": {"type": "string", "enum": ["text", "qa", "file"]},
                "title": {"type": "string"},
                "category": {"type": ["string", "null"]},
                "status": _DOCUMENT_STATUS,
                "ready": {
                    "type": "boolean",
                    "description": "Processed and usable for answers (when also active).",
                },
                "created_at": _TIMESTAMP,
                "updated_at": _TIMESTAMP,
                "content": {"type": ["string", "null"], "description": "Text documents."},
                "question": {"type": ["string", "null"], "description": "Q&A documents."},
                "answer": {"type": ["string", "null"], "description": "Q&A documents."},
                "filename": {"type": ["string", "null"], "description": "File documents."},
                "content_type": {"type": ["string", "null"], "description": "File documents."},
                "size_bytes": {**_COUNT, "description": "File documents."},
            },
            ["id", "type", "title", "category", "status", "ready", "created_at", "updated_at"],
        ),
        "DocumentList": _object(
            {
                "documents": {"type": "array", "items": _ref("Document")},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                "total": _COUNT,
            },
            ["documents", "page", "per_page", "total"],
        ),
        "TextDocumentCreate": _object(
            {
                "title": _TITLE,
                "content": _string(min_length=1, non_blank=True),
                "category": _CATEGORY,
                "status": _OPTIONAL_STATUS,
            },
            ["title", "content"],
        ),
        "QaDocumentCreate": _object(
            {
                "title": _string(
                    min_length=1,
                    max_length=300,
                    non_blank=True,
                    nullable=True,
                    description="Defaults to the question.",
                ),
                "question": _string(min_length=1, max_length=4000, non_blank=True),
                "answer": _string(min_length=1, non_blank=True),
                "category": _CATEGORY,
                "status": _OPTIONAL_STATUS,
            },
            ["question", "answer"],
        ),
        "FileUpload": _object(
            {
                "file": {
                    "type": "string",
                    "format": "binary",
                    "description": "PDF, Word (.doc, .docx) or plain text (.txt, .md).",
                },
                "title": _string(max_length=300, description="Defaults to the file name."),
                "category": _string(max_length=100),
            },
            ["file"],
        ),
        "DocumentUpdate": _object(
            {
                "title": _TITLE,
                "content": _string(
                    min_length=1, non_blank=True, description="Text documents only."
                ),
                "question": _string(
                    min_length=1, max_length=4000, non_blank=True, description="Q&A only."
                ),
                "answer": _string(min_length=1, non_blank=True, description="Q&A only."),
                "category": _CATEGORY,
                "status": _OPTIONAL_STATUS,
            },
            [],
            "Any subset of the fields; a field the document's type lacks is a 400.",
        ),
        "BulkStatus": _object(
            {"document_ids": _DOCUMENT_IDS, "status": _DOCUMENT_STATUS},
            ["document_ids", "status"],
        ),
        "BulkDelete": _object({"document_ids": _DOCUMENT_IDS}, ["document_ids"]),
        "WidgetConfig": _object(
            {
                "site_id": {"type": "string"},
                **_WIDGET_FIELDS,
                "updated_at": _OPTIONAL_TIMESTAMP,
            },
            ["site_id", *_WIDGET_FIELDS],
            "The site's chat widget (Uppzy documents no fields; these are the sandbox's).",
        ),
        "WidgetConfigUpdate": {
            **_object(_WIDGET_FIELDS, [], "Any subset of the fields; anything else is a 400."),
            "additionalProperties": False,
        },
        "Updated": _object({"updated": _COUNT}, ["updated"]),
        "Deleted": _object({"deleted": _COUNT}, ["deleted"]),
        "ChatInput": _object(
            {
                "session_id": _SESSION_ID,
                "message": _string(min_length=1, max_length=4000, non_blank=True),
                "email": _string(max_length=320, nullable=True),
                "response_language": _string(max_length=35, nullable=True),
            },
            ["session_id", "message"],
        ),
        "ChatAnswer": _object(
            {
                "session_id": {"type": "string"},
                "request_id": {"type": "string", "pattern": "^req_[0-9a-f]{32}$"},
                "answer": {"type": "string"},
                "confidence_level": {"type": "string", "enum": ["high", "medium", "low"]},
                "confidence_score": {"type": "number", "minimum": 0, "maximum": 1},
            },
            ["session_id", "request_id", "answer", "confidence_level", "confidence_score"],
        ),
        "ChatAccepted": _object(
            {
                "session_id": {"type": "string"},
                "request_id": {"type": "string", "pattern": "^req_[0-9a-f]{32}$"},
                "status": {"type": "string", "enum": ["pending"]},
            },
            ["session_id", "request_id", "status"],
        ),
        "ChatStatus": _object(
            {
                "session_id": {"type": "string"},
                "request_id": {"type": "string"},
                "status": {"type": "string", "enum": ["pending", "completed", "failed"]},
                "answer": {"type": "string"},
                "confidence_level": {"type": "string", "enum": ["high", "medium", "low"]},
                "confidence_score": {"type": "number", "minimum": 0, "maximum": 1},
                "error": {"type": "string"},
            },
            ["session_id", "request_id", "status"],
        ),
        "FeedbackInput": _object(
            {
                "session_id": _SESSION_ID,
                "request_id": _string(min_length=1, max_length=200, non_blank=True),
                "feedback": {"type": "string", "enum": ["good", "bad"]},
            },
            ["session_id", "request_id", "feedback"],
        ),
        "FeedbackResult": _object(
            {
                "status": {"type": "string", "enum": ["ok"]},
                "request_id": {"type": "string"},
                "feedback": {"type": "string", "enum": ["good", "bad"]},
                "feedback_submitted_at": {
                    **_TIMESTAMP,
                    "description": "Omitted when feedback was already submitted.",
                },
            },
            ["status", "request_id", "feedback"],
        ),
        "SessionInput": _object({"session_id": _SESSION_ID}, ["session_id"]),
        "Ok": _object({"status": {"type": "string", "enum": ["ok"]}}, ["status"]),
        "Tenant": _object(
            {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "plan": {"type": "string", "enum": ["level1", "level2", "level3"]},
            },
            ["id", "name", "plan"],
        ),
        "Limits": _object(
            {
                "documents": _USED_LIMIT,
                "storage_bytes": _USED_LIMIT,
                "messages": _USED_LIMIT,
                "max_upload_bytes": _COUNT,
            },
            ["documents", "storage_bytes", "messages", "max_upload_bytes"],
            "Messages count the current calendar month (UTC).",
        ),
        "Usage": _object(
            {
                "tenant_id": {"type": "string"},
                "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                "period_start": _TIMESTAMP,
                "period_end": _TIMESTAMP,
                "messages": _COUNT,
                "documents": _COUNT,
                "storage_bytes": _COUNT,
            },
            [
                "tenant_id",
                "period",
                "period_start",
                "period_end",
                "messages",
                "documents",
                "storage_bytes",
            ],
        ),
        "UsageHistory": _object(
            {
                "tenant_id": {"type": "string"},
                "periods": {
                    "type": "array",
                    "items": _object(
                        {
                            "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                            "period_start": _TIMESTAMP,
                            "period_end": _TIMESTAMP,
                            "messages": _COUNT,
                            "documents_created": _COUNT,
                        },
                        [
                            "period",
                            "period_start",
                            "period_end",
                            "messages",
                            "documents_created",
                        ],
                    ),
                },
            },
            ["tenant_id", "periods"],
        ),
        "TenantStatistics": _object(
            {
                "tenant_id": {"type": "string"},
                "sites": _COUNT,
                "documents": _COUNT,
                "active_documents": _COUNT,
                "chats": _COUNT,
                "sessions": _COUNT,
                "feedback": _FEEDBACK_COUNTS,
                "low_confidence": _COUNT,
            },
            ["tenant_id", "sites", "documents", "chats", "sessions", "feedback"],
        ),
        "Site": _object(
            {"id": {"type": "string"}, "tenant_id": {"type": "string"}, "name": {"type": "string"}},
            ["id", "tenant_id", "name"],
        ),
        "SiteStatistics": _object(
            {
                "site_id": {"type": "string"},
                "chats": _COUNT,
                "sessions": _COUNT,
                "feedback": _FEEDBACK_COUNTS,
                "documents": _COUNT,
                "active_documents": _COUNT,
                "low_confidence": _COUNT,
            },
            ["site_id", "chats", "sessions", "feedback", "documents"],
        ),
        "SessionList": _object(
            {
                "sessions": {
                    "type": "array",
                    "items": _object(
                        {
                            "session_id": {"type": "string"},
                            "status": {"type": "string", "enum": ["open", "closed"]},
                            "created_at": _TIMESTAMP,
                            "last_message_at": _OPTIONAL_TIMESTAMP,
                            "closed_at": _OPTIONAL_TIMESTAMP,
                            "messages": _COUNT,
                        },
                        ["session_id", "status", "created_at", "last_message_at"],
                    ),
                }
            },
            ["sessions"],
        ),
        "UserStatistics": _object(
            {
                "site_id": {"type": "string"},
                "email": {"type": "string"},
                "chats": _COUNT,
                "sessions": _COUNT,
                "feedback": _FEEDBACK_COUNTS,
                "last_message_at": _OPTIONAL_TIMESTAMP,
            },
            ["site_id", "email", "chats", "sessions", "feedback", "last_message_at"],
        ),
    }


_ERROR_DESCRIPTIONS = {
    "400": "Invalid request: malformed JSON, a missing field or a wrong type. Do not retry.",
    "401": "Missing or invalid API key (`invalid_api_key`).",
    "403": (
        "Plan without API access (`api_access_not_available_on_plan`), a tenant or site "
        "outside the key's scope, or a quota reached (`document_limit_reached`, "
        "`storage_limit_reached`, `message_limit_reached`)."
    ),
    "404": "Unknown tenant, site, document or request in this scope.",
    "409": "Conflict: the session is closed, or the request is not completed.",
    "413": "Body over 1 MiB, or a file over the tenant's max_upload_bytes.",
    "415": "Wrong Content-Type for this endpoint, or an unsupported file type.",
    "429": "Too many requests: retry with backoff (honour Retry-After when present).",
    "500": "Internal error (transient).",
    "502": "Bad gateway (transient).",
    "503": "Service unavailable (transient).",
    "504": "Gateway timeout (transient; the work may have happened).",
}

_PATH_PARAMETERS: dict[str, JsonObject] = {
    "tenant_id": {"description": "Tenant id from the dashboard.", "example": "t_local"},
    "site_id": {"description": "Site id from the dashboard.", "example": "s_local"},
    "doc_id": {"description": "Document id returned by a create."},
    "request_id": {"description": "request_id returned by a chat call."},
    "email": {"description": "The user's e-mail address."},
}


def _error_responses(codes: list[str]) -> JsonObject:
    responses: JsonObject = {}
    for code in codes:
        response: JsonObject = {
            "description": _ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        if code == "429":
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before retrying (not always sent).",
                    "schema": {"type": "string"},
                }
            }
        responses[code] = response
    return responses


def _json_body(schema: str) -> JsonObject:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


_TRANSIENT = ["429", "500", "502", "503", "504"]
_READ_ERRORS = ["400", "401", "403", "404", *_TRANSIENT]
_JSON_WRITE_ERRORS = ["400", "401", "403", "404", "413", "415", *_TRANSIENT]

# operationId → (success status, response schema, request body, error statuses, extra params)
_OPERATIONS: dict[str, tuple[str, str, JsonObject | None, list[str], list[JsonObject]]] = {
    "getTenant": ("200", "Tenant", None, _READ_ERRORS, []),
    "getTenantLimits": ("200", "Limits", None, _READ_ERRORS, []),
    "getTenantUsage": ("200", "Usage", None, _READ_ERRORS, []),
    "getTenantUsageHistory": ("200", "UsageHistory", None, _READ_ERRORS, []),
    "getTenantStatistics": ("200", "TenantStatistics", None, _READ_ERRORS, []),
    "getSite": ("200", "Site", None, _READ_ERRORS, []),
    "getSiteStatistics": ("200", "SiteStatistics", None, _READ_ERRORS, []),
    "listSessions": (
        "200",
        "SessionList",
        None,
        _READ_ERRORS,
        [
            {
                "name": "email",
                "in": "query",
                "required": False,
                "description": "Only this user's sessions.",
                "schema": {"type": "string"},
            }
        ],
    ),
    "getUserStatistics": ("200", "UserStatistics", None, _READ_ERRORS, []),
    "listDocuments": (
        "200",
        "DocumentList",
        None,
        _READ_ERRORS,
        [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
            },
        ],
    ),
    "uploadDocument": (
        "201",
        "Document",
        {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": _ref("FileUpload"),
                    "encoding": {
                        "file": {
                            "contentType": (
                                "text/plain, application/pdf, application/msword, "
                                "application/vnd.openxmlformats-officedocument"
                                ".wordprocessingml.document"
                            )
                        }
                    },
                }
            },
        },
        _JSON_WRITE_ERRORS,
        [],
    ),
    "createTextDocument": (
        "201",
        "Document",
        _json_body("TextDocumentCreate"),
        _JSON_WRITE_ERRORS,
        [],
    ),
    "createQaDocument": ("201", "Document", _json_body("QaDocumentCreate"), _JSON_WRITE_ERRORS, []),
    "updateDocument": ("200", "Document", _json_body("DocumentUpdate"), _JSON_WRITE_ERRORS, []),
    "bulkUpdateDocumentStatus": (
        "200",
        "Updated",
        _json_body("BulkStatus"),
        _JSON_WRITE_ERRORS,
        [],
    ),
    "bulkDeleteDocuments": ("200", "Deleted", _json_body("BulkDelete"), _JSON_WRITE_ERRORS, []),
    "chat": ("200", "ChatAnswer", _json_body("ChatInput"), [*_JSON_WRITE_ERRORS, "409"], []),
    "chatAsync": ("202", "ChatAccepted", _json_body("ChatInput"), [*_JSON_WRITE_ERRORS, "409"], []),
    "getChatRequest": ("200", "ChatStatus", None, _READ_ERRORS, []),
    "submitFeedback": (
        "200",
        "FeedbackResult",
        _json_body("FeedbackInput"),
        [*_JSON_WRITE_ERRORS, "409"],
        [],
    ),
    "closeSession": ("200", "Ok", _json_body("SessionInput"), _JSON_WRITE_ERRORS, []),
    "getWidgetConfig": ("200", "WidgetConfig", None, _READ_ERRORS, []),
    "updateWidgetConfig": (
        "200",
        "WidgetConfig",
        _json_body("WidgetConfigUpdate"),
        _JSON_WRITE_ERRORS,
        [],
    ),
}


def _path_parameters(path: str) -> list[JsonObject]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
            **_PATH_PARAMETERS[name],
        }
        for name in names
    ]


@cache
def _build() -> JsonObject:
    paths: JsonObject = {}
    for endpoint in ENDPOINTS:
        status, schema, body, errors, extra = _OPERATIONS[endpoint.operation_id]
        operation: JsonObject = {
            "operationId": endpoint.operation_id,
            "summary": endpoint.summary,
            "tags": ["tenants" if endpoint.path.startswith("/m2m/tenants") else "sites"],
            "parameters": _path_parameters(endpoint.path) + extra,
            "responses": {
                status: {
                    "description": "Success.",
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                **_error_responses(sorted(set(errors))),
            },
        }
        if body is not None:
            operation["requestBody"] = body
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Uppzy M2M API (kbsync sandbox)",
            "version": __version__,
            "description": (
                "The local emulation of Uppzy's server-to-server API that kbsync ships for "
                'tests and drills. Errors are `{"error": "<string>"}`; branch on status.'
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "security": [{"ApiKeyAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
            },
            "schemas": _schemas(),
        },
    }


def openapi_document() -> JsonObject:
    """The OpenAPI 3.1 document (a fresh copy the caller may change)."""
    return copy.deepcopy(_build())
