"""Uppzy's wire format: the one module that knows its paths, field names and response shapes.

Everything API.md marks **(assumed)** is read and written here, and read tolerantly: a list may
come bare or wrapped (`{"documents": [...]}`, `{"items": ...}`, `{"data": ...}`), an id may be
`id` or `document_id`, status words are normalised. When the real service answers differently,
this module is the one place to correct.

Each endpoint is described once in :data:`ENDPOINTS` (name, method, path template, whether a
repeat is safe); the retry policy and telemetry read that table, not the paths.

It is one long module on purpose, in sections (requests, responses, listing, errors): being
the one place to correct when Uppzy answers otherwise is its point, and a field or status word
read tolerantly in one section is read the same way in the others. It is private to
`pipeline.api` (an import-linter contract): other parts speak to Uppzy through the client.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlsplit

from pipeline.api.models import (
    AsyncState,
    AsyncStatus,
    ChatAnswer,
    DocumentPatch,
    DocumentStatus,
    FeedbackResult,
    FileDocument,
    JsonObject,
    Limits,
    NewDocument,
    QaDocument,
    Quota,
    RemoteDocument,
    SessionInfo,
    SiteInfo,
    SiteStatistics,
    TenantInfo,
    TextDocument,
)

MAX_PER_PAGE = 100
"""Largest `per_page` the listing accepts (assumed)."""
MAX_BULK_IDS = 100
"""Most ids one bulk-status or bulk-delete call carries."""


@dataclass(frozen=True)
class Endpoint:
    """One Uppzy endpoint.

    `repeatable`: sending it twice has the effect of sending it once (reads, PATCH, bulk calls,
    feedback, session close), so a timeout or 5xx may be retried blindly. `chat`: the call waits
    for a generated answer and gets the long read timeout.
    """

    name: str
    method: str
    path: str
    repeatable: bool
    chat: bool = False

    def fill(self, params: Mapping[str, str]) -> str:
        """The path with its placeholders filled in, each value percent-encoded."""
        return self.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})


def _endpoints(*items: Endpoint) -> dict[str, Endpoint]:
    return {item.name: item for item in items}


_T = "/m2m/tenants/{tenant_id}"
_S = "/m2m/sites/{site_id}"

ENDPOINTS: dict[str, Endpoint] = _endpoints(
    Endpoint("tenant", "GET", _T, repeatable=True),
    Endpoint("limits", "GET", _T + "/limits", repeatable=True),
    Endpoint("usage", "GET", _T + "/usage", repeatable=True),
    Endpoint("usage_history", "GET", _T + "/usage/history", repeatable=True),
    Endpoint("tenant_statistics", "GET", _T + "/statistics", repeatable=True),
    Endpoint("site", "GET", _S, repeatable=True),
    Endpoint("site_statistics", "GET", _S + "/statistics", repeatable=True),
    Endpoint("sessions", "GET", _S + "/sessions", repeatable=True),
    Endpoint("user_statistics", "GET", _S + "/users/{email}/statistics", repeatable=True),
    Endpoint("list_documents", "GET", _S + "/documents", repeatable=True),
    Endpoint("upload_document", "POST", _S + "/documents", repeatable=False),
    Endpoint("create_text_document", "POST", _S + "/documents/text", repeatable=False),
    Endpoint("create_qa_document", "POST", _S + "/documents/qa", repeatable=False),
    Endpoint("update_document", "PATCH", _S + "/documents/{doc_id}", repeatable=True),
    Endpoint("bulk_status", "PATCH", _S + "/documents/bulk-status", repeatable=True),
    Endpoint("bulk_delete", "POST", _S + "/documents/bulk-delete", repeatable=True),
    Endpoint("widget_config", "GET", _S + "/widget-config", repeatable=True),
    Endpoint("update_widget_config", "PATCH", _S + "/widget-config", repeatable=True),
    Endpoint("chat", "POST", _S + "/chat", repeatable=False, chat=True),
    Endpoint("chat_async", "POST", _S + "/chat/async", repeatable=False),
    Endpoint("chat_request_status", "GET", _S + "/chat/requests/{request_id}", repeatable=True),
    Endpoint("submit_feedback", "POST", _S + "/chat/feedback", repeatable=True),
    Endpoint("close_session", "POST", _S + "/chat/session/close", repeatable=True),
)

CREATE_ENDPOINTS = frozenset({"upload_document", "create_text_document", "create_qa_document"})


@dataclass(frozen=True)
class Call:
    """One request to make: the endpoint, its path values, query, body, and telemetry context."""

    endpoint: Endpoint
    path_params: Mapping[str, str]
    params: Mapping[str, str | int] | None = None
    json: Any = field(default=None, repr=False)
    files: Mapping[str, tuple[str, bytes, str]] | None = field(default=None, repr=False)
    session_id: str | None = None
    request_id: str | None = None

    @property
    def path(self) -> str:
        return self.endpoint.fill(self.path_params)

    @property
    def site_id(self) -> str | None:
        return self.path_params.get("site_id")


def _call(name: str, path_params: Mapping[str, str], **kwargs: Any) -> Call:
    return Call(ENDPOINTS[name], dict(path_params), **kwargs)


# --------------------------------------------------------------------------------- requests


def tenant_call(name: str, tenant_id: str) -> Call:
    """A GET of one of the tenant endpoints (tenant, limits, usage, usage_history, statistics)."""
    return _call(name, {"tenant_id": tenant_id})


def site_call(name: str, site_id: str) -> Call:
    """A GET of one of the site endpoints (site, site_statistics, sessions)."""
    return _call(name, {"site_id": site_id})


def user_statistics_call(site_id: str, email: str) -> Call:
    return _call("user_statistics", {"site_id": site_id, "email": email})


def list_documents_call(site_id: str, params: Mapping[str, str | int]) -> Call:
    """One listing request; `params` come from :func:`listing_params` or a `next` link."""
    return _call("list_documents", {"site_id": site_id}, params=dict(params))


ListingStyle = Literal["page", "offset", "cursor", "link"]
"""How a listing pages: `page`/`per_page`, `offset`/`limit`, a cursor token, or `next` links."""


def listing_params(
    style: ListingStyle,
    per_page: int,
    *,
    page: int = 1,
    offset: int = 0,
    cursor: tuple[str, str] | None = None,
    probe: bool = False,
) -> dict[str, str | int]:
    """The query of one listing request in `style`.

    The page size goes out as `per_page` and `limit` both, so a server that reads either pages
    by the size asked for. `probe` (the first request when the style is not pinned) asks
    page 1 the documented way; a server paging otherwise answers its first page anyway.
    """
    if style == "page" or probe:
        return {"page": page, "per_page": per_page, "limit": per_page}
    if style == "offset":
        return {"offset": offset, "limit": per_page, "per_page": per_page}
    params: dict[str, str | int] = {"limit": per_page, "per_page": per_page}
    if cursor is not None:
        params[cursor[0]] = cursor[1]
    return params


def widget_config_call(site_id: str) -> Call:
    return _call("widget_config", {"site_id": site_id})


def update_widget_config_call(site_id: str, changes: Mapping[str, Any]) -> Call:
    """PATCH of the widget settings: only the fields given change (Uppzy documents none)."""
    return _call("update_widget_config", {"site_id": site_id}, json=dict(changes))


def create_document_call(site_id: str, doc: NewDocument) -> Call:
    """The create request for `doc`: JSON for text and Q&A, multipart field `file` for files."""
    site = {"site_id": site_id}
    if isinstance(doc, TextDocument):
        body: JsonObject = {"title": doc.title, "content": doc.content}
        if doc.category is not None:
            body["category"] = doc.category
        return _call("create_text_document", site, json=body)
    if isinstance(doc, QaDocument):
        body = {"title": doc.title, "question": doc.question, "answer": doc.answer}
        if doc.category is not None:
            body["category"] = doc.category
        return _call("create_qa_document", site, json=body)
    if isinstance(doc, FileDocument):
        return _call(
            "upload_document", site, files={"file": (doc.filename, doc.data, doc.media_type)}
        )
    raise TypeError(f"not a document payload: {type(doc).__name__}")  # pragma: no cover


def update_document_call(
    site_id: str, doc_id: str, patch: DocumentPatch, words: StatusWords | None = None
) -> Call:
    """PATCH of one document; a status goes out as the service's word (`words`)."""
    status = None if patch.status is None else (words or STATUS_WORDS).to_wire(patch.status)
    body = {
        key: value
        for key, value in (
            ("title", patch.title),
            ("content", patch.content),
            ("question", patch.question),
            ("answer", patch.answer),
            ("category", patch.category),
            ("status", status),
        )
        if value is not None
    }
    return _call("update_document", {"site_id": site_id, "doc_id": doc_id}, json=body)


