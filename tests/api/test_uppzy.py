"""The wire format: requests built as API.md says, responses read tolerantly."""

from __future__ import annotations

import email.utils

import pytest

from pipeline.api import uppzy
from pipeline.api.models import DocumentPatch, FileDocument, QaDocument, TextDocument


def test_every_endpoint_is_described_once_with_a_method_and_a_path() -> None:
    paths = [(e.method, e.path) for e in uppzy.ENDPOINTS.values()]
    assert len(paths) == len(set(paths)) == 23
    assert all(e.path.startswith("/m2m/") for e in uppzy.ENDPOINTS.values())


@pytest.mark.parametrize(
    ("name", "repeatable"),
    [
        ("list_documents", True),
        ("update_document", True),
        ("bulk_status", True),
        ("bulk_delete", True),
        ("submit_feedback", True),
        ("close_session", True),
        ("chat_request_status", True),
        ("create_text_document", False),
        ("create_qa_document", False),
        ("upload_document", False),
        ("chat", False),
        ("chat_async", False),
    ],
)
def test_which_endpoints_are_safely_repeatable(name: str, repeatable: bool) -> None:
    assert uppzy.ENDPOINTS[name].repeatable is repeatable


def test_only_sync_chat_uses_the_long_read_timeout() -> None:
    assert [e.name for e in uppzy.ENDPOINTS.values() if e.chat] == ["chat"]


def test_path_values_are_percent_encoded() -> None:
    call = uppzy.user_statistics_call("s_help", "ana+x@example.com")
    assert call.path == "/m2m/sites/s_help/users/ana%2Bx%40example.com/statistics"
    assert uppzy.update_document_call("s", "a/b", DocumentPatch(title="t")).path == (
        "/m2m/sites/s/documents/a%2Fb"
    )


def test_text_and_qa_bodies_carry_the_documented_fields_only() -> None:
    text = uppzy.create_document_call("s", TextDocument("Hours", "Open 9-5", "support"))
    assert (text.endpoint.name, text.path) == (
        "create_text_document",
        "/m2m/sites/s/documents/text",
    )
    assert text.json == {"title": "Hours", "content": "Open 9-5", "category": "support"}
    qa = uppzy.create_document_call("s", QaDocument("Q1", "Why?", "Because."))
    assert qa.path == "/m2m/sites/s/documents/qa"
    assert qa.json == {"title": "Q1", "question": "Why?", "answer": "Because."}


def test_a_file_is_uploaded_as_multipart_field_file() -> None:
    call = uppzy.create_document_call("s", FileDocument("policy.pdf", b"%PDF-1.4"))
    assert call.endpoint.name == "upload_document"
    assert call.json is None
    assert call.files == {"file": ("policy.pdf", b"%PDF-1.4", "application/pdf")}


def test_a_patch_sends_only_the_fields_given() -> None:
    call = uppzy.update_document_call("s", "d1", DocumentPatch(content="new", status="active"))
    assert call.json == {"content": "new", "status": "active"}


def test_chat_body_omits_unset_optional_fields() -> None:
    call = uppzy.chat_call("s", "sess-1", "hi")
    assert call.json == {"session_id": "sess-1", "message": "hi"}
    assert call.session_id == "sess-1"
    call = uppzy.chat_call("s", "sess-1", "hi", response_language="en", asynchronous=True)
    assert call.endpoint.name == "chat_async"
    assert call.json["response_language"] == "en"


DOC = {
    "id": "d1",
    "type": "text",
    "title": "Hours",
    "category": "support",
    "status": "active",
    "ready": True,
    "content": "Open 9-5",
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-02T00:00:00Z",
}


def test_a_document_as_api_md_describes_it() -> None:
    doc = uppzy.parse_document(DOC)
    assert (doc.id, doc.type, doc.title, doc.category) == ("d1", "text", "Hours", "support")
    assert (doc.status, doc.ready, doc.content) == ("active", True, "Open 9-5")
    assert doc.updated_at == "2026-01-02T00:00:00Z"


@pytest.mark.parametrize(
    "variant",
    [
        {**DOC, "id": None, "document_id": "d1"},
        {"document": DOC},
        {"data": DOC},
        {**DOC, "id": 1234},
    ],
)
def test_a_document_is_read_whatever_its_id_key_or_wrapper(variant: dict[str, object]) -> None:
    doc = uppzy.parse_document(variant)
    assert doc.id in ("d1", "1234")
    assert doc.title == "Hours"


@pytest.mark.parametrize(
    ("raw", "status"),
    [("Active", "active"), ("draft", "draft"), (True, "active"), (False, "draft")],
)
def test_the_environments_status_words_are_read(raw: object, status: str) -> None:
    assert uppzy.parse_document({**DOC, "status": raw}).status == status


