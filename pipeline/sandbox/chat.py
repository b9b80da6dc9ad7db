"""Chat endpoints: sync and async chat (BM25 answers), request status, feedback, session close."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.sandbox import answering
from pipeline.sandbox.access import Context, context_of, site_of
from pipeline.sandbox.answering import Answer, Source
from pipeline.sandbox.payloads import (
    ID_MAX,
    MESSAGE_MAX,
    HttpError,
    calendar_month,
    iso,
    json_object,
    text_field,
)
from pipeline.sandbox.store import ChatRequest, SessionClosed, Site, Tenant

ASYNC_FAILURE = "the assistant could not answer this request"


def answer_question(context: Context, site_id: str, message: str) -> Answer:
    """Answer from the site's active, ready documents (:mod:`pipeline.sandbox.answering`)."""
    now = context.clock()
    delay = context.settings.ready_delay
    sources = [
        Source(
            key=d.id,
            title=d.title,
            type=d.type,
            question=d.question or "",
            body=(d.answer if d.type == "qa" else d.content) or "",
        )
        for d in context.store.active_documents(site_id)
        if now >= d.indexed_at + delay
    ]
    return answering.answer_question(sources, message)


@dataclass(frozen=True)
class ChatInput:
    session_id: str
    message: str
    email: str | None


async def _chat_input(request: Request) -> ChatInput:
    body = await json_object(request)
    session_id = text_field(body, "session_id", required=True, max_length=ID_MAX)
    message = text_field(body, "message", required=True, max_length=MESSAGE_MAX)
    email = text_field(body, "email", max_length=320, blank_ok=True)
    text_field(body, "response_language", max_length=35, blank_ok=True)
    assert session_id is not None and message is not None
    return ChatInput(session_id, message, email or None)


def _record_chat(
    request: Request, site: Site, tenant: Tenant, given: ChatInput, *, mode: str
) -> ChatRequest:
    context = context_of(request)
    now = context.clock()
    _, start, end = calendar_month(now)
    if context.store.messages_between(tenant.id, start, end) >= tenant.limits.messages:
        raise HttpError(403, "message_limit_reached")
    answer = answer_question(context, site.id, given.message)
    failed = mode == "async" and context.faults.async_fails()
    delay = context.settings.async_delay if mode == "async" else 0.0
    record = ChatRequest(
        id="req_" + uuid.uuid4().hex,
        site_id=site.id,
        tenant_id=tenant.id,
        session_id=given.session_id,
        email=given.email,
        mode=mode,
        created_at=now,
        complete_at=now + delay,
        failed=failed,
        answer=answer.text,
        confidence_score=answer.confidence_score,
        confidence_level=answer.confidence_level,
        document_id=answer.key,
        feedback=None,
        feedback_at=None,
    )
    try:
        context.store.add_chat_request(record)
    except SessionClosed:
        raise HttpError(409, "session closed") from None
    return record


async def chat(request: Request) -> Response:
    site, tenant = site_of(request)
    given = await _chat_input(request)
    record = _record_chat(request, site, tenant, given, mode="sync")
    return JSONResponse(
        {
            "session_id": record.session_id,
            "request_id": record.id,
            "answer": record.answer,
            "confidence_level": record.confidence_level,
            "confidence_score": record.confidence_score,
        }
    )


async def chat_async(request: Request) -> Response:
    site, tenant = site_of(request)
    given = await _chat_input(request)
    record = _record_chat(request, site, tenant, given, mode="async")
    return JSONResponse(
        {"session_id": record.session_id, "request_id": record.id, "status": "pending"},
        status_code=202,
    )


def request_state(record: ChatRequest, now: float) -> str:
    if now < record.complete_at:
        return "pending"
    return "failed" if record.failed else "completed"


async def get_chat_request(request: Request) -> Response:
    site, _ = site_of(request)
    context = context_of(request)
    record = context.store.chat_request(site.id, request.path_params["request_id"])
    if record is None:
        raise HttpError(404, "request not found")
    state = request_state(record, context.clock())
    payload: dict[str, Any] = {
        "session_id": record.session_id,
        "request_id": record.id,
        "status": state,
    }
    if state == "completed":
        payload["answer"] = record.answer
        payload["confidence_level"] = record.confidence_level
        payload["confidence_score"] = record.confidence_score
    elif state == "failed":
        payload["error"] = ASYNC_FAILURE
    return JSONResponse(payload)


async def submit_feedback(request: Request) -> Response:
    site, _ = site_of(request)
    body = await json_object(request)
    invalid = "feedback must be 'good' or 'bad'"
    session_id = text_field(body, "session_id", required=True, max_length=ID_MAX, missing=invalid)
    request_id = text_field(body, "request_id", required=True, max_length=ID_MAX, missing=invalid)
    feedback = body.get("feedback")
    if feedback not in ("good", "bad"):
        raise HttpError(400, invalid)
    context = context_of(request)
    assert request_id is not None
    record = context.store.chat_request(site.id, request_id)
    if record is None or record.session_id != session_id:
        raise HttpError(404, "request not found")
    now = context.clock()
    if request_state(record, now) != "completed":
        raise HttpError(409, "request is not completed")
    first = context.store.set_feedback(record.id, str(feedback), now)
    payload: dict[str, Any] = {"status": "ok", "request_id": record.id, "feedback": feedback}
    if first:
        payload["feedback_submitted_at"] = iso(now)
    return JSONResponse(payload)


async def close_session(request: Request) -> Response:
    site, _ = site_of(request)
    body = await json_object(request)
    session_id = text_field(body, "session_id", required=True, max_length=ID_MAX)
    assert session_id is not None
    context = context_of(request)
    context.store.close_session(site.id, session_id, context.clock())
    return JSONResponse({"status": "ok"})