def bulk_status_call(
    site_id: str, doc_ids: list[str], status: DocumentStatus, words: StatusWords | None = None
) -> Call:
    """Bulk status change, `status` sent as the service's word for it (`words`)."""
    word = (words or STATUS_WORDS).to_wire(status)
    return _call(
        "bulk_status", {"site_id": site_id}, json={"document_ids": doc_ids, "status": word}
    )


def bulk_delete_call(site_id: str, doc_ids: list[str]) -> Call:
    return _call("bulk_delete", {"site_id": site_id}, json={"document_ids": doc_ids})


def chat_call(
    site_id: str,
    session_id: str,
    message: str,
    *,
    email: str | None = None,
    response_language: str | None = None,
    asynchronous: bool = False,
) -> Call:
    body: JsonObject = {"session_id": session_id, "message": message}
    if email is not None:
        body["email"] = email
    if response_language is not None:
        body["response_language"] = response_language
    name = "chat_async" if asynchronous else "chat"
    return _call(name, {"site_id": site_id}, json=body, session_id=session_id)


def chat_request_call(site_id: str, request_id: str) -> Call:
    return _call(
        "chat_request_status",
        {"site_id": site_id, "request_id": request_id},
        request_id=request_id,
    )


def feedback_call(site_id: str, session_id: str, request_id: str, feedback: str) -> Call:
    return _call(
        "submit_feedback",
        {"site_id": site_id},
        json={"session_id": session_id, "request_id": request_id, "feedback": feedback},
        session_id=session_id,
        request_id=request_id,
    )


