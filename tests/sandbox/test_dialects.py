"""The sandbox's dialects (paging, status words), its rate limit and its widget settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from pipeline.errors import UsageError
from pipeline.sandbox import (
    IN_PROCESS_BASE_URL,
    KeyRing,
    Sandbox,
    parse_rate_limit,
    parse_status_words,
)
from tests.sandbox.support import FakeClock, create_text

DOCS = "/m2m/sites/s_help/documents"
Speak = Callable[..., httpx.Client]


@pytest.fixture
def speak(keys: KeyRing, clock: FakeClock) -> Iterator[Speak]:
    boxes: list[Sandbox] = []
    clients: list[httpx.Client] = []

    def make(**options: object) -> httpx.Client:
        box = Sandbox(keys=keys, clock=clock, **options)  # type: ignore[arg-type]
        boxes.append(box)
        client = httpx.Client(
            base_url=IN_PROCESS_BASE_URL,
            transport=box.transport(),
            headers={"X-API-Key": "key-acme"},
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
    for box in boxes:
        box.close()


def test_offset_dialect_pages_by_offset_and_ignores_page(speak: Speak) -> None:
    client = speak(dialect="offset")
    ids = [create_text(client, title=f"T{i}")["id"] for i in range(5)]
    body = client.get(DOCS, params={"page": 2, "per_page": 2, "offset": 3, "limit": 2}).json()
    assert [d["id"] for d in body["data"]] == ids[3:5]
    assert (body["offset"], body["limit"], body["total"]) == (3, 2, 5)
    assert "page" not in body and "documents" not in body


def test_cursor_dialect_follows_its_own_cursors_and_refuses_forged_ones(speak: Speak) -> None:
    client = speak(dialect="cursor")
    ids = [create_text(client, title=f"T{i}")["id"] for i in range(3)]
    first = client.get(DOCS, params={"limit": 2, "page": 5}).json()
    assert [d["id"] for d in first["data"]] == ids[:2] and "total" not in first
    rest = client.get(DOCS, params={"cursor": first["next_cursor"], "limit": 2}).json()
    assert ([d["id"] for d in rest["data"]], rest["next_cursor"]) == (ids[2:], None)
    forged = client.get(DOCS, params={"cursor": "not-a-cursor"})
    assert (forged.status_code, forged.json()) == (
        400,
        {"error": "invalid query parameter: cursor"},
    )


def test_status_words_are_spoken_and_required(speak: Speak) -> None:
    client = speak(status_words={"active": "published", "draft": "inactive"})
    created = create_text(client, status="published")
    assert created["status"] == "published"
    assert create_text(client, title="Other")["status"] == "inactive"
    refused = client.patch(f"{DOCS}/{created['id']}", json={"status": "draft"})
    assert refused.json() == {"error": "invalid payload: status must be 'inactive' or 'published'"}
    bulk = {"document_ids": [created["id"]], "status": "inactive"}
    assert client.patch(f"{DOCS}/bulk-status", json=bulk).json() == {"updated": 1}


def test_the_rate_limit_is_announced_then_enforced(speak: Speak) -> None:
    client = speak(rate_limit="2/60s")
    first, second, third = (client.get("/m2m/sites/s_help") for _ in range(3))
    assert [r.headers["X-RateLimit-Remaining"] for r in (first, second)] == ["1", "0"]
    assert float(first.headers["X-RateLimit-Reset"]) <= 60
    assert (third.status_code, third.json()) == (429, {"error": "rate limit exceeded"})
    assert int(third.headers["Retry-After"]) >= 59


def test_widget_settings_start_from_defaults_and_keep_changes(speak: Speak) -> None:
    client = speak()
    url = "/m2m/sites/s_help/widget-config"
    before = client.get(url).json()
    assert (before["site_id"], before["title"], before["updated_at"]) == (
        "s_help",
        "Help centre",
        None,
    )
    after = client.patch(url, json={"position": "bottom-left"}).json()
    assert after["position"] == "bottom-left" and after["updated_at"] is not None
    assert client.get(url).json() == after


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"colour": "red"}, "invalid payload: unknown field colour"),
        ({"title": None}, "invalid payload: title must be a non-empty string"),
        ({"welcome_message": "x" * 501}, "invalid payload: welcome_message is longer than 500 characters"),
        ({"position": "top"}, "invalid payload: position must be 'bottom-right' or 'bottom-left'"),
        ({"language": "english"}, "invalid payload: language must be a code like 'en' or 'de-CH'"),
        ({"enabled": "yes"}, "invalid payload: enabled must be true or false"),
    ],
)  # fmt: skip
def test_a_bad_widget_setting_is_a_400_naming_it(
    speak, body: dict[str, object], error: str
) -> None:
    response = speak().patch("/m2m/sites/s_help/widget-config", json=body)
    assert (response.status_code, response.json()) == (400, {"error": error})


def test_status_word_and_rate_limit_specs() -> None:
    assert parse_status_words(" active = published , draft=inactive ") == {
        "active": "published",
        "draft": "inactive",
    }
    assert parse_rate_limit("5/500ms") is not None
    assert parse_rate_limit("100/1m").window == 60.0  # type: ignore[union-attr]
    with pytest.raises(UsageError):
        parse_rate_limit("0/1s")
    with pytest.raises(UsageError):
        Sandbox(dialect="graphql")
