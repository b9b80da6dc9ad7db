"""`kbsync probe`: call every endpoint kbsync relies on and compare the shapes of the answers
with what API.md assumes.

The assumed shapes are :data:`ASSUMED` below: API.md's documented and (assumed) bodies, and,
where API.md names no fields (usage, usage history, tenant statistics), the shape kbsync's
sandbox serves. Running probe against the sandbox therefore reports no differences; running it
against the real service confirms or corrects every assumption in one run. Only shapes (field
names and JSON types) are recorded, never values.

With `write`, one canary document (unique title) is created, patched, activated and deleted on
one site; it is deleted whatever happens, and a canary that could not be deleted is reported.

With `chat`, one question is asked twice in a fresh session (sync, then async, polled to the
end within the environment's async deadline); the async answer is rated `good` and the session
is closed whatever happens. That is two messages of the tenant's quota.
"""

from __future__ import annotations

import functools
import logging
import time
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
CHAT_ENDPOINTS = (
    "chat",
    "chat_async",
    "chat_request_status",
    "submit_feedback",
    "close_session",
)
CANARY_PREFIX = "kbsync-probe-canary-"
PROBE_SESSION_PREFIX = "kbsync-probe-"
PROBE_QUESTION = "What can you help me with?"
FINAL_STATUSES = frozenset({"completed", "failed"})


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


def probe(
    client: UppzyClient,
    environment: str,
    site: str,
    *,
    write: bool = False,
    chat: bool = False,
    poll_interval: float = 0.5,
    poll_deadline: float = 30.0,
) -> ProbeReport:
    """Call every read endpoint (with `write`, the canary's writes; with `chat`, the chat
    endpoints) and compare shapes."""
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
    if chat:
        _probe_chat(client, site, report, _Poll(poll_interval, poll_deadline))
    else:
        for name in CHAT_ENDPOINTS:
            report.endpoints.append(EndpointProbe(name, "skipped", detail="needs --chat"))
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


@dataclass(frozen=True)
class _Poll:
    interval: float
    deadline: float


def _probe_chat(client: UppzyClient, site: str, report: ProbeReport, poll: _Poll) -> None:
    session = f"{PROBE_SESSION_PREFIX}{uuid.uuid4().hex[:16]}"
    question = {"session_id": session, "message": PROBE_QUESTION}
    try:
        report.endpoints.append(
            _observe("chat", lambda: client.raw("chat", body=question, site_id=site))
        )
        holder: dict[str, Any] = {}

        def submit() -> Any:
            holder["body"] = client.raw("chat_async", body=question, site_id=site)
            return holder["body"]

        report.endpoints.append(_observe("chat_async", submit))
        submitted = holder.get("body")
        request_id = submitted.get("request_id") if isinstance(submitted, dict) else None
        if not isinstance(request_id, str):
            for name in ("chat_request_status", "submit_feedback"):
                report.endpoints.append(EndpointProbe(name, "skipped", detail="no request id"))
            return
        status = _poll_status(client, site, request_id, poll)
        report.endpoints.append(status)
        if status.outcome == "error" or status.detail != "completed":
            detail = "the async request did not complete"
            report.endpoints.append(EndpointProbe("submit_feedback", "skipped", detail=detail))
            return
        rating = {"session_id": session, "request_id": request_id, "feedback": "good"}
        report.endpoints.append(
            _observe(
                "submit_feedback",
                lambda: client.raw("submit_feedback", body=rating, site_id=site),
            )
        )
    finally:
        closing = {"session_id": session}
        report.endpoints.append(
            _observe(
                "close_session", lambda: client.raw("close_session", body=closing, site_id=site)
            )
        )


def _poll_status(client: UppzyClient, site: str, request_id: str, poll: _Poll) -> EndpointProbe:
    """Poll the async request to its end; every answer (pending or final) is compared. The
    probe's `detail` is the last status seen."""
    started = time.monotonic()
    differences: list[ShapeDifference] = []
    observed: Shape = None
    status = ""
    while True:
        try:
            body = client.raw("chat_request_status", site_id=site, request_id=request_id)
        except ApiError as exc:
            return EndpointProbe("chat_request_status", "error", detail=exc.message)
        observed = shape_of(body)
        for difference in compare(ASSUMED["chat_request_status"], body):
            if difference not in differences:
                differences.append(difference)
        status = str(body.get("status")) if isinstance(body, dict) else ""
        if status in FINAL_STATUSES:
            break
        if time.monotonic() - started + poll.interval > poll.deadline:
            detail = f"still {status or 'unknown'} at the {poll.deadline:g} s deadline"
            return EndpointProbe("chat_request_status", "error", observed, differences, detail)
        time.sleep(poll.interval)
    outcome = "differs" if differences else "same"
    return EndpointProbe("chat_request_status", outcome, observed, differences, status)