@pytest.mark.parametrize("raw", ["INACTIVE", "disabled", "published", "archived", ""])
def test_an_unmapped_status_word_is_an_error_naming_it_never_draft(raw: str) -> None:
    with pytest.raises(uppzy.UnknownStatusWord, match=f"status {raw!r}") as caught:
        uppzy.parse_document({**DOC, "status": raw})
    assert caught.value.setting == "status_words"


def test_status_words_map_both_ways_through_the_setting() -> None:
    words = uppzy.StatusWords.from_mapping({"active": "published", "draft": "inactive"})
    assert uppzy.parse_document({**DOC, "status": "Published"}, words).status == "active"
    assert uppzy.parse_document({**DOC, "status": "inactive"}, words).status == "draft"
    assert uppzy.status_to_wire("active", words) == "published"
    assert uppzy.status_from_wire("inactive", words) == "draft"
    with pytest.raises(uppzy.UnknownStatusWord, match="'active'"):
        uppzy.parse_document({**DOC, "status": "active"}, words)
    assert uppzy.bulk_status_call("s", ["d1"], "draft", words).json == {
        "document_ids": ["d1"],
        "status": "inactive",
    }
    patch = DocumentPatch(status="active")
    assert uppzy.update_document_call("s", "d1", patch, words).json == {"status": "published"}


@pytest.mark.parametrize("missing", ["status", "title", "type"])
def test_a_listed_document_without_a_needed_field_is_an_error_naming_it(missing: str) -> None:
    body = {key: value for key, value in DOC.items() if key != missing}
    body.pop("content", None) if missing == "type" else None
    with pytest.raises(uppzy.ShapeError, match=f"document d1 has no `{missing}` field"):
        uppzy.parse_listing({"documents": [body]})


@pytest.mark.parametrize(
    ("fields", "ready"),
    [
        ({"ready": False}, False),
        ({"ready": "true"}, True),
        ({"ready": None, "processing_status": "processing"}, False),
        ({"ready": None, "state": "indexed"}, True),
        ({"ready": None}, None),
    ],
)
def test_readiness_is_read_from_any_known_field_or_left_unknown(
    fields: dict[str, object], ready: bool | None
) -> None:
    assert uppzy.parse_document({**DOC, **fields}).ready is ready


def test_q_and_a_type_spellings_are_normalised() -> None:
    for spelling in ("qa", "Q&A", "faq", "question_answer"):
        assert uppzy.parse_document({**DOC, "type": spelling}).type == "qa"


def test_a_document_without_any_id_is_refused() -> None:
    with pytest.raises(uppzy.ShapeError, match="without an `id` field"):
        uppzy.parse_document({"title": "x"})


@pytest.mark.parametrize(
    "body",
    [
        [DOC],
        {"documents": [DOC], "total": 1},
        {"items": [DOC]},
        {"data": [DOC]},
        {"results": [DOC], "meta": {"total": 1}},
    ],
)
def test_a_page_is_read_bare_or_wrapped(body: object) -> None:
    page = uppzy.parse_listing(body)
    assert [doc.id for doc in page.documents] == ["d1"]
    assert page.bare is isinstance(body, list)


def test_paging_facts_are_read_when_present() -> None:
    page = uppzy.parse_listing({"documents": [DOC], "page": 2, "per_page": 50, "total": 120})
    assert (page.total, page.limit, page.page, page.has_more) == (120, 50, 2, None)
    page = uppzy.parse_listing({"items": [DOC], "has_more": False})
    assert page.has_more is False
    page = uppzy.parse_listing({"data": [DOC], "offset": 40, "limit": 20, "total": 58})
    assert (page.offset, page.limit, page.total, page.cursor) == (40, 20, 58, None)


@pytest.mark.parametrize(
    ("body", "cursor"),
    [
        ({"data": [DOC], "next_cursor": "abc"}, ("cursor", "abc")),
        ({"data": [DOC], "next_page_token": "t2"}, ("page_token", "t2")),
        ({"data": [DOC], "next": "opaque=="}, ("cursor", "opaque==")),
        ({"data": [DOC], "meta": {"cursor": "c9"}, "has_more": True}, ("cursor", "c9")),
        ({"data": [DOC], "next_cursor": None}, None),
    ],
)
def test_cursor_tokens_are_recognised_under_every_usual_key(
    body: object, cursor: tuple[str, str] | None
) -> None:
    assert uppzy.parse_listing(body).cursor == cursor


def test_next_links_come_from_the_body_or_an_rfc_8288_link_header() -> None:
    page = uppzy.parse_listing({"data": [DOC], "next": "/api/v1/m2m/sites/s/documents?p=2"})
    assert (page.next_url, page.cursor) == ("/api/v1/m2m/sites/s/documents?p=2", None)
    link = '<https://x.test/a?page=1>; rel="prev", <https://x.test/a?page=3>; rel="next"'
    assert uppzy.parse_listing([DOC], {"link": link}).next_url == "https://x.test/a?page=3"
    assert uppzy.parse_listing([DOC], {"link": link}).bare is False
    assert uppzy.link_header_next('<https://x.test/a?page=9>; rel="last"') is None


