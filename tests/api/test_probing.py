"""What the api layer gives `kbsync probe`: recorded answers, single exchanges (error answers
returned, not raised), listings with their style, and the documented error requests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.api import NotFoundError, TextDocument, UppzyClient
from pipeline.api.probing import (
    WRONG_KEY,
    documented_error_calls,
    quoted_words,
    rate_limit_headers,
    status_word,
)
from pipeline.asgi_bridge import SyncASGITransport
from pipeline.config import ApiConfig
from pipeline.sandbox import Sandbox, Scope
from tests.api.conftest import FAST_HTTP, LOCAL_ENV, SITE, TENANT


def test_recording_keeps_every_answer_with_status_and_body(local: UppzyClient) -> None:
    with local.recording() as tape:
        doc = local.create_text_document(SITE, TextDocument("Hours", "9 to 5"))
        with pytest.raises(NotFoundError):
            local.site("s_missing")
    local.tenant()  # after the block: not recorded
    assert [(item.endpoint, item.status) for item in tape.exchanges] == [
        ("create_text_document", 201),
        ("site", 404),
    ]
    created = tape.last("create_text_document")
    assert created is not None and created.body["id"] == doc.id
    assert status_word(created.body) == "draft"
    assert tape.exchanges[1].body == {"error": "site not found"}
    assert tape.of("tenant") == []


def test_exchange_answers_error_statuses_without_raising_or_retrying(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    calls = documented_error_calls(TENANT, SITE, "kbsync-probe-session")
    answers = [
        local.exchange(item.call, api_key=WRONG_KEY if item.wrong_key else None) for item in calls
    ]
    assert [(a.endpoint, a.status, a.body) for a in answers] == [
        (item.endpoint, item.status, item.body) for item in calls
    ]
    assert [item.body["error"] for item in calls] == [
        "invalid_api_key",
        "session_id is required",
        "feedback must be 'good' or 'bad'",
        "request not found",
    ]
    assert len(sandbox.request_log()) == 4  # one request each, none retried


@pytest.mark.parametrize(
    ("dialect", "style"), [("page", "page"), ("offset", "offset"), ("cursor", "cursor")]
)
def test_read_listing_says_how_the_listing_paged(dialect: str, style: str) -> None:
    with Sandbox(None, open_scope=Scope.local(), ready_delay=0.0, dialect=dialect) as box:
        env = replace(LOCAL_ENV, http=FAST_HTTP)
        with UppzyClient.for_environment(env, transport=SyncASGITransport(box.app)) as client:
            ids = [
                client.create_text_document(SITE, TextDocument(f"T{n}", "x")).id for n in range(5)
            ]
            read = client.read_listing(SITE, per_page=2)
            assert [doc.id for doc in read.documents] == ids
            assert (read.style, read.per_page) == (style, 2)
            assert read.total == (None if dialect == "cursor" else 5)
            assert read.requests == 3
            pinned = client.read_listing(SITE, per_page=2, pagination=style)
            assert [doc.id for doc in pinned.documents] == ids


def test_read_listing_pagination_overrides_the_environment(sandbox: Sandbox) -> None:
    env = replace(LOCAL_ENV, http=FAST_HTTP, api=ApiConfig(pagination="offset"))
    with UppzyClient.for_environment(env, transport=SyncASGITransport(sandbox.app)) as client:
        for n in range(3):
            client.create_text_document(SITE, TextDocument(f"T{n}", "x"))
        assert client.read_listing(SITE, per_page=2, pagination="auto").style == "page"


def test_wire_facts_for_the_probe() -> None:
    assert quoted_words("invalid payload: status must be 'inactive' or 'published'") == [
        "inactive",
        "published",
    ]
    assert quoted_words('use "a", "b" or "a"') == ["a", "b"]
    assert quoted_words(None) == []
    headers = {
        "x-ratelimit-remaining": "3",
        "Retry-After": "2",
        "content-type": "x",
        "RateLimit-Policy": "1",
    }
    assert rate_limit_headers(headers) == [
        "X-RateLimit-Remaining",
        "Retry-After",
        "Ratelimit-Policy",
    ]
    assert status_word({"document": {"id": "d1", "status": "published"}}) == "published"
    assert status_word({"id": "d1"}) is None
    assert status_word([1, 2]) is None
