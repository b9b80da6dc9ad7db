"""The response shapes `kbsync probe` assumes: API.md's documented and (assumed) bodies, and,
where API.md names no fields (usage, usage history, tenant statistics), the shape kbsync's
sandbox serves (see :mod:`pipeline.ops.shapes` for the notation)."""

from __future__ import annotations

from pipeline.ops.shapes import Shape

_QUOTA = {"used": "integer", "limit": "integer|null"}
_FEEDBACK = {"good": "integer", "bad": "integer"}
_TIME = "string|null"

DOCUMENT: dict[str, Shape] = {
    "id": "string",
    "type": "string",
    "title": "string",
    "category": "string|null",
    "status": "string",
    "ready": "boolean",
    "created_at": _TIME,
    "updated_at": _TIME,
    "content?": "string",
    "question?": "string",
    "answer?": "string",
    "filename?": "string",
    "content_type?": "string",
    "size_bytes?": "integer",
}

ASSUMED: dict[str, Shape] = {
    "tenant": {"id": "string", "name": "string|null", "plan": "string"},
    "limits": {
        "documents": _QUOTA,
        "storage_bytes": _QUOTA,
        "messages": _QUOTA,
        "max_upload_bytes": "integer|null",
    },
    "usage": {
        "tenant_id": "string",
        "period": "string",
        "period_start": "string",
        "period_end": "string",
        "messages": "integer",
        "documents": "integer",
        "storage_bytes": "integer",
    },
    "usage_history": {
        "tenant_id": "string",
        "periods": [
            {
                "period": "string",
                "period_start": "string",
                "period_end": "string",
                "messages": "integer",
                "documents_created": "integer",
            }
        ],
    },
    "tenant_statistics": {
        "tenant_id": "string",
        "sites": "integer",
        "documents": "integer",
        "active_documents": "integer",
        "chats": "integer",
        "sessions": "integer",
        "feedback": _FEEDBACK,
        "low_confidence": "integer",
    },
    "site": {"id": "string", "tenant_id": "string", "name": "string|null"},
    "site_statistics": {
        "site_id": "string",
        "chats": "integer",
        "sessions": "integer",
        "feedback": _FEEDBACK,
        "documents": "integer",
        "active_documents": "integer",
        "low_confidence": "integer",
    },
    "sessions": {
        "sessions": [
            {
                "session_id": "string",
                "status": "string",
                "created_at": _TIME,
                "last_message_at": _TIME,
                "closed_at?": _TIME,
                "messages?": "integer",
            }
        ]
    },
    # The listed documents, whatever envelope they come in: how the listing pages (its page,
    # offset, cursor, total) is a value the listing check reads, not a shape.
    "list_documents": [DOCUMENT],
    "create_text_document": DOCUMENT,
    "update_document": DOCUMENT,
    "bulk_status": {"updated": "integer"},
    "bulk_delete": {"deleted": "integer"},
    "chat": {
        "session_id": "string",
        "request_id": "string",
        "answer": "string",
        "confidence_level?": "string",
        "confidence_score?": "number",
    },
    "chat_async": {"session_id": "string", "request_id": "string", "status": "string"},
    # Every status answer, pending and final. The confidence fields are (assumed): API.md
    # documents them for sync answers only; kbsync reads them here when present.
    "chat_request_status": {
        "session_id": "string",
        "request_id": "string",
        "status": "string",
        "answer?": "string",
        "error?": "string",
        "confidence_level?": "string",
        "confidence_score?": "number",
    },
    "submit_feedback": {
        "status": "string",
        "request_id": "string",
        "feedback": "string",
        "feedback_submitted_at?": "string",
    },
    "close_session": {"status": "string"},
}
"""What kbsync assumes each endpoint answers (see the module docstring)."""
