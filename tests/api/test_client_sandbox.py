"""The client against the sandbox in-process: every endpoint, retry classes, paging, bulk, polling.

Attempts are counted in the sandbox's own request log, so a retry (or its absence) is seen
from the server's side.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.api import (
    ApiError,
    AuthError,
    ChatFailedError,
    ConflictError,
    DeadlineExceeded,
    DocumentPatch,
    FileDocument,
    InvalidRequestError,
    NotFoundError,
    PlanError,
    PollTimeout,
    QaDocument,
    RateLimitedError,
    ServerError,
    SyncASGITransport,
    TextDocument,
    TransportError,
    UppzyClient,
)
from pipeline.sandbox import Sandbox, Scope, parse_keys
from tests.api.conftest import FAST_HTTP, LOCAL_ENV, SITE, TENANT, MakeClient, logged


def text(title: str = "Opening hours", content: str = "We are open 9 to 5.") -> TextDocument:
    return TextDocument(title, content, "support")


# ------------------------------------------------------------------------------- endpoints


def test_tenant_and_site_reads(local: UppzyClient) -> None:
    assert local.tenant().id == TENANT
    limits = local.limits()
    assert limits.documents.limit == 500 and limits.documents.used == 0
    assert limits.max_upload_bytes == 1024 * 1024
    assert local.site(SITE).tenant_id == TENANT
    assert local.site_statistics(SITE).documents == 0
    assert local.sessions(SITE) == []
    assert local.usage()["tenant_id"] == TENANT
    assert isinstance(local.usage_history(), list)
    assert "documents" in local.tenant_statistics()
    assert local.user_statistics(SITE, "ana@example.com")["chats"] == 0


def test_documents_lifecycle(local: UppzyClient, sandbox: Sandbox) -> None:
    created = local.create_text_document(SITE, text())
    assert (created.type, created.title, created.category) == ("text", "Opening hours", "support")
    qa = local.create_qa_document(
        SITE, QaDocument("Refunds", "Can I get a refund?", "Yes, 30 days.")
    )
    assert qa.type == "qa" and qa.question == "Can I get a refund?"
    upload = local.upload_file_document(
        SITE, FileDocument("policy.txt", b"Returns within 30 days.")
    )
    assert upload.type == "file" and upload.title == "policy.txt"

    updated = local.update_document(SITE, created.id, DocumentPatch(content="Open 8 to 6."))
    assert updated is not None and updated.content == "Open 8 to 6."

    activated = local.bulk_status(SITE, [created.id, qa.id], "active")
    assert (activated.requested, activated.affected, activated.chunks) == (2, 2, 1)
    listed = {doc.id: doc for doc in local.list_documents(SITE)}
    assert listed.keys() == {created.id, qa.id, upload.id}
    assert listed[created.id].is_active and not listed[upload.id].is_active

    deleted = local.bulk_delete(SITE, [created.id, "doc_unknown"])
    assert (deleted.requested, deleted.affected) == (2, 1)
    assert {doc["id"] for doc in sandbox.documents(SITE)} == {qa.id, upload.id}


def test_chat_sync_async_feedback_and_close(local: UppzyClient) -> None:
    doc = local.create_text_document(SITE, text(content="Support is open Monday to Friday."))
    local.bulk_status(SITE, [doc.id], "active")

    answer = local.chat(SITE, "thread-1", "When is support open?")
    assert answer.request_id.startswith("req_") and "Monday" in answer.answer
    assert answer.confidence_level is not None and answer.confidence_score is not None

    first = local.submit_feedback(SITE, "thread-1", answer.request_id, "good")
    again = local.submit_feedback(SITE, "thread-1", answer.request_id, "good")
    assert not first.repeated and again.repeated

    submitted = local.chat_async(SITE, "thread-1", "Is support open on Friday?")
    done = local.poll_chat(SITE, submitted.request_id, interval=0.01)
    assert done.status == "completed" and done.answer
    assert local.chat_async_and_wait(SITE, "thread-1", "Friday?").status == "completed"

    local.close_session(SITE, "thread-1")
    local.close_session(SITE, "thread-1")  # idempotent
    with pytest.raises(ConflictError):
        local.chat(SITE, "thread-1", "Still there?")
    assert local.metrics.async_completions()[0].completed == 2


# -------------------------------------------------------------------------------- paging


def test_list_reads_every_page(local: UppzyClient, sandbox: Sandbox) -> None:
    for number in range(250):
        local.create_text_document(SITE, text(f"Doc {number:03d}", f"Body {number}"))
    sandbox.clear_request_log()
    docs = local.list_documents(SITE)
    assert sorted(doc.title for doc in docs) == [f"Doc {n:03d}" for n in range(250)]
    assert len({doc.id for doc in docs}) == 250
    pages = [entry.path for entry in sandbox.request_log(operation="listDocuments")]
    assert len(pages) == 3


def test_list_with_a_small_page_size(local: UppzyClient, sandbox: Sandbox) -> None:
    for number in range(7):
        local.create_text_document(SITE, text(f"Doc {number}"))
    sandbox.clear_request_log()
    assert len(local.list_documents(SITE, per_page=3)) == 7
    assert logged(sandbox, "listDocuments") == 3


def test_an_empty_site_lists_in_one_request(local: UppzyClient, sandbox: Sandbox) -> None:
    assert local.list_documents(SITE) == []
    assert logged(sandbox, "listDocuments") == 1


# ---------------------------------------------------------------------------------- bulk


@pytest.mark.parametrize("count", [0, 1, 100, 101, 250])
def test_bulk_delete_in_chunks_of_100(local: UppzyClient, sandbox: Sandbox, count: int) -> None:
    ids = [local.create_text_document(SITE, text(f"D{n}")).id for n in range(count)]
    sandbox.clear_request_log()
    result = local.bulk_delete(SITE, ids + ids[:5])  # duplicates are sent once
    assert (result.requested, result.affected, result.chunks) == (count, count, -(-count // 100))
    assert logged(sandbox, "bulkDeleteDocuments") == -(-count // 100)
    assert sandbox.documents(SITE) == []


def test_bulk_status_in_chunks_of_100(local: UppzyClient, sandbox: Sandbox) -> None:
    ids = [local.create_text_document(SITE, text(f"D{n}")).id for n in range(201)]
    result = local.bulk_status(SITE, ids, "active")
    assert (result.affected, result.chunks) == (201, 3)
    assert all(doc["status"] == "active" for doc in sandbox.documents(SITE))


# ------------------------------------------------------------------------ retry classes


def _list(client: UppzyClient) -> object:
    return client.list_documents(SITE)


def _create(client: UppzyClient) -> object:
    return client.create_text_document(SITE, text())


def _patch(client: UppzyClient) -> object:
    doc = client.create_text_document(SITE, text("Patched"))
    return client.update_document(SITE, doc.id, DocumentPatch(title="Patched again"))


def _chat(client: UppzyClient) -> object:
    return client.chat(SITE, "s-1", "hello?")


def _chat_retrying(client: UppzyClient) -> object:
    return client.chat(SITE, "s-1", "hello?", retry_uncertain=True)


def _close(client: UppzyClient) -> object:
    client.close_session(SITE, "s-1")
    return None


Action = Callable[[UppzyClient], object]


@pytest.mark.parametrize(
    ("action", "operation", "kind", "times", "sent", "raised"),
    [
        # 5xx: bounded retries for safely repeatable calls only.
        (_list, "listDocuments", "503", 2, 3, None),
        (_list, "listDocuments", "500", 9, 4, ServerError),
        (_patch, "updateDocument", "502", 1, 2, None),
        (_close, "closeSession", "504", 1, 2, None),
        (_create, "createTextDocument", "503", 1, 1, ServerError),
        (_chat, "chat", "500", 1, 1, ServerError),
        (_chat_retrying, "chat", "500", 1, 2, None),
        # 429: always retried (nothing was done), bounded.
        (_create, "createTextDocument", "429", 2, 3, None),
        (_chat, "chat", "429", 1, 2, None),
        (_list, "listDocuments", "429", 9, 4, RateLimitedError),
        # Timeouts and resets: only for safely repeatable calls.
        (_list, "listDocuments", "timeout", 1, 2, None),
        (_patch, "updateDocument", "reset", 2, 3, None),
        (_create, "createTextDocument", "timeout", 1, 1, TransportError),
        (_create, "createTextDocument", "reset", 1, 1, TransportError),
        (_chat, "chat", "reset", 1, 1, TransportError),
        (_chat_retrying, "chat", "reset", 1, 2, None),
    ],
)
def test_each_failure_is_retried_or_not_as_api_md_says(
    make_local: MakeClient,
    sandbox: Sandbox,
    action: Action,
    operation: str,
    kind: Any,
    times: int,
    sent: int,
    raised: type[ApiError] | None,
) -> None:
    # An injected timeout hangs until the client gives up: give up sooner than usual.
    local = make_local(read_timeout=0.25) if kind == "timeout" else make_local()
    sandbox.faults.script(kind, times=times, operation=operation)
    if raised is None:
        action(local)
    else:
        with pytest.raises(raised) as caught:
            action(local)
        assert caught.value.attempts == sent
    assert logged(sandbox, operation, expect=sent) == sent


def test_uncertain_failures_say_so(make_local: MakeClient, sandbox: Sandbox) -> None:
    sandbox.faults.script("timeout", operation="createTextDocument")
    with pytest.raises(TransportError) as caught:
        _create(make_local(read_timeout=0.25))
    error = caught.value
    assert (error.kind, error.uncertain, error.endpoint) == (
        "read_timeout",
        True,
        "create_text_document",
    )
    assert "may have been carried out" in str(error)
    assert error.hint == "raise http.read_timeout of environment 'local', or try again later"


def test_client_errors_are_sent_once(local: UppzyClient, sandbox: Sandbox) -> None:
    with pytest.raises(NotFoundError, match="site not found"):
        local.list_documents("s_elsewhere")
    assert logged(sandbox, "listDocuments") == 1
    with pytest.raises(NotFoundError, match="request not found"):
        local.chat_request_status(SITE, "req_nope")
    with pytest.raises(InvalidRequestError, match="400 from Uppzy"):
        local.create_text_document(SITE, TextDocument("", "no title"))
    assert logged(sandbox, "createTextDocument") == 1
    pending = local.chat_async(SITE, "s-2", "a question")
    with pytest.raises(ConflictError):
        local.submit_feedback(SITE, "s-2", pending.request_id, "bad")
    assert logged(sandbox, "submitFeedback") == 1


def test_an_oversized_body_is_413_and_not_retried(make_local: MakeClient, sandbox: Sandbox) -> None:
    client = make_local()
    with pytest.raises(InvalidRequestError, match=r"413 from Uppzy .*too large"):
        client.create_text_document(SITE, text(content="x" * (1024 * 1024 + 10)))
    assert len(sandbox.request_log()) == 1


def test_401_and_403_through_keys(tmp_path: Path) -> None:
    ring = parse_keys(
        {
            "keys": {
                "good-level1-key": {
                    "tenant_id": "t_small",
                    "site_ids": ["s_small"],
                    "plan": "level1",
                }
            }
        }
    )
    with Sandbox(tmp_path / "keys.sqlite3", keys=ring) as keyed:
        for key, tenant, error in (
            ("wrong-key", "t_small", AuthError),
            ("good-level1-key", "t_small", PlanError),
        ):
            with (
                UppzyClient(
                    base_url="http://sandbox.invalid/api/v1",
                    tenant_id=tenant,
                    api_key=key,
                    api_key_env="KBSYNC_SMALL_KEY",
                    http=FAST_HTTP,
                    transport=SyncASGITransport(keyed.app),
                ) as client,
                pytest.raises(error) as caught,
            ):
                client.limits()
            assert key not in str(caught.value) and key not in str(caught.value.hint)
        assert len(keyed.request_log()) == 2


# -------------------------------------------------------------------------------- deadline


def test_the_total_deadline_stops_retries(make_local: MakeClient, sandbox: Sandbox) -> None:
    client = make_local(
        total_timeout=0.3, max_attempts=1000, backoff_initial=0.02, backoff_max=0.05
    )
    sandbox.faults.script("503", times=10_000, operation="listDocuments")
    with pytest.raises(DeadlineExceeded) as caught:
        client.list_documents(SITE)
    error = caught.value
    # The cause is the 503, or, when a loaded machine slowed the last attempt past the
    # deadline that clipped its timeout, that attempt's read timeout.
    last = error.last_error
    assert isinstance(last, ServerError) or (
        isinstance(last, TransportError) and last.kind == "read_timeout"
    ), last
    assert 1 < error.attempts < 1000
    assert error.attempts == logged(sandbox, "listDocuments", expect=error.attempts)
    statuses = {entry.status for entry in sandbox.request_log(operation="listDocuments")}
    assert 503 in statuses
    assert "http.total_timeout = 0.3 s" in str(error)


def test_the_deadline_clips_an_attempts_timeout(make_local: MakeClient, sandbox: Sandbox) -> None:
    client = make_local(total_timeout=0.3, read_timeout=5.0)
    sandbox.faults.script("timeout", times=5, operation="listDocuments")
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught:
        client.list_documents(SITE)
    # Without clipping, the first attempt alone would wait out the 5 s read timeout.
    assert time.monotonic() - started < 2.5
    last = caught.value.last_error
    assert isinstance(last, TransportError) and last.kind == "read_timeout"
    assert caught.value.uncertain


# --------------------------------------------------------------------------------- polling


def test_poll_deadline(tmp_path: Path) -> None:
    with (
        Sandbox(tmp_path / "slow.sqlite3", open_scope=Scope.local(), async_delay=60.0) as slow,
        UppzyClient.for_environment(LOCAL_ENV, transport=SyncASGITransport(slow.app)) as client,
    ):
        submitted = client.chat_async(SITE, "s-3", "slow question")
        with pytest.raises(PollTimeout) as caught:
            client.poll_chat(SITE, submitted.request_id, interval=0.02, deadline=0.2)
        polls = logged(slow, "getChatRequest")
    error = caught.value
    assert str(error) == (
        f"async chat request {submitted.request_id} did not complete within 0.2 s "
        "(last status: pending)"
    )
    assert error.hint == (
        "raise async.deadline for environment 'local' in kbsync.toml, or poll it again later"
    )
    assert error.last_status == "pending" and error.deadline == 0.2
    assert polls >= 2


def test_a_failed_async_request_is_an_error(local: UppzyClient, sandbox: Sandbox) -> None:
    sandbox.set_faults("async_fail=1")
    submitted = local.chat_async(SITE, "s-4", "question")
    with pytest.raises(ChatFailedError, match="failed at Uppzy"):
        local.poll_chat(SITE, submitted.request_id, interval=0.01)


# ------------------------------------------------------------------------------ telemetry


def test_one_log_event_per_attempt_with_its_facts(
    local: UppzyClient, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pipeline.api")
    sandbox.faults.script("503", operation="listDocuments")
    local.list_documents(SITE)
    events = [r for r in caplog.records if r.name == "pipeline.api" and hasattr(r, "attempt")]
    assert [(e.attempt, e.outcome, e.status) for e in events] == [  # type: ignore[attr-defined]
        (1, "retry", 503),
        (2, "ok", 200),
    ]
    first = events[0].__dict__
    assert first["method"] == "GET"
    assert first["endpoint"] == "list_documents"
    assert first["path_template"] == "/m2m/sites/{site_id}/documents"
    assert (first["environment"], first["integration"], first["tenant"], first["site"]) == (
        "local",
        "kbsync",
        TENANT,
        SITE,
    )
    assert first["client_request_id"].startswith("kbsync-")
    assert first["client_request_id"] == events[1].__dict__["client_request_id"]
    assert first["latency_ms"] >= 0 and first["retry_in_ms"] >= 0

    (row,) = local.metrics.endpoints()
    assert (row.calls, row.attempts, row.successes, row.status_5xx, row.retries) == (1, 2, 1, 1, 1)


def test_chat_events_carry_session_and_request_ids(
    local: UppzyClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pipeline.api")
    submitted = local.chat_async(SITE, "user-ana@example.com", "hello")
    local.chat_request_status(SITE, submitted.request_id)
    events = [r.__dict__ for r in caplog.records if hasattr(r, "attempt")]
    assert events[0]["session_id"].startswith("sha256:")  # an address is never logged
    assert events[0]["request_id"] is None or events[0]["request_id"] == submitted.request_id
    assert events[1]["request_id"] == submitted.request_id


def test_the_sandboxs_own_in_process_transport_works_too(sandbox: Sandbox) -> None:
    with UppzyClient.for_environment(LOCAL_ENV, transport=sandbox.transport()) as client:
        sandbox.faults.script("reset", operation="listDocuments")
        assert client.list_documents(SITE) == []
    assert logged(sandbox, "listDocuments") == 2


def test_requests_in_flight_never_exceed_http_concurrency(
    make_local: MakeClient, sandbox: Sandbox
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = make_local(concurrency=3)
    sandbox.set_faults("latency=20ms")
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(lambda n: client.site(SITE), range(36)))
    edges = []
    for entry in sandbox.request_log(operation="getSite"):
        edges += [(entry.started_at, 1), (entry.started_at + entry.duration, -1)]
    in_flight = peak = 0
    for _, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        in_flight += step
        peak = max(peak, in_flight)
    assert 1 < peak <= 3
    assert client.worker_threads == 6


def test_widget_settings_are_read_and_changed(local: UppzyClient) -> None:
    before = local.widget_config(SITE)
    assert before["site_id"] == SITE and before["enabled"] is True
    after = local.update_widget_config(SITE, {"welcome_message": "Hello!", "enabled": False})
    assert (after["welcome_message"], after["enabled"]) == ("Hello!", False)
    assert after["title"] == before["title"]
    assert local.widget_config(SITE) == after


def test_a_bad_widget_setting_is_refused_naming_it(local: UppzyClient) -> None:
    from pipeline.api import InvalidRequestError

    with pytest.raises(InvalidRequestError) as caught:
        local.update_widget_config(SITE, {"primary_color": "red"})
    assert caught.value.error == "invalid payload: primary_color must be #RRGGBB"
