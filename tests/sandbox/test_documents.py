"""Documents: create, list, update, bulk status, bulk delete, readiness, quotas, bad input."""

from __future__ import annotations

import re

import httpx
import pytest

from pipeline.sandbox import Sandbox
from tests.sandbox.conftest import ClientFactory
from tests.sandbox.support import FakeClock, create_qa, create_text

DOCS = "/m2m/sites/s_help/documents"


def test_a_text_document_is_created_as_draft_and_not_ready(acme: httpx.Client) -> None:
    response = acme.post(
        f"{DOCS}/text",
        json={"title": "Support Hours", "content": "Mon to Fri.", "category": "support"},
    )
    assert response.status_code == 201
    document = response.json()
    assert re.fullmatch(r"doc_[0-9a-f]{24}", document.pop("id"))
    assert document == {
        "type": "text",
        "title": "Support Hours",
        "category": "support",
        "status": "draft",
        "ready": False,
        "created_at": "2026-11-18T11:06:40.000Z",
        "updated_at": "2026-11-18T11:06:40.000Z",
        "content": "Mon to Fri.",
    }


def test_a_qa_document_takes_its_question_as_title_unless_given(acme: httpx.Client) -> None:
    plain = create_qa(acme, question="Can I return an item?", answer="Within 30 days.")
    assert plain["type"] == "qa"
    assert plain["title"] == "Can I return an item?"
    assert (plain["question"], plain["answer"]) == ("Can I return an item?", "Within 30 days.")
    assert plain["category"] is None
    titled = create_qa(acme, title="Returns", status="active")
    assert (titled["title"], titled["status"]) == ("Returns", "active")


def test_documents_become_ready_after_the_ready_delay(
    acme: httpx.Client, clock: FakeClock, sandbox: Sandbox
) -> None:
    document = create_text(acme)
    clock.advance(0.49)
    assert sandbox.documents("s_help")[0]["ready"] is False
    clock.advance(0.01)
    listed = acme.get(DOCS).json()["documents"][0]
    assert listed["ready"] is True
    # A content change starts processing again; a status change does not.
    acme.patch(f"{DOCS}/{document['id']}", json={"status": "active"})
    assert sandbox.documents("s_help")[0]["ready"] is True
    changed = acme.patch(f"{DOCS}/{document['id']}", json={"content": "New text."}).json()
    assert (changed["ready"], changed["content"]) == (False, "New text.")
    clock.advance(0.5)
    assert sandbox.documents("s_help")[0]["ready"] is True


def test_listing_pages_through_a_sites_documents(acme: httpx.Client) -> None:
    ids = [create_text(acme, title=f"Doc {n}")["id"] for n in range(5)]
    create_text(acme, site="s_shop", title="Elsewhere")
    page = acme.get(DOCS, params={"page": 2, "per_page": 2}).json()
    assert [d["id"] for d in page["documents"]] == ids[2:4]
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 5)
    last = acme.get(DOCS, params={"page": 3, "per_page": 2}).json()
    assert [d["title"] for d in last["documents"]] == ["Doc 4"]
    beyond = acme.get(DOCS, params={"page": 9}).json()
    assert (beyond["documents"], beyond["per_page"], beyond["total"]) == ([], 50, 5)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("per_page=101", "invalid query parameter: per_page must be between 1 and 100"),
        ("per_page=0", "invalid query parameter: per_page must be between 1 and 100"),
        ("page=0", "invalid query parameter: page must be between 1 and 1000000"),
        ("page=abc", "invalid query parameter: page must be an integer"),
        ("page=-1", "invalid query parameter: page must be an integer"),
    ],
)
def test_bad_paging_is_400(acme: httpx.Client, query: str, message: str) -> None:
    response = acme.get(f"{DOCS}?{query}")
    assert (response.status_code, response.json()) == (400, {"error": message})