def close_session_call(site_id: str, session_id: str) -> Call:
    return _call(
        "close_session",
        {"site_id": site_id},
        json={"session_id": session_id},
        session_id=session_id,
    )


# -------------------------------------------------------------------------------- responses

_LIST_KEYS = ("documents", "items", "data", "results", "sessions", "history", "periods")
_OBJECT_KEYS = ("document", "data", "item", "result")
_ID_KEYS = ("id", "document_id", "doc_id", "uuid")

_DOC_TYPES = {
    "text": "text",
    "article": "text",
    "txt": "text",
    "qa": "qa",
    "q&a": "qa",
    "qna": "qa",
    "faq": "qa",
    "question_answer": "qa",
    "question-answer": "qa",
    "file": "file",
    "upload": "file",
    "pdf": "file",
    "docx": "file",
    "document": "file",
}
_READY_WORDS = {"ready", "processed", "indexed", "completed", "complete", "done", "succeeded"}
_NOT_READY_WORDS = {"processing", "pending", "queued", "indexing", "uploading", "in_progress"}
_ASYNC_STATES: dict[str, AsyncState] = {
    "completed": "completed",
    "complete": "completed",
    "done": "completed",
    "succeeded": "completed",
    "success": "completed",
    "answered": "completed",
    "failed": "failed",
    "failure": "failed",
    "error": "failed",
    "errored": "failed",
    "cancelled": "failed",
    "canceled": "failed",
    "expired": "failed",
}
_TRUE_WORDS = {"true", "yes", "1"}
_FALSE_WORDS = {"false", "no", "0"}


