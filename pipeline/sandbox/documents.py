"""Document endpoints: list, create (text, Q&A, file upload), update, bulk status and delete."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.sandbox.access import context_of, site_of
from pipeline.sandbox.dialect import Dialect, decode_cursor, encode_cursor
from pipeline.sandbox.payloads import (
    MESSAGE_MAX,
    NON_BLANK,
    HttpError,
    document_ids_field,
    iso,
    json_object,
    query_int,
    status_field,
    text_field,
)
from pipeline.sandbox.store import Document, QuotaExceeded, Site, Tenant

TITLE_MAX = 300
CATEGORY_MAX = 100
PAGE_MAX = 1_000_000
FILE_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/plain",
    ".markdown": "text/plain",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ACCEPTED_CONTENT_TYPES = frozenset({*FILE_TYPES.values(), "text/markdown"})


def document_json(
    document: Document, now: float, ready_delay: float, dialect: Dialect | None = None
) -> dict[str, Any]:
    """The document object of API.md, its status in the dialect's words."""
    data: dict[str, Any] = {
        "id": document.id,
        "type": document.type,
        "title": document.title,
        "category": document.category,
        "status": (dialect or Dialect()).word(document.status),
        "ready": now >= document.indexed_at + ready_delay,
        "created_at": iso(document.created_at),
        "updated_at": iso(document.updated_at),
    }
    if document.type == "text":
        data["content"] = document.content
    elif document.type == "qa":
        data["question"] = document.question
        data["answer"] = document.answer
    else:
        data["filename"] = document.filename
        data["content_type"] = document.content_type
        data["size_bytes"] = document.size_bytes
    return data


def _document_response(request: Request, document: Document, status: int = 200) -> Response:
    context = context_of(request)
    settings = context.settings
    payload = document_json(document, context.clock(), settings.ready_delay, settings.dialect)
    return JSONResponse(payload, status_code=status)


def text_size(*parts: str | None) -> int:
    return sum(len(part.encode("utf-8")) for part in parts if part)


async def list_documents(request: Request) -> Response:
    """The listing, paged the dialect's way (see :mod:`pipeline.sandbox.dialect`)."""
    site, _ = site_of(request)
    context = context_of(request)
    settings = context.settings
    paging = settings.dialect.paging
    if paging == "page":
        page = query_int(request, "page", 1, 1, PAGE_MAX)
        limit = query_int(request, "per_page", 50, 1, 100)
        offset = (page - 1) * limit
    else:
        limit = query_int(request, "limit", 20, 1, 100)
        if paging == "offset":
            offset = query_int(request, "offset", 0, 0, PAGE_MAX * 100)
        else:
            token = request.query_params.get("cursor")
            decoded = 0 if token is None else decode_cursor(token)
            if decoded is None:
                raise HttpError(400, "invalid query parameter: cursor")
            offset = decoded
    documents, total = context.store.documents(site.id, offset=offset, limit=limit)
    now = context.clock()
    items = [document_json(d, now, settings.ready_delay, settings.dialect) for d in documents]
    if paging == "page":
        body: dict[str, Any] = {
            "documents": items,
            "page": offset // limit + 1,
            "per_page": limit,
            "total": total,
        }
    elif paging == "offset":
        body = {"data": items, "offset": offset, "limit": limit, "total": total}
    else:
        following = offset + len(documents)
        body = {
            "data": items,
            "next_cursor": encode_cursor(following) if following < total else None,
        }
    return JSONResponse(body)


def _new_document(site: Site, now: float, **fields: Any) -> Document:
    values: dict[str, Any] = {
        "id": "doc_" + secrets.token_hex(12),
        "site_id": site.id,
        "category": None,
        "status": "draft",
        "content": None,
        "question": None,
        "answer": None,
        "filename": None,
        "content_type": None,
        "created_at": now,
        "updated_at": now,
        "indexed_at": now,
    }
    values.update(fields)
    return Document(**values)


def _store_new(request: Request, document: Document, tenant: Tenant) -> Response:
    try:
        context_of(request).store.add_document(document, tenant.id, tenant.limits)
    except QuotaExceeded as exc:
        reason = "document_limit_reached" if exc.what == "documents" else "storage_limit_reached"
        raise HttpError(403, reason) from None
    return _document_response(request, document, status=201)


async def create_text_document(request: Request) -> Response:
    site, tenant = site_of(request)
    body = await json_object(request)
    title = text_field(body, "title", required=True, max_length=TITLE_MAX)
    content = text_field(body, "content", required=True)
    category = text_field(body, "category", max_length=CATEGORY_MAX, blank_ok=True)
    status = status_field(body, context_of(request).settings.dialect) or "draft"
    document = _new_document(
        site,
        context_of(request).clock(),
        type="text",
        title=title,
        content=content,
        category=category,
        status=status,
        size_bytes=text_size(title, content),
    )
    return _store_new(request, document, tenant)