def test_patch_updates_the_fields_given(acme: httpx.Client, clock: FakeClock) -> None:
    document = create_qa(acme, category="delivery")
    clock.advance(10)
    response = acme.patch(
        f"{DOCS}/{document['id']}",
        json={"answer": "Yes, in most cities.", "category": None, "status": "active"},
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["answer"] == "Yes, in most cities."
    assert updated["question"] == document["question"]
    assert (updated["category"], updated["status"]) == (None, "active")
    assert updated["created_at"] == document["created_at"]
    assert updated["updated_at"] == "2026-11-18T11:06:50.000Z"


def test_patch_without_changes_leaves_updated_at(acme: httpx.Client, clock: FakeClock) -> None:
    document = create_text(acme)
    clock.advance(5)
    same = acme.patch(f"{DOCS}/{document['id']}", json={"title": document["title"]}).json()
    assert same["updated_at"] == document["updated_at"]
    assert acme.patch(f"{DOCS}/{document['id']}", json={}).json() == same


def test_patch_rejects_fields_of_another_type_and_unknown_ids(acme: httpx.Client) -> None:
    qa = create_qa(acme)
    wrong = acme.patch(f"{DOCS}/{qa['id']}", json={"content": "x"})
    assert (wrong.status_code, wrong.json()) == (
        400,
        {"error": "invalid payload: content does not apply to a qa document"},
    )
    missing = acme.patch(f"{DOCS}/doc_000000000000000000000000", json={"title": "x"})
    assert (missing.status_code, missing.json()) == (404, {"error": "document not found"})
    blank = acme.patch(f"{DOCS}/{qa['id']}", json={"title": "  "})
    assert (blank.status_code, blank.json()) == (400, {"error": "title is required"})
    bad_status = acme.patch(f"{DOCS}/{qa['id']}", json={"status": "inactive"})
    assert bad_status.json() == {"error": "invalid payload: status must be 'draft' or 'active'"}


def test_bulk_status_is_not_taken_for_a_document_id(acme: httpx.Client, sandbox: Sandbox) -> None:
    first, second = create_text(acme, title="One")["id"], create_text(acme, title="Two")["id"]
    response = acme.patch(
        f"{DOCS}/bulk-status",
        json={"document_ids": [first, second, "doc_unknown", first], "status": "active"},
    )
    assert (response.status_code, response.json()) == (200, {"updated": 2})
    assert [d["status"] for d in sandbox.documents("s_help")] == ["active", "active"]
    assert sandbox.request_log()[-1].operation == "bulkUpdateDocumentStatus"
    back = acme.patch(f"{DOCS}/bulk-status", json={"document_ids": [second], "status": "draft"})
    assert back.json() == {"updated": 1}
    assert [d["status"] for d in sandbox.documents("s_help")] == ["active", "draft"]


def test_bulk_delete_ignores_unknown_ids_and_is_idempotent(
    acme: httpx.Client, sandbox: Sandbox
) -> None:
    keep, drop = create_text(acme, title="Keep")["id"], create_text(acme, title="Drop")["id"]
    body = {"document_ids": [drop, "doc_unknown"]}
    assert acme.post(f"{DOCS}/bulk-delete", json=body).json() == {"deleted": 1}
    assert acme.post(f"{DOCS}/bulk-delete", json=body).json() == {"deleted": 0}
    assert [d["id"] for d in sandbox.documents("s_help")] == [keep]
    assert acme.post(f"{DOCS}/bulk-delete", json={"document_ids": []}).json() == {"deleted": 0}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("text", {"content": "x"}, "title is required"),
        ("text", {"title": "   ", "content": "x"}, "title is required"),
        ("text", {"title": "x"}, "content is required"),
        ("text", {"title": 5, "content": "x"}, "invalid payload: title must be a string"),
        (
            "text",
            {"title": "x" * 301, "content": "x"},
            "invalid payload: title is longer than 300 characters",
        ),
        (
            "text",
            {"title": "x", "content": "x", "status": "live"},
            "invalid payload: status must be 'draft' or 'active'",
        ),
        ("qa", {"answer": "x"}, "question is required"),
        ("qa", {"question": "x"}, "answer is required"),
        (
            "qa",
            {"question": "x", "answer": "y", "category": ["a"]},
            "invalid payload: category must be a string",
        ),
        ("bulk-delete", {}, "document_ids is required"),
        (
            "bulk-delete",
            {"document_ids": "doc_1"},
            "invalid payload: document_ids must be a list of strings",
        ),
        (
            "bulk-delete",
            {"document_ids": [1]},
            "invalid payload: document_ids must be a list of strings",
        ),
    ],
)
def test_invalid_bodies_are_400(
    acme: httpx.Client, sandbox: Sandbox, path: str, body: object, message: str
) -> None:
    response = acme.post(f"{DOCS}/{path}", json=body)
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert sandbox.documents("s_help") == []