class ShapeError(ValueError):
    """A response lacks something kbsync needs (the client turns it into an ApiError).

    `setting` names the `[environments.<env>.api]` key that would absorb the difference.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class UnknownStatusWord(ShapeError):
    """A document's status is a word the environment's `status_words` does not map."""

    def __init__(self, word: str, words: StatusWords, doc_id: str | None = None) -> None:
        whose = f"document {doc_id} has" if doc_id else "a document has"
        super().__init__(
            f"{whose} status {word!r}, which is neither the active word {words.active!r} "
            f"nor the draft word {words.draft!r}",
            setting="status_words",
        )
        self.word = word


@dataclass(frozen=True)
class StatusWords:
    """kbsync's document statuses (`active`, `draft`) and the service's words for them.

    Built from `[environments.<env>.api] status_words`; a word neither maps to is an error,
    never read as draft (a document silently "draft" would be activated, or planned wrong).
    """

    active: str = "active"
    draft: str = "draft"

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str] | None) -> StatusWords:
        """From `{"active": "published", "draft": "inactive"}` (missing keys keep kbsync's)."""
        mapping = mapping or {}
        return cls(active=mapping.get("active", "active"), draft=mapping.get("draft", "draft"))

    def to_wire(self, status: DocumentStatus) -> str:
        """The service's word for kbsync's `status`."""
        if status == "active":
            return self.active
        if status == "draft":
            return self.draft
        raise ValueError(f"not a document status: {status!r}")

    def from_wire(self, value: Any, doc_id: str | None = None) -> DocumentStatus:
        """kbsync's status for the service's `value` (a word, or a boolean `active` flag)."""
        if isinstance(value, bool):
            return "active" if value else "draft"
        word = str(value).strip()
        if word.casefold() == self.active.casefold():
            return "active"
        if word.casefold() == self.draft.casefold():
            return "draft"
        raise UnknownStatusWord(word, self, doc_id)


STATUS_WORDS = StatusWords()
"""Uppzy's words as API.md assumes them: `active` and `draft`."""


def status_to_wire(status: DocumentStatus, words: StatusWords = STATUS_WORDS) -> str:
    """The word sent for kbsync's `status` (bulk-status, update)."""
    return words.to_wire(status)


def status_from_wire(value: Any, words: StatusWords = STATUS_WORDS) -> DocumentStatus:
    """kbsync's status for a word the service sent; :class:`UnknownStatusWord` if unmapped."""
    return words.from_wire(value)


def unwrap_object(body: Any) -> JsonObject:
    """The object itself, whether bare or wrapped as `{"document": {...}}` / `{"data": {...}}`."""
    if not isinstance(body, dict):
        raise ShapeError(f"expected a JSON object, got {_kind(body)}")
    if not any(key in body for key in _ID_KEYS):
        for key in _OBJECT_KEYS:
            inner = body.get(key)
            if isinstance(inner, dict):
                return inner
    return body


def unwrap_list(body: Any, keys: Iterable[str] = _LIST_KEYS) -> list[JsonObject]:
    """The items of a list, whether bare or wrapped under one of the usual keys."""
    items: Any = body
    if isinstance(body, dict):
        items = None
        for key in keys:
            if isinstance(body.get(key), list):
                items = body[key]
                break
        if items is None:
            raise ShapeError(f"expected a list, got an object with keys {sorted(body)[:8]}")
    if not isinstance(items, list):
        raise ShapeError(f"expected a list, got {_kind(body)}")
    return [item for item in items if isinstance(item, dict)]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _text(obj: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = obj.get(key)
        if value is not None and not isinstance(value, dict | list):
            return str(value)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except ValueError:
            return None
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%")) / (100.0 if value.strip().endswith("%") else 1)
        except ValueError:
            return None
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def object_id(obj: Mapping[str, Any]) -> str | None:
    """The object's id under any of the names seen (`id`, `document_id`, …)."""
    return _text(obj, *_ID_KEYS)


def normalise_doc_type(value: str | None) -> str:
    word = (value or "").strip().lower()
    return _DOC_TYPES.get(word, word)


def _readiness(obj: Mapping[str, Any]) -> bool | None:
    for key in ("ready", "is_ready"):
        if key in obj:
            flag = _bool(obj[key])
            if flag is not None:
                return flag
    for key in ("processing_status", "processing_state", "state", "indexing_status"):
        word = str(obj.get(key) or "").strip().lower()
        if word in _READY_WORDS:
            return True
        if word in _NOT_READY_WORDS:
            return False
    return None


DOCUMENT_FIELDS = ("id", "type", "title", "status")
"""What kbsync needs of every listed document: matching by type and title, and its status."""


def parse_document(
    body: Any,
    words: StatusWords = STATUS_WORDS,
    *,
    needs: tuple[str, ...] = DOCUMENT_FIELDS,
) -> RemoteDocument:
    """A document object; a field of `needs` it lacks is a :class:`ShapeError` naming it.

    Absent fields not in `needs` are left empty (`type`/`title` "" and `status` "" — unknown,
    never read as draft). The status is mapped through `words`.
    """
    obj = unwrap_object(body)
    doc_id = object_id(obj)
    if doc_id is None:
        raise ShapeError(f"document without an `id` field (keys: {sorted(obj)[:8]})")
    status_value = obj.get("status")
    if status_value is None and "active" in obj:
        status_value = _bool(obj["active"])
    status = "" if status_value is None else words.from_wire(status_value, doc_id)
    doc_type = normalise_doc_type(_text(obj, "type", "document_type", "kind", "source_type"))
    if not doc_type:
        doc_type = "qa" if "question" in obj else "text" if "content" in obj else ""
    title = _text(obj, "title", "name", "filename", "file_name") or ""
    if not title and doc_type == "qa":
        title = _text(obj, "question") or ""
    found = {"id": doc_id, "type": doc_type, "title": title, "status": status}
    for name in needs:
        if not found.get(name):
            raise ShapeError(f"document {doc_id} has no `{name}` field (keys: {sorted(obj)[:8]})")
    return RemoteDocument(
        id=doc_id,
        type=doc_type,
        title=title,
        category=_text(obj, "category"),
        status=status,
        ready=_readiness(obj),
        content=_text(obj, "content", "text", "body"),
        question=_text(obj, "question"),
        answer=_text(obj, "answer"),
        created_at=_text(obj, "created_at", "createdAt", "created"),
        updated_at=_text(obj, "updated_at", "updatedAt", "updated", "modified_at"),
    )


def parse_written_document(body: Any, words: StatusWords = STATUS_WORDS) -> RemoteDocument:
    """The document a create answers with: its id is all kbsync must have."""
    return parse_document(body, words, needs=("id",))


def maybe_document(body: Any, words: StatusWords = STATUS_WORDS) -> RemoteDocument | None:
    """A document if the body holds one (PATCH may answer with it or with a bare `ok`).

    A status word the environment does not map is still an error: it is not "no document".
    """
    try:
        return parse_document(body, words, needs=("id",))
    except UnknownStatusWord:
        raise
    except ShapeError:
        return None


# ---------------------------------------------------------------------------------- listing

_CURSOR_KEYS = {
    "next_cursor": "cursor",
    "nextCursor": "cursor",
    "next_page_token": "page_token",
    "nextPageToken": "page_token",
    "cursor": "cursor",
    "next": "cursor",
}
"""Keys a next-page token comes under, and the query parameter it goes back in."""
_LINK_NEXT = re.compile(r"<([^>]*)>\s*;[^,]*?\brel\s*=\s*\"?([^\",;]*)", re.IGNORECASE)


@dataclass(frozen=True)
class ListingPage:
    """One response of a document listing, with every paging fact it carried.

    `page`, `offset` and `limit` are what the server echoed (None when it did not); `cursor` is
    the next-page token and the parameter it goes back in; `next_url` a `next` link (body or
    RFC 8288 `Link` header); `bare` says the body was a bare list (no paging facts at all).
    """

    documents: list[RemoteDocument]
    total: int | None = None
    has_more: bool | None = None
    page: int | None = None
    offset: int | None = None
    limit: int | None = None
    cursor: tuple[str, str] | None = None
    next_url: str | None = None
    bare: bool = False
    says_next: bool = False
    """A next-page key (`next_cursor`, `next`, …) was present, even if null: the service
    pages by tokens or links, and a null one means this is the last page."""

    @property
    def ids(self) -> list[str]:
        return [doc.id for doc in self.documents]


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "/", "?"))


