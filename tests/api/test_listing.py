"""A listing is read whole, or not used: every paging style, and refusal when it cannot be."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from pipeline.api import IncompleteListingError, SyncASGITransport, TextDocument, UppzyClient
from pipeline.config import ApiConfig, HttpConfig
from pipeline.sandbox import Sandbox, Scope
from tests.api.conftest import FAST_HTTP, LOCAL_ENV, SITE

DIALECTS = ("page", "offset", "cursor")


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def dialect_sandbox(dialect: str) -> Iterator[Sandbox]:
    with Sandbox(None, open_scope=Scope.local(), ready_delay=0.0, dialect=dialect) as box:
        yield box


def client_for(sandbox: Sandbox, **api: Any) -> UppzyClient:
    env = replace(LOCAL_ENV, api=ApiConfig(**api))
    return UppzyClient.for_environment(env, transport=SyncASGITransport(sandbox.app))


def fill(client: UppzyClient, count: int) -> list[str]:
    return [
        client.create_document(SITE, TextDocument(f"Doc {i:03}", f"Body {i}.")).id
        for i in range(count)
    ]


# ---------------------------------------------------------------- through the sandbox's dialects


def test_58_documents_are_all_listed_in_every_dialect(dialect_sandbox: Sandbox) -> None:
    """Issue 11's failure 3: against offset or cursor paging the old client returned 20 of 58."""
    with client_for(dialect_sandbox) as client:
        ids = fill(client, 58)
        dialect_sandbox.clear_request_log()
        listed = client.list_documents(SITE)
    assert [doc.id for doc in listed] == ids
    assert len(dialect_sandbox.request_log(operation="listDocuments")) == 1


@pytest.mark.parametrize("per_page", [20, 29, 57, 58])
def test_small_pages_cost_one_request_each(dialect_sandbox: Sandbox, per_page: int) -> None:
    with client_for(dialect_sandbox, per_page=per_page) as client:
        ids = fill(client, 58)
        dialect_sandbox.clear_request_log()
        listed = client.list_documents(SITE)
    assert [doc.id for doc in listed] == ids
    requests = len(dialect_sandbox.request_log(operation="listDocuments"))
    assert requests == math.ceil(58 / per_page)


@pytest.mark.parametrize("pagination", ["page", "offset", "cursor"])
def test_a_pinned_style_reads_its_own_dialect_whole(pagination: str) -> None:
    with (
        Sandbox(None, open_scope=Scope.local(), dialect=pagination) as box,
        client_for(box, pagination=pagination, per_page=10) as client,
    ):
        ids = fill(client, 25)
        assert [doc.id for doc in client.list_documents(SITE)] == ids


@pytest.mark.parametrize("count", [0, 1, 9])
@pytest.mark.parametrize("pagination", ["page", "offset", "cursor"])
def test_a_pinned_style_reads_a_site_smaller_than_one_page(pagination: str, count: int) -> None:
    """The style probe suggests must work on a small site too (a short first page, no cursor)."""
    with (
        Sandbox(None, open_scope=Scope.local(), dialect=pagination) as box,
        client_for(box, pagination=pagination, per_page=10) as client,
    ):
        ids = fill(client, count)
        assert [doc.id for doc in client.list_documents(SITE)] == ids


def test_a_page_pin_against_an_offset_server_is_refused_naming_the_setting() -> None:
    with (
        Sandbox(None, open_scope=Scope.local(), dialect="offset") as box,
        client_for(box, pagination="page", per_page=10) as client,
    ):
        fill(client, 25)
        with pytest.raises(IncompleteListingError) as caught:
            client.list_documents(SITE)
    error = caught.value
    assert "could not be read whole" in error.message
    assert error.hint is not None
    assert '[environments.local.api] pagination is "page"' in error.hint


def test_an_empty_site_is_one_request_in_every_dialect(dialect_sandbox: Sandbox) -> None:
    with client_for(dialect_sandbox) as client:
        assert client.list_documents(SITE) == []
    assert len(dialect_sandbox.request_log(operation="listDocuments")) == 1


# ------------------------------------------------------------------- styles no sandbox speaks