def test_a_next_link_is_followed_only_on_the_listing_itself() -> None:
    path = "/m2m/sites/s/documents"
    assert uppzy.next_link_params("https://api.test/api/v1/m2m/sites/s/documents?c=2", path) == {
        "c": "2"
    }
    assert uppzy.next_link_params("?page=2&per_page=100", path) == {"page": "2", "per_page": "100"}
    assert uppzy.next_link_params("https://evil.test/collect?c=2", path) is None


def test_a_list_that_is_neither_bare_nor_wrapped_is_refused() -> None:
    with pytest.raises(uppzy.ShapeError, match="expected a list"):
        uppzy.parse_listing({"weird": 1})


def test_limits_nested_and_flat() -> None:
    nested = uppzy.parse_limits(
        {
            "documents": {"used": 3, "limit": 500},
            "storage_bytes": {"used": 10, "limit": 100},
            "messages": {"used": 0, "limit": 10},
            "max_upload_bytes": 1024,
        }
    )
    assert (nested.documents.used, nested.documents.limit, nested.documents.remaining) == (
        3,
        500,
        497,
    )
    assert nested.max_upload_bytes == 1024
    flat = uppzy.parse_limits({"documents_used": 7, "max_documents": 10})
    assert (flat.documents.used, flat.documents.limit) == (7, 10)
    assert flat.messages.remaining is None


def test_chat_answer_and_its_confidence() -> None:
    answer = uppzy.parse_chat_answer(
        {
            "session_id": "s1",
            "request_id": "req_1",
            "answer": "Yes.",
            "confidence_level": "LOW",
            "confidence_score": 0.21,
        },
        "s1",
    )
    assert (answer.request_id, answer.confidence_level, answer.confidence_score) == (
        "req_1",
        "low",
        0.21,
    )
    with pytest.raises(uppzy.ShapeError):
        uppzy.parse_chat_answer({"session_id": "s1"}, "s1")


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("completed", "completed"),
        ("done", "completed"),
        ("failed", "failed"),
        ("error", "failed"),
        ("pending", "pending"),
        ("queued", "pending"),
        ("processing", "pending"),
    ],
)
def test_async_states_are_normalised(raw: str, state: str) -> None:
    status = uppzy.parse_async_status({"request_id": "req_1", "status": raw})
    assert status.status == state
    assert status.raw_status == raw


def test_feedback_receipt_without_timestamp_is_a_repeat() -> None:
    first = uppzy.parse_feedback(
        {"status": "ok", "request_id": "r", "feedback": "good", "feedback_submitted_at": "t"},
        "r",
        "good",
    )
    again = uppzy.parse_feedback(
        {"status": "ok", "request_id": "r", "feedback": "good"}, "r", "good"
    )
    assert not first.repeated and again.repeated


def test_bulk_counts() -> None:
    assert uppzy.parse_count({"updated": 3}, "updated") == 3
    assert uppzy.parse_count({"count": 2}, "deleted") == 2
    assert uppzy.parse_count(None, "deleted") is None


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"error": "site not found"}, "site not found"),
        ({"error": {"message": "bad", "code": "x"}}, "bad"),
        ({"message": "oops"}, "oops"),
        ({"detail": ["a", "b"]}, "a; b"),
        ("plain text", "plain text"),
        (None, None),
    ],
)
def test_error_text_variants(body: object, text: str | None) -> None:
    assert uppzy.error_text(body) == text


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert uppzy.retry_after_seconds("2") == 2.0
    assert uppzy.retry_after_seconds("0.5") == 0.5
    assert uppzy.retry_after_seconds("-3") == 0.0
    assert uppzy.retry_after_seconds("soon") is None
    assert uppzy.retry_after_seconds(None) is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert uppzy.retry_after_seconds(date, now=1_000_000) == 30.0


def test_a_server_error_that_quotes_sensitive_request_text_is_withheld() -> None:
    call = uppzy.create_document_call("s", TextDocument("Hours", "We open at nine every weekday"))
    assert uppzy.redact("title is required", call) == "title is required"
    assert uppzy.redact("bad: We open at nine every weekday", call) == (
        "(withheld: it quotes the request)"
    )
    assert uppzy.redact("near 'at nine every'", call) == "(withheld: it quotes the request)"
    chat = uppzy.chat_call("s", "sess", "Supercalifragilistic question")
    assert uppzy.redact("unknown word Supercalifragilistic", chat) == (
        "(withheld: it quotes the request)"
    )
