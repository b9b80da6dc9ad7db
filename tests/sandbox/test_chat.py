"""Chat: answers from active, ready documents; async lifecycle; feedback; sessions."""

from __future__ import annotations

import re

import httpx
import pytest

from pipeline.sandbox import Sandbox
from pipeline.sandbox.retrieval import FALLBACK_ANSWER
from tests.sandbox.conftest import ClientFactory
from tests.sandbox.support import FakeClock, create_qa, create_text

SITE = "/m2m/sites/s_help"


@pytest.fixture
def knowledge(acme: httpx.Client, clock: FakeClock) -> dict[str, str]:
    """Three active, ready documents on s_help; returns their ids by name."""
    ids = {
        "hours": create_text(
            acme,
            title="Support hours",
            content="# Support hours\n\nSupport is available Monday to Friday, 09:00-18:00. "
            "On public holidays the team is off. Call us any time for emergencies.",
            status="active",
        )["id"],
        "delivery": create_qa(
            acme,
            question="Do you offer same-day delivery?",
            answer="Same-day delivery is available in most cities for orders before noon.",
            status="active",
        )["id"],
        "returns": create_qa(
            acme,
            question="How do I return an item?",
            answer="Return any item within 30 days using the prepaid label.",
            status="active",
        )["id"],
    }
    clock.advance(1)
    return ids


def ask(client: httpx.Client, message: str, session: str = "user-1-web") -> dict[str, object]:
    response = client.post(f"{SITE}/chat", json={"session_id": session, "message": message})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_chat_answers_from_the_best_matching_document(
    acme: httpx.Client, knowledge: dict[str, str]
) -> None:
    hours = ask(acme, "What are your support hours?")
    assert hours["answer"] == (
        "Support is available Monday to Friday, 09:00-18:00. On public holidays the team is off."
    )
    assert hours["confidence_level"] == "high"
    assert hours["session_id"] == "user-1-web"
    assert re.fullmatch(r"req_[0-9a-f]{32}", str(hours["request_id"]))
    delivery = ask(acme, "Can I get same-day delivery?")
    assert delivery["answer"] == (
        "Same-day delivery is available in most cities for orders before noon."
    )
    returns = ask(acme, "how to return items")
    assert str(returns["answer"]).startswith("Return any item within 30 days")


def test_nonsense_gets_low_confidence_and_the_fallback(
    acme: httpx.Client, knowledge: dict[str, str]
) -> None:
    answer = ask(acme, "xyzzy plugh frobnicate")
    assert answer["answer"] == FALLBACK_ANSWER
    assert (answer["confidence_level"], answer["confidence_score"]) == ("low", 0.0)


def test_only_active_ready_documents_of_the_site_answer(
    acme: httpx.Client, clock: FakeClock, knowledge: dict[str, str]
) -> None:
    acme.patch(
        f"{SITE}/documents/bulk-status",
        json={"document_ids": [knowledge["delivery"]], "status": "draft"},
    )
    assert ask(acme, "same-day delivery?")["answer"] == FALLBACK_ANSWER
    # Active but not ready yet: still not used.
    create_qa(
        acme,
        question="Do you ship abroad?",
        answer="We ship to 40 countries.",
        status="active",
    )
    assert ask(acme, "Do you ship abroad?")["answer"] == FALLBACK_ANSWER
    clock.advance(0.5)
    assert ask(acme, "Do you ship abroad?")["answer"] == "We ship to 40 countries."
    # Another site's documents never answer here.
    create_qa(acme, site="s_shop", question="What is the gift card balance?", answer="Check it.")
    clock.advance(1)
    assert ask(acme, "gift card balance")["answer"] == FALLBACK_ANSWER


def test_chat_needs_a_session_id_and_a_message(acme: httpx.Client) -> None:
    for body, message in [
        ({"message": "hi"}, "session_id is required"),
        ({"session_id": "", "message": "hi"}, "session_id is required"),
        ({"session_id": "s1"}, "message is required"),
        ({"session_id": "s1", "message": 3}, "invalid payload: message must be a string"),
    ]:
        for path in ("chat", "chat/async"):
            response = acme.post(f"{SITE}/{path}", json=body)
            assert (response.status_code, response.json()) == (400, {"error": message})


def test_a_closed_session_takes_no_new_messages_and_close_is_idempotent(
    acme: httpx.Client, knowledge: dict[str, str]
) -> None:
    ask(acme, "support hours", session="s-closing")
    for _ in range(2):
        closed = acme.post(f"{SITE}/chat/session/close", json={"session_id": "s-closing"})
        assert (closed.status_code, closed.json()) == (200, {"status": "ok"})
    response = acme.post(f"{SITE}/chat", json={"session_id": "s-closing", "message": "hours"})
    assert (response.status_code, response.json()) == (409, {"error": "session closed"})
    # Closing a session that never chatted works too, and closes it for good.
    assert acme.post(f"{SITE}/chat/session/close", json={"session_id": "s-new"}).status_code == 200
    again = acme.post(f"{SITE}/chat/async", json={"session_id": "s-new", "message": "hours"})
    assert again.status_code == 409
    missing = acme.post(f"{SITE}/chat/session/close", json={})
    assert (missing.status_code, missing.json()) == (400, {"error": "session_id is required"})