DOCS = [{"id": f"d{i:02}", "type": "text", "title": f"T{i}", "status": "active"} for i in range(58)]
Handler = Callable[[httpx.Request], httpx.Response]


def mock_client(handler: Handler, **api: Any) -> UppzyClient:
    return UppzyClient(
        base_url="https://api.uppzy.test/api/v1",
        tenant_id="t_acme",
        api_key="key-123",
        http=HttpConfig(**{**FAST_HTTP.__dict__, "concurrency": 2}),
        api=ApiConfig(**api),
        environment="production",
        transport=httpx.MockTransport(handler),
    )


def query(request: httpx.Request) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(request.url.query.decode()).items()}


def listed_ids(handler: Handler, **api: Any) -> tuple[list[str], list[dict[str, str]]]:
    seen: list[dict[str, str]] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(query(request))
        return handler(request)

    with mock_client(recording, **api) as client:
        return [doc.id for doc in client.list_documents("s_help", per_page=20)], seen


def test_an_offset_server_that_echoes_nothing_is_noticed_by_the_repeated_page() -> None:
    """`page` ignored, no echo, a total: page 2 repeats page 1, so offsets are tried."""

    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(query(request).get("offset", 0))
        return httpx.Response(200, json={"data": DOCS[offset : offset + 20], "total": 58})

    ids, seen = listed_ids(handler)
    assert ids == [doc["id"] for doc in DOCS]
    assert [q.get("page") or f"offset={q['offset']}" for q in seen] == [
        "1",
        "2",
        "offset=20",
        "offset=40",
    ]


def test_a_total_the_pages_do_not_reach_is_an_incomplete_listing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(query(request)["page"])
        chunk = DOCS[(page - 1) * 20 : page * 20] if page < 3 else []
        return httpx.Response(200, json={"documents": chunk, "page": page, "total": 58})

    with pytest.raises(IncompleteListingError, match="reports 58 documents but 40 were read"):
        listed_ids(handler)


