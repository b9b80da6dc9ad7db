"""Statistics and usage count what the sandbox really served."""

from __future__ import annotations

import httpx

from pipeline.sandbox import Sandbox
from tests.sandbox.conftest import ClientFactory
from tests.sandbox.support import FakeClock, create_qa, create_text


def _chat(client: httpx.Client, site: str, session: str, message: str, **extra: str) -> str:
    response = client.post(
        f"/m2m/sites/{site}/chat", json={"session_id": session, "message": message, **extra}
    )
    assert response.status_code == 200
    return str(response.json()["request_id"])


def _rate(client: httpx.Client, site: str, session: str, request_id: str, value: str) -> None:
    response = client.post(
        f"/m2m/sites/{site}/chat/feedback",
        json={"session_id": session, "request_id": request_id, "feedback": value},
    )
    assert response.status_code == 200


def test_site_user_and_tenant_statistics(acme: httpx.Client, clock: FakeClock) -> None:
    create_qa(acme, question="What are your opening hours?", answer="9 to 5.", status="active")
    create_text(acme, title="Draft", content="Not used.")
    create_text(acme, site="s_shop", title="Shop", content="Shop text.", status="active")
    clock.advance(1)
    first = _chat(acme, "s_help", "s1", "opening hours", email="ann@example.test")
    second = _chat(acme, "s_help", "s1", "gibberish zzz", email="ann@example.test")
    third = _chat(acme, "s_help", "s2", "opening hours")
    _chat(acme, "s_shop", "s3", "shop")
    _rate(acme, "s_help", "s1", first, "good")
    _rate(acme, "s_help", "s1", second, "bad")
    _rate(acme, "s_help", "s2", third, "good")

    assert acme.get("/m2m/sites/s_help/statistics").json() == {
        "site_id": "s_help",
        "chats": 3,
        "sessions": 2,
        "feedback": {"good": 2, "bad": 1},
        "documents": 2,
        "active_documents": 1,
        "low_confidence": 1,
    }
    user = acme.get("/m2m/sites/s_help/users/ann@example.test/statistics").json()
    assert user == {
        "site_id": "s_help",
        "email": "ann@example.test",
        "chats": 2,
        "sessions": 1,
        "feedback": {"good": 1, "bad": 1},
        "last_message_at": "2026-11-18T11:06:41.000Z",
    }
    nobody = acme.get("/m2m/sites/s_help/users/nobody@example.test/statistics").json()
    assert (nobody["chats"], nobody["sessions"], nobody["last_message_at"]) == (0, 0, None)
    assert acme.get("/m2m/tenants/t_acme/statistics").json() == {
        "tenant_id": "t_acme",
        "sites": 2,
        "documents": 3,
        "active_documents": 2,
        "chats": 4,
        "sessions": 3,
        "feedback": {"good": 2, "bad": 1},
        "low_confidence": 1,
    }


def test_usage_and_history_by_calendar_month(
    acme: httpx.Client, clock: FakeClock, sandbox: Sandbox
) -> None:
    create_text(acme, content="x" * 10, title="T")
    _chat(acme, "s_help", "s", "hello")
    clock.advance(20 * 86400)  # into December
    _chat(acme, "s_help", "s", "hello again")
    _chat(acme, "s_shop", "t", "hi")
    usage = acme.get("/m2m/tenants/t_acme/usage").json()
    assert usage == {
        "tenant_id": "t_acme",
        "period": "2026-12",
        "period_start": "2026-12-01T00:00:00.000Z",
        "period_end": "2027-01-01T00:00:00.000Z",
        "messages": 2,
        "documents": 1,
        "storage_bytes": 11,
    }
    history = acme.get("/m2m/tenants/t_acme/usage/history").json()
    assert history["tenant_id"] == "t_acme"
    assert [(p["period"], p["messages"], p["documents_created"]) for p in history["periods"]] == [
        ("2026-11", 1, 1),
        ("2026-12", 2, 0),
    ]
    assert acme.get("/m2m/tenants/t_acme/limits").json()["messages"]["used"] == 2


def test_other_tenants_activity_is_not_counted(connect: ClientFactory) -> None:
    beta = connect("key-beta")
    _chat(beta, "s_beta", "b", "hello")
    acme = connect("key-acme")
    assert acme.get("/m2m/tenants/t_acme/statistics").json()["chats"] == 0
    assert beta.get("/m2m/tenants/t_beta/usage").json()["messages"] == 1