def link_header_next(value: str | None) -> str | None:
    """The `rel="next"` target of an RFC 8288 `Link` header, if any."""
    for match in _LINK_NEXT.finditer(value or ""):
        if "next" in match.group(2).lower().split():
            return match.group(1).strip()
    return None


def parse_listing(
    body: Any, headers: Mapping[str, str] | None = None, words: StatusWords = STATUS_WORDS
) -> ListingPage:
    """One listing response: its documents and whatever says where the next page is."""
    documents = [parse_document(item, words) for item in unwrap_list(body)]
    next_url = link_header_next((headers or {}).get("link"))
    if not isinstance(body, dict):
        return ListingPage(documents, next_url=next_url, bare=next_url is None)
    sources = [body]
    for key in ("meta", "pagination", "paging", "page_info", "links", "_links"):
        inner = body.get(key)
        if isinstance(inner, dict):
            sources.append(inner)

    def first(*keys: str) -> Any:
        for source in sources:
            for key in keys:
                if source.get(key) is not None:
                    return source[key]
        return None

    cursor: tuple[str, str] | None = None
    says_next = next_url is not None
    for source in sources:
        for key, param in _CURSOR_KEYS.items():
            says_next = says_next or key in source
            value = source.get(key)
            if isinstance(value, dict):
                value = value.get("href")
            if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
                continue
            text = str(value)
            if _is_url(text):
                next_url = next_url or text
            elif cursor is None:
                cursor = (param, text)
    page_value = first("page", "current_page", "page_number")
    return ListingPage(
        documents,
        total=_int(first("total", "total_count", "totalCount", "total_results")),
        has_more=_bool(first("has_more", "has_next", "hasMore", "more")),
        page=None if isinstance(page_value, dict) else _int(page_value),
        offset=_int(first("offset", "skip", "start")),
        limit=_int(first("per_page", "limit", "page_size", "pageSize")),
        cursor=cursor,
        next_url=next_url,
        says_next=says_next,
    )