def test_bulk_status_needs_ids_and_a_status(acme: httpx.Client) -> None:
    response = acme.patch(f"{DOCS}/bulk-status", json={"document_ids": []})
    assert (response.status_code, response.json()) == (400, {"error": "status is required"})


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b'"text"', b"null", b"\xff\xfe"])
def test_malformed_or_non_object_json_is_400_invalid_payload(
    acme: httpx.Client, raw: bytes
) -> None:
    response = acme.post(f"{DOCS}/text", content=raw, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"error": "invalid payload"})


def test_a_json_endpoint_refuses_another_content_type(acme: httpx.Client) -> None:
    response = acme.post(f"{DOCS}/text", content=b"title=x", headers={"Content-Type": "text/plain"})
    assert (response.status_code, response.json()) == (
        415,
        {"error": "Content-Type must be application/json"},
    )


def test_a_body_over_one_mebibyte_is_413(acme: httpx.Client, sandbox: Sandbox) -> None:
    big = {"title": "Big", "content": "x" * (1024 * 1024)}
    response = acme.post(f"{DOCS}/text", json=big)
    assert (response.status_code, response.json()) == (413, {"error": "payload too large"})
    assert sandbox.documents("s_help") == []
    # Just under the limit is fine.
    fits = acme.post(f"{DOCS}/text", json={"title": "Fits", "content": "x" * 1_000_000})
    assert fits.status_code == 201


def test_uploads_accept_plain_text_pdf_and_word(acme: httpx.Client, sandbox: Sandbox) -> None:
    text = acme.post(
        DOCS,
        files={"file": ("returns.md", b"# Returns\n\nReturn within 30 days.", "text/markdown")},
        data={"category": "policies"},
    )
    assert text.status_code == 201, text.text
    document = text.json()
    assert (document["type"], document["title"], document["status"]) == (
        "file",
        "returns.md",
        "draft",
    )
    assert (document["filename"], document["content_type"], document["size_bytes"]) == (
        "returns.md",
        "text/plain",
        33,
    )
    assert document["category"] == "policies"
    pdf = acme.post(DOCS, files={"file": ("guide.pdf", b"%PDF-1.7 binary", "application/pdf")})
    word = acme.post(
        DOCS,
        files={"file": ("C:\\docs\\terms.docx", b"PK\x03\x04", "application/octet-stream")},
        data={"title": "Terms of service"},
    )
    assert pdf.json()["content_type"] == "application/pdf"
    assert (word.json()["title"], word.json()["filename"]) == ("Terms of service", "terms.docx")
    assert len(sandbox.documents("s_help")) == 3


def test_upload_errors(acme: httpx.Client) -> None:
    image = acme.post(DOCS, files={"file": ("logo.png", b"\x89PNG", "image/png")})
    assert (image.status_code, image.json()) == (
        415,
        {"error": "unsupported file type: upload PDF, Word (.doc, .docx) or plain text"},
    )
    no_file = acme.post(DOCS, files={"other": ("a.txt", b"x", "text/plain")})
    assert (no_file.status_code, no_file.json()) == (400, {"error": "file is required"})
    as_json = acme.post(DOCS, json={"file": "x"})
    assert as_json.status_code == 415


def test_document_and_storage_quotas_are_403(connect: ClientFactory, sandbox: Sandbox) -> None:
    tiny = connect("key-tiny")
    docs = "/m2m/sites/s_tiny/documents"
    assert tiny.post(f"{docs}/text", json={"title": "A", "content": "x" * 150}).status_code == 201
    storage = tiny.post(f"{docs}/text", json={"title": "B", "content": "x" * 60})
    assert (storage.status_code, storage.json()) == (403, {"error": "storage_limit_reached"})
    assert tiny.post(f"{docs}/text", json={"title": "B", "content": "x"}).status_code == 201
    count = tiny.post(f"{docs}/qa", json={"question": "q", "answer": "a"})
    assert (count.status_code, count.json()) == (403, {"error": "document_limit_reached"})
    upload = tiny.post(docs, files={"file": ("a.txt", b"x" * 101, "text/plain")})
    assert (upload.status_code, upload.json()) == (413, {"error": "file exceeds max_upload_bytes"})
    limits = tiny.get("/m2m/tenants/t_tiny/limits").json()
    assert limits == {
        "documents": {"used": 2, "limit": 2},
        "storage_bytes": {"used": 153, "limit": 200},
        "messages": {"used": 0, "limit": 3},
        "max_upload_bytes": 100,
    }
    assert len(sandbox.documents("s_tiny")) == 2