def test_async_chat_is_pending_then_completed(
    acme: httpx.Client, clock: FakeClock, knowledge: dict[str, str]
) -> None:
    submitted = acme.post(
        f"{SITE}/chat/async",
        json={"session_id": "s-async", "message": "same-day delivery", "response_language": "en"},
    )
    assert submitted.status_code == 202
    accepted = submitted.json()
    assert set(accepted) == {"session_id", "request_id", "status"}
    assert accepted["status"] == "pending"
    status_path = f"{SITE}/chat/requests/{accepted['request_id']}"
    pending = acme.get(status_path).json()
    assert pending == {
        "session_id": "s-async",
        "request_id": accepted["request_id"],
        "status": "pending",
    }
    clock.advance(1.0)
    completed = acme.get(status_path).json()
    assert completed["status"] == "completed"
    assert completed["answer"].startswith("Same-day delivery is available")
    assert completed["confidence_level"] == "high"
    assert 0 <= completed["confidence_score"] <= 1
    unknown = acme.get(f"{SITE}/chat/requests/req_{'0' * 32}")
    assert (unknown.status_code, unknown.json()) == (404, {"error": "request not found"})


def test_async_requests_can_be_made_to_fail(
    acme: httpx.Client, clock: FakeClock, sandbox: Sandbox
) -> None:
    sandbox.set_faults("async_fail=1")
    request_id = acme.post(
        f"{SITE}/chat/async", json={"session_id": "s", "message": "hello"}
    ).json()["request_id"]
    clock.advance(1)
    status = acme.get(f"{SITE}/chat/requests/{request_id}").json()
    assert status["status"] == "failed"
    assert status["error"] == "the assistant could not answer this request"
    assert "answer" not in status
    feedback = acme.post(
        f"{SITE}/chat/feedback",
        json={"session_id": "s", "request_id": request_id, "feedback": "bad"},
    )
    assert (feedback.status_code, feedback.json()) == (409, {"error": "request is not completed"})


def test_feedback_rules(acme: httpx.Client, clock: FakeClock, knowledge: dict[str, str]) -> None:
    sync_id = ask(acme, "support hours", session="s-fb")["request_id"]
    async_id = acme.post(
        f"{SITE}/chat/async", json={"session_id": "s-fb", "message": "returns"}
    ).json()["request_id"]

    def rate(request_id: object, feedback: object, session: str = "s-fb") -> httpx.Response:
        body = {"session_id": session, "request_id": request_id, "feedback": feedback}
        return acme.post(f"{SITE}/chat/feedback", json=body)

    pending = rate(async_id, "good")
    assert (pending.status_code, pending.json()) == (409, {"error": "request is not completed"})
    first = rate(sync_id, "good")
    assert first.json() == {
        "status": "ok",
        "request_id": sync_id,
        "feedback": "good",
        "feedback_submitted_at": "2026-11-18T11:06:41.000Z",
    }
    clock.advance(5)
    repeat = rate(sync_id, "bad")
    assert repeat.json() == {"status": "ok", "request_id": sync_id, "feedback": "bad"}
    assert rate(async_id, "good").status_code == 200
    invalid = "feedback must be 'good' or 'bad'"
    for bad in (rate(sync_id, "meh"), rate(sync_id, None), rate(None, "good")):
        assert (bad.status_code, bad.json()) == (400, {"error": invalid})
    assert rate(sync_id, "good", session="someone-else").json() == {"error": "request not found"}
    assert rate(f"req_{'1' * 32}", "good").status_code == 404


def test_sessions_are_listed_per_site(
    acme: httpx.Client, clock: FakeClock, knowledge: dict[str, str]
) -> None:
    acme.post(f"{SITE}/chat", json={"session_id": "a", "message": "hours", "email": "Ann@x.test"})
    clock.advance(2)
    acme.post(f"{SITE}/chat", json={"session_id": "a", "message": "returns"})
    acme.post(f"{SITE}/chat", json={"session_id": "b", "message": "hours"})
    acme.post(f"{SITE}/chat/session/close", json={"session_id": "b"})
    acme.post("/m2m/sites/s_shop/chat", json={"session_id": "c", "message": "hours"})
    sessions = acme.get(f"{SITE}/sessions").json()["sessions"]
    assert sessions == [
        {
            "session_id": "a",
            "status": "open",
            "created_at": "2026-11-18T11:06:41.000Z",
            "last_message_at": "2026-11-18T11:06:43.000Z",
            "closed_at": None,
            "messages": 2,
        },
        {
            "session_id": "b",
            "status": "closed",
            "created_at": "2026-11-18T11:06:43.000Z",
            "last_message_at": "2026-11-18T11:06:43.000Z",
            "closed_at": "2026-11-18T11:06:43.000Z",
            "messages": 1,
        },
    ]
    mine = acme.get(f"{SITE}/sessions", params={"email": "ann@x.test"}).json()["sessions"]
    assert [s["session_id"] for s in mine] == ["a"]


def test_the_message_quota_is_403(connect: ClientFactory) -> None:
    tiny = connect("key-tiny")
    for n in range(3):
        assert (
            tiny.post(
                "/m2m/sites/s_tiny/chat", json={"session_id": f"s{n}", "message": "hi"}
            ).status_code
            == 200
        )
    over = tiny.post("/m2m/sites/s_tiny/chat/async", json={"session_id": "s", "message": "hi"})
    assert (over.status_code, over.json()) == (403, {"error": "message_limit_reached"})
    assert tiny.get("/m2m/tenants/t_tiny/limits").json()["messages"] == {"used": 3, "limit": 3}
