"""Status words through `[environments.E.api] status_words`, end to end against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from pipeline.api import (
    DocumentPatch,
    InvalidRequestError,
    QaDocument,
    SyncASGITransport,
    TextDocument,
    UnexpectedResponseError,
    UppzyClient,
)
from pipeline.config import ApiConfig
from pipeline.sandbox import Sandbox, Scope
from tests.api.conftest import LOCAL_ENV, SITE

WORDS = {"active": "published", "draft": "inactive"}


@pytest.fixture
def worded() -> Iterator[Sandbox]:
    with Sandbox(
        None, open_scope=Scope.local(), ready_delay=0.0, dialect="cursor", status_words=WORDS
    ) as box:
        yield box


def client_for(sandbox: Sandbox, **api: Any) -> UppzyClient:
    env = replace(LOCAL_ENV, api=ApiConfig(**api))
    return UppzyClient.for_environment(env, transport=SyncASGITransport(sandbox.app))


def test_an_unmapped_word_is_an_error_naming_it_and_the_setting(worded: Sandbox) -> None:
    with client_for(worded, status_words=WORDS) as writer:
        writer.create_document(SITE, TextDocument("Hours", "Open 9-5."))
    with client_for(worded) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.list_documents(SITE)
    error = caught.value
    assert error.endpoint == "list_documents"
    assert "status 'inactive'" in error.message
    assert "neither the active word 'active' nor the draft word 'draft'" in error.message
    assert error.hint is not None
    assert "[environments.local.api] status_words" in error.hint


def test_mapped_words_are_read_and_written(worded: Sandbox) -> None:
    """The writes send the service's words: kbsync's own `active` would be refused (400)."""
    with client_for(worded, status_words=WORDS) as client:
        doc = client.create_document(SITE, QaDocument("Trial?", "Trial?", "14 days."))
        assert [d.status for d in client.list_documents(SITE)] == ["draft"]
        result = client.bulk_status(SITE, [doc.id], "active")
        assert result.affected == 1
        assert [d.status for d in client.list_documents(SITE)] == ["active"]
        updated = client.update_document(SITE, doc.id, DocumentPatch(status="draft"))
        assert updated is not None and updated.status == "draft"
    assert [d["status"] for d in worded.documents(SITE, wire=True)] == ["inactive"]
    assert [d["status"] for d in worded.documents(SITE)] == ["draft"]


def test_the_sandbox_refuses_kbsyncs_own_words_when_it_speaks_others(worded: Sandbox) -> None:
    with client_for(worded, status_words=WORDS) as client:
        doc = client.create_document(SITE, TextDocument("Hours", "Open 9-5."))
    with client_for(worded) as unmapped, pytest.raises(InvalidRequestError) as caught:
        unmapped.bulk_status(SITE, [doc.id], "active")
    assert caught.value.error == "invalid payload: status must be 'inactive' or 'published'"