def next_link_params(url: str, listing_path: str) -> dict[str, str] | None:
    """The query of a `next` link, if it points at the listing itself (same path); else None.

    Only the query is taken: a link elsewhere would carry the API key to another address.
    """
    parts = urlsplit(url)
    if parts.path and not parts.path.rstrip("/").endswith(listing_path.rstrip("/")):
        return None
    return dict(parse_qsl(parts.query, keep_blank_values=True))


def _quota(obj: Mapping[str, Any], name: str) -> Quota:
    value = obj.get(name)
    if isinstance(value, dict):
        used = _int(value.get("used", value.get("current", value.get("count"))))
        limit = _int(value.get("limit", value.get("max", value.get("quota"))))
        return Quota(used=used, limit=limit)
    return Quota(
        used=_int(obj.get(f"{name}_used", obj.get(f"used_{name}"))),
        limit=_int(obj.get(f"{name}_limit", obj.get(f"max_{name}"))),
    )


def parse_limits(body: Any) -> Limits:
    obj = unwrap_object(body)
    if "limits" in obj and isinstance(obj["limits"], dict):
        obj = obj["limits"]
    return Limits(
        documents=_quota(obj, "documents"),
        storage_bytes=_quota(obj, "storage_bytes"),
        messages=_quota(obj, "messages"),
        max_upload_bytes=_int(obj.get("max_upload_bytes", obj.get("max_file_size"))),
        raw=dict(obj),
    )


def parse_tenant(body: Any) -> TenantInfo:
    obj = unwrap_object(body)
    return TenantInfo(
        id=_text(obj, "id", "tenant_id") or "",
        name=_text(obj, "name"),
        plan=_text(obj, "plan", "plan_level"),
        raw=dict(obj),
    )


def parse_site(body: Any) -> SiteInfo:
    obj = unwrap_object(body)
    return SiteInfo(
        id=_text(obj, "id", "site_id") or "",
        tenant_id=_text(obj, "tenant_id"),
        name=_text(obj, "name"),
        raw=dict(obj),
    )


def parse_site_statistics(body: Any) -> SiteStatistics:
    obj = parse_object(body)
    feedback = obj.get("feedback")
    feedback = feedback if isinstance(feedback, dict) else {}
    return SiteStatistics(
        chats=_int(obj.get("chats")),
        sessions=_int(obj.get("sessions")),
        feedback_good=_int(feedback.get("good", obj.get("feedback_good"))),
        feedback_bad=_int(feedback.get("bad", obj.get("feedback_bad"))),
        documents=_int(obj.get("documents")),
        raw=obj,
    )


def parse_sessions(body: Any) -> list[SessionInfo]:
    sessions = []
    for item in unwrap_list(body):
        session_id = _text(item, "session_id", "id")
        if session_id is None:
            continue
        sessions.append(
            SessionInfo(
                session_id=session_id,
                status=_text(item, "status"),
                created_at=_text(item, "created_at"),
                last_message_at=_text(item, "last_message_at", "updated_at"),
            )
        )
    return sessions


def parse_object(body: Any) -> JsonObject:
    """An object of undocumented shape, unwrapped from `{"data": ...}` if wrapped."""
    if not isinstance(body, dict):
        raise ShapeError(f"expected a JSON object, got {_kind(body)}")
    inner = body.get("data")
    return dict(inner) if len(body) == 1 and isinstance(inner, dict) else dict(body)