def test_the_old_stop_at_the_first_page_without_new_ids_now_raises() -> None:
    """A server that ignores every paging parameter and says there are 58: never 20 silently."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": DOCS[:20], "total": 58})

    with pytest.raises(IncompleteListingError, match="whatever page or offset"):
        listed_ids(handler)


@pytest.mark.parametrize(
    ("key", "param"),
    [("next_cursor", "cursor"), ("next_page_token", "page_token"), ("next", "cursor")],
)
def test_cursor_tokens_are_followed_back_in_their_parameter(key: str, param: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        start = int(query(request).get(param, "0").removeprefix("tok"))
        following = start + 20
        token = f"tok{following}" if following < 58 else None
        return httpx.Response(200, json={"data": DOCS[start:following], key: token})

    ids, seen = listed_ids(handler)
    assert ids == [doc["id"] for doc in DOCS]
    assert [q.get(param) for q in seen] == [None, "tok20", "tok40"]


def test_has_more_with_a_cursor_and_a_cursor_that_loops() -> None:
    def looping(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": DOCS[:20], "next_cursor": "same"})

    with pytest.raises(IncompleteListingError, match="repeats documents already read"):
        listed_ids(looping)

    def stops_early(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": DOCS[:20], "has_more": True})

    with pytest.raises(IncompleteListingError):
        listed_ids(stops_early)


def test_rfc_8288_link_headers_are_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        start = int(query(request).get("after", "0"))
        following = start + 20
        headers = {}
        if following < 58:
            headers["Link"] = (
                f"<https://api.uppzy.test/api/v1/m2m/sites/s_help/documents?after={following}>; "
                'rel="next"'
            )
        return httpx.Response(200, json=DOCS[start:following], headers=headers)

    ids, seen = listed_ids(handler)
    assert ids == [doc["id"] for doc in DOCS]
    assert [q.get("after") for q in seen] == [None, "20", "40"]


def test_a_next_url_in_the_body_is_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        start = int(query(request).get("from", "0"))
        following = start + 20
        body: dict[str, Any] = {"items": DOCS[start:following]}
        if following < 58:
            body["links"] = {"next": f"/api/v1/m2m/sites/s_help/documents?from={following}"}
        return httpx.Response(200, json=body)

    ids, _ = listed_ids(handler)
    assert ids == [doc["id"] for doc in DOCS]


def test_a_next_link_to_another_host_is_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"data": DOCS[:20], "next": "https://collector.test/steal?c=2"}
        )

    with pytest.raises(IncompleteListingError, match="leaves the listing"):
        listed_ids(handler)


def test_a_short_bare_list_is_the_whole_listing_in_one_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=DOCS[:7])

    ids, seen = listed_ids(handler)
    assert ids == [doc["id"] for doc in DOCS[:7]]
    assert len(seen) == 1


def test_a_full_page_server_that_ignores_page_but_pages_by_offset_is_read_whole() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(query(request).get("offset", 0))
        return httpx.Response(200, json=DOCS[offset : offset + 20])

    ids, seen = listed_ids(handler)
    assert ids == [doc["id"] for doc in DOCS]
    assert len(seen) == 1 + 1 + 2  # page 1, page 2 (a repeat), offsets 20 and 40


def test_a_cursor_pin_against_a_page_server_is_refused_by_its_total() -> None:
    with (
        Sandbox(None, open_scope=Scope.local(), dialect="page") as box,
        client_for(box, pagination="cursor", per_page=10) as client,
    ):
        fill(client, 25)
        with pytest.raises(IncompleteListingError, match="reports 25 documents but 10"):
            client.list_documents(SITE)


def test_a_listing_that_changes_while_it_is_read_is_read_again() -> None:
    """8 documents deleted by hand right after page 1 was read: the rest shift forward, and
    pages 2 and 3 skip 8 documents that still exist. The changed total gives it away; the
    listing is read again, whole, instead of those 8 looking deleted (and being re-created)."""
    listing = list(DOCS)
    served: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(query(request)["page"])
        served.append(page)
        chunk = listing[(page - 1) * 20 : page * 20]
        body = {"documents": chunk, "page": page, "total": len(listing)}
        if len(served) == 1:
            del listing[:8]
        return httpx.Response(200, json=body)

    ids, _ = listed_ids(handler)
    assert ids == [doc["id"] for doc in DOCS[8:]]
    assert served.count(1) == 2  # read twice: the second time whole, and nothing else
    assert sorted(served[served.index(1, 1) :]) == [1, 2, 3]


def test_a_listing_that_keeps_changing_is_refused() -> None:
    listing = list(DOCS)

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(query(request)["page"])
        body = {"documents": listing[(page - 1) * 20 : page * 20], "page": page}
        body["total"] = len(listing)
        if page == 1:
            listing.pop()
        return httpx.Response(200, json=body)

    with pytest.raises(IncompleteListingError, match="changed while it was read"):
        listed_ids(handler)


def test_documents_created_while_the_listing_is_read_do_not_make_it_incomplete() -> None:
    """Creates append: positions do not shift back, so every document there at the start is
    read; the rising total is not taken for a partial read (a sync creates while it lists)."""
    listing = list(DOCS[:50])

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(query(request)["page"])
        body = {"documents": listing[(page - 1) * 20 : page * 20], "page": page}
        body["total"] = len(listing)
        if len(listing) < 58:
            listing.append(DOCS[len(listing)])
        return httpx.Response(200, json=body)

    ids, _ = listed_ids(handler)
    assert ids[:50] == [doc["id"] for doc in DOCS[:50]]
    assert len(ids) == len(set(ids)) <= 58


@pytest.mark.parametrize(
    ("paging", "style"), [("page", "page"), ("offset", "offset"), ("cursor", "cursor")]
)
def test_read_listing_tells_the_style_found_and_its_cost(paging: str, style: str) -> None:
    with (
        Sandbox(None, open_scope=Scope.local(), dialect=paging) as box,
        client_for(box) as client,
    ):
        fill(client, 11)
        listing = client.read_listing(SITE, per_page=10)
        assert (listing.style, listing.requests, len(listing.documents)) == (style, 2, 11)
        with pytest.raises(IncompleteListingError):
            client.read_listing(
                SITE, per_page=10, pagination="page" if paging != "page" else "offset"
            )