async def create_qa_document(request: Request) -> Response:
    site, tenant = site_of(request)
    body = await json_object(request)
    question = text_field(body, "question", required=True, max_length=MESSAGE_MAX)
    answer = text_field(body, "answer", required=True)
    title = text_field(body, "title", max_length=TITLE_MAX) or question
    category = text_field(body, "category", max_length=CATEGORY_MAX, blank_ok=True)
    status = status_field(body, context_of(request).settings.dialect) or "draft"
    document = _new_document(
        site,
        context_of(request).clock(),
        type="qa",
        title=title,
        question=question,
        answer=answer,
        category=category,
        status=status,
        size_bytes=text_size(title, question, answer),
    )
    return _store_new(request, document, tenant)


async def upload_document(request: Request) -> Response:
    site, tenant = site_of(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise HttpError(415, "upload a file as multipart/form-data with the field 'file'")
    try:
        form = await request.form(max_files=1, max_fields=10)
    except (MultiPartException, HTTPException, ValueError):
        # Starlette reports a malformed multipart body as HTTPException(400); python-multipart
        # raises ValueError subclasses for bodies it cannot parse at all.
        raise HttpError(400, "invalid payload: malformed multipart body") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HttpError(400, "file is required")
        data = await upload.read()
        filename = PurePosixPath((upload.filename or "").replace("\\", "/")).name or "upload"
        declared = (upload.content_type or "").split(";")[0].strip().lower()
        title = _form_text(form.get("title"), "title", TITLE_MAX) or filename
        category = _form_text(form.get("category"), "category", CATEGORY_MAX)
    finally:
        await form.close()
    kind = FILE_TYPES.get(PurePosixPath(filename).suffix.lower())
    if kind is None and declared in ACCEPTED_CONTENT_TYPES:
        kind = "text/plain" if declared == "text/markdown" else declared
    if kind is None:
        raise HttpError(415, "unsupported file type: upload PDF, Word (.doc, .docx) or plain text")
    if len(data) > tenant.limits.max_upload_bytes:
        raise HttpError(413, "file exceeds max_upload_bytes")
    text = data.decode("utf-8", errors="replace") if kind == "text/plain" else None
    document = _new_document(
        site,
        context_of(request).clock(),
        type="file",
        title=title,
        category=category,
        content=text,
        filename=filename,
        content_type=kind,
        size_bytes=len(data),
    )
    return _store_new(request, document, tenant)


def _form_text(value: object, name: str, max_length: int) -> str | None:
    if value is None or (isinstance(value, str) and not NON_BLANK.search(value)):
        return None
    if not isinstance(value, str):
        raise HttpError(400, f"invalid payload: {name} must be a text field")
    if len(value) > max_length:
        raise HttpError(400, f"invalid payload: {name} is longer than {max_length} characters")
    return value


_TYPE_FIELDS = {"text": ("content",), "qa": ("question", "answer"), "file": ()}


async def update_document(request: Request) -> Response:
    site, tenant = site_of(request)
    context = context_of(request)
    document = context.store.document(site.id, request.path_params["doc_id"])
    if document is None:
        raise HttpError(404, "document not found")
    body = await json_object(request)
    for name in ("content", "question", "answer"):
        if name in body and name not in _TYPE_FIELDS[document.type]:
            raise HttpError(
                400, f"invalid payload: {name} does not apply to a {document.type} document"
            )
    changes: dict[str, Any] = {}
    title = text_field(body, "title", max_length=TITLE_MAX)
    if "title" in body and title is None:
        raise HttpError(400, "title is required")
    if title is not None:
        changes["title"] = title
    for name in _TYPE_FIELDS[document.type]:
        value = text_field(body, name, max_length=MESSAGE_MAX if name == "question" else None)
        if name in body and value is None:
            raise HttpError(400, f"{name} is required")
        if value is not None:
            changes[name] = value
    if "category" in body:
        changes["category"] = text_field(body, "category", max_length=CATEGORY_MAX, blank_ok=True)
    status = status_field(body, context.settings.dialect)
    if status is not None:
        changes["status"] = status
    changed = {k: v for k, v in changes.items() if getattr(document, k) != v}
    if not changed:
        return _document_response(request, document)
    now = context.clock()
    updated = replace(document, **changed, updated_at=now)
    if {"title", "content", "question", "answer"} & changed.keys():
        size = (
            text_size(updated.title, updated.content, updated.question, updated.answer)
            if document.type != "file"
            else document.size_bytes
        )
        updated = replace(updated, indexed_at=now, size_bytes=size)
    try:
        context.store.replace_document(updated, tenant.id, tenant.limits)
    except QuotaExceeded:
        raise HttpError(403, "storage_limit_reached") from None
    return _document_response(request, updated)


async def bulk_update_status(request: Request) -> Response:
    site, _ = site_of(request)
    body = await json_object(request)
    ids = document_ids_field(body)
    context = context_of(request)
    status = status_field(body, context.settings.dialect, required=True)
    assert status is not None
    updated = context.store.set_status(site.id, ids, status, context.clock())
    return JSONResponse({"updated": updated})


async def bulk_delete(request: Request) -> Response:
    site, _ = site_of(request)
    body = await json_object(request)
    ids = document_ids_field(body)
    deleted = context_of(request).store.delete_documents(site.id, ids)
    return JSONResponse({"deleted": deleted})