def parse_object_list(body: Any) -> list[JsonObject]:
    return unwrap_list(body)


def parse_count(body: Any, *keys: str) -> int | None:
    """The count a bulk call reports (`{"updated": n}`, `{"deleted": n}`), if any."""
    if not isinstance(body, dict):
        return None
    for key in (*keys, "count", "affected"):
        value = _int(body.get(key))
        if value is not None:
            return value
    return None


def parse_chat_answer(body: Any, session_id: str) -> ChatAnswer:
    obj = unwrap_object(body)
    request_id = _text(obj, "request_id", "id")
    answer = _text(obj, "answer", "response", "message")
    if request_id is None or answer is None:
        raise ShapeError("chat response without request_id or answer")
    return ChatAnswer(
        session_id=_text(obj, "session_id") or session_id,
        request_id=request_id,
        answer=answer,
        confidence_level=_lower(_text(obj, "confidence_level")),
        confidence_score=_float(obj.get("confidence_score")),
    )


def _lower(value: str | None) -> str | None:
    return None if value is None else value.strip().lower()


def normalise_async_status(value: str | None) -> AsyncState:
    """`completed` and `failed` end a request; anything else (queued, processing…) is pending."""
    return _ASYNC_STATES.get((value or "").strip().lower(), "pending")


def parse_async_status(body: Any, request_id: str | None = None) -> AsyncStatus:
    obj = unwrap_object(body)
    found_id = _text(obj, "request_id", "id") or request_id
    if found_id is None:
        raise ShapeError("async chat response without request_id")
    raw = _text(obj, "status", "state") or ""
    state = normalise_async_status(raw)
    answer = _text(obj, "answer")
    if not raw and answer is not None:
        state = "completed"
    error = obj.get("error")
    if isinstance(error, dict):
        error = error.get("message") or error.get("code")
    return AsyncStatus(
        session_id=_text(obj, "session_id"),
        request_id=found_id,
        status=state,
        answer=answer,
        error=None if error is None else str(error),
        confidence_level=_lower(_text(obj, "confidence_level")),
        confidence_score=_float(obj.get("confidence_score")),
        raw_status=raw,
    )


def parse_feedback(body: Any, request_id: str, feedback: str) -> FeedbackResult:
    obj = unwrap_object(body) if isinstance(body, dict) else {}
    return FeedbackResult(
        status=_text(obj, "status") or "ok",
        request_id=_text(obj, "request_id") or request_id,
        feedback=_text(obj, "feedback") or feedback,
        submitted_at=_text(obj, "feedback_submitted_at", "submitted_at"),
    )


# ----------------------------------------------------------------------------------- errors


def error_text(body: Any) -> str | None:
    """Uppzy's error string from `{"error": "..."}` or the usual variants; None if absent."""
    if isinstance(body, str):
        return body.strip() or None
    if not isinstance(body, dict):
        return None
    value = body.get("error", body.get("message", body.get("detail")))
    if isinstance(value, dict):
        value = value.get("message") or value.get("code")
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    return None if value is None else str(value)


def error_request_id(body: Any) -> str | None:
    if isinstance(body, dict):
        return _text(body, "request_id")
    return None


PLAN_ERROR = "api_access_not_available_on_plan"

SENSITIVE_FIELDS = frozenset({"content", "question", "answer", "message", "email"})
"""Request fields whose values never reach a log or an error message, even if echoed back."""
_WITHHELD = "(withheld: it quotes the request)"


def redact(text: str | None, call: Call) -> str | None:
    """`text` (a server's error string), withheld if it quotes a sensitive value of the request.

    A quote is the whole value, any three consecutive words of it, or any long word of it.
    """
    if not text or not isinstance(call.json, dict):
        return text
    flat = " ".join(text.split())
    for key in SENSITIVE_FIELDS:
        value = call.json.get(key)
        if not isinstance(value, str):
            continue
        words = value.split()
        whole = " ".join(words)
        if (
            (len(whole) >= 4 and whole in flat)
            or any(" ".join(words[i : i + 3]) in flat for i in range(len(words) - 2))
            or any(len(word) >= 12 and word in flat for word in words)
        ):
            return _WITHHELD
    return text


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """A `Retry-After` header as seconds from now: delta-seconds or an HTTP date; None if bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:  # pragma: no cover - older Pythons returned None
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)
