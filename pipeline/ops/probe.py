"""`kbsync probe`: call every endpoint kbsync relies on and compare the shapes of the answers
with what API.md assumes.

The assumed shapes are :data:`ASSUMED` below: API.md's documented and (assumed) bodies, and,
where API.md names no fields (usage, usage history, tenant statistics), the shape kbsync's
sandbox serves. Running probe against the sandbox therefore reports no differences; running it
against the real service confirms or corrects every assumption in one run. Only shapes (field
names and JSON types) are recorded, never values.

With `write`, one canary document (unique title) is created, patched, activated and deleted on
one site; it is deleted whatever happens, and a canary that could not be deleted is reported.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.api import ApiError, UppzyClient
from pipeline.api.uppzy import object_id
from pipeline.ops.shapes import Shape, ShapeDifference, compare, shape_of

log = logging.getLogger(__name__)

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
    "list_documents": {
        "documents": [DOCUMENT],
        "page": "integer",
        "per_page": "integer",
        "total": "integer",
    },
    "create_text_document": DOCUMENT,
    "update_document": DOCUMENT,
    "bulk_status": {"updated": "integer"},
    "bulk_delete": {"deleted": "integer"},
}
"""What kbsync assumes each endpoint answers (see the module docstring)."""

READ_ENDPOINTS = (
    "tenant",
    "limits",
    "usage",
    "usage_history",
    "tenant_statistics",
    "site",
    "site_statistics",
    "sessions",
    "list_documents",
)
WRITE_ENDPOINTS = ("create_text_document", "update_document", "bulk_status", "bulk_delete")
CANARY_PREFIX = "kbsync-probe-canary-"


@dataclass
class EndpointProbe:
    """One endpoint's answer: its shape and how it differs from the assumed one."""

    endpoint: str
    outcome: str
    """`same`, `differs`, `error` or `skipped`."""
    observed: Shape = None
    differences: list[ShapeDifference] = field(default_factory=list)
    detail: str = ""


@dataclass
class ProbeReport:
    environment: str
    site: str
    endpoints: list[EndpointProbe] = field(default_factory=list)
    canary_title: str | None = None
    canary_left: str | None = None
    """The id of a canary document that could not be deleted (delete it by hand)."""

    @property
    def differences(self) -> int:
        return sum(len(item.differences) for item in self.endpoints)

    @property
    def errors(self) -> int:
        return sum(1 for item in self.endpoints if item.outcome == "error")

    @property
    def ok(self) -> bool:
        return self.differences == 0 and self.errors == 0 and self.canary_left is None

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "site": self.site,
            "ok": self.ok,
            "differences": self.differences,
            "canary_title": self.canary_title,
            "canary_left": self.canary_left,
            "endpoints": [
                {
                    "endpoint": item.endpoint,
                    "outcome": item.outcome,
                    "detail": item.detail,
                    "assumed": ASSUMED.get(item.endpoint),
                    "observed": item.observed,
                    "differences": [difference.__dict__ for difference in item.differences],
                }
                for item in self.endpoints
            ],
        }


def probe(client: UppzyClient, environment: str, site: str, *, write: bool = False) -> ProbeReport:
    """Call every read endpoint (and, with `write`, the canary's writes) and compare shapes."""
    report = ProbeReport(environment=environment, site=site)
    for name in READ_ENDPOINTS:
        query: dict[str, str | int] | None = None
        if name == "list_documents":
            query = {"page": 1, "per_page": 100}
        call = functools.partial(client.raw, name, query=query, site_id=site)
        report.endpoints.append(_observe(name, call))
    if write:
        _probe_writes(client, site, report)
    else:
        for name in WRITE_ENDPOINTS:
            report.endpoints.append(EndpointProbe(name, "skipped", detail="needs --write"))
    return report


def _observe(name: str, call: Callable[[], Any]) -> EndpointProbe:
    try:
        body = call()
    except ApiError as exc:
        return EndpointProbe(name, "error", detail=exc.message)
    differences = compare(ASSUMED[name], body)
    return EndpointProbe(name, "differs" if differences else "same", shape_of(body), differences)


def _probe_writes(client: UppzyClient, site: str, report: ProbeReport) -> None:
    title = f"{CANARY_PREFIX}{uuid.uuid4().hex[:12]}"
    report.canary_title = title
    body = {"title": title, "content": "A kbsync probe canary; it is deleted right away."}
    holder: dict[str, Any] = {}

    def create() -> Any:
        try:
            holder["body"] = client.raw("create_text_document", body=body, site_id=site)
        except ApiError as exc:
            holder["uncertain"] = exc.uncertain
            raise
        return holder["body"]

    created = _observe("create_text_document", create)
    report.endpoints.append(created)
    doc_id = object_id(holder["body"]) if isinstance(holder.get("body"), dict) else None
    deleted = False
    try:
        if doc_id is None:
            deleted = not holder.get("uncertain", False) and "body" not in holder
            for name in WRITE_ENDPOINTS[1:]:
                report.endpoints.append(EndpointProbe(name, "skipped", detail="no canary created"))
            return
        patch = {"content": "A kbsync probe canary, patched; it is deleted right away."}
        report.endpoints.append(
            _observe(
                "update_document",
                lambda: client.raw("update_document", body=patch, site_id=site, doc_id=doc_id),
            )
        )
        ids = {"document_ids": [doc_id], "status": "active"}
        report.endpoints.append(
            _observe("bulk_status", lambda: client.raw("bulk_status", body=ids, site_id=site))
        )
        delete = _observe(
            "bulk_delete",
            lambda: client.raw("bulk_delete", body={"document_ids": [doc_id]}, site_id=site),
        )
        report.endpoints.append(delete)
        deleted = delete.outcome != "error"
    finally:
        if not deleted:
            report.canary_left = _clean_up(client, site, title, doc_id)


def _clean_up(client: UppzyClient, site: str, title: str, doc_id: str | None) -> str | None:
    """Delete the canary (found by id, or by its unique title); the id left behind, if any."""
    try:
        ids = [doc_id] if doc_id else []
        ids += [doc.id for doc in client.list_documents(site) if doc.title == title]
        if ids:
            client.bulk_delete(site, ids)
        return None
    except ApiError as exc:
        log.warning("probe canary %s could not be deleted: %s", title, exc.message)
        return doc_id or title
