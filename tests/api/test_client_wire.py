"""What the sandbox cannot produce: Retry-After values, body shape variants, odd statuses.

These use httpx's MockTransport, which stands in for a server that answers differently from
the sandbox (API.md's (assumed) shapes may be wrong in ways the real service will show).
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable

import httpx
import pytest

from pipeline.api import (
    AuthError,
    IncompleteListingError,
    PlanError,
    RateLimitedError,
    TextDocument,
    UnexpectedResponseError,
    UppzyClient,
)
from pipeline.api.errors import MissingApiKeyError
from pipeline.config import EnvironmentConfig, HttpConfig
from pipeline.errors import ConfigError

Handler = Callable[[httpx.Request], httpx.Response]
FAST = HttpConfig(backoff_initial=0.01, backoff_max=0.02, retry_after_cap=0.05, total_timeout=10)


def make_client(handler: Handler, http: HttpConfig = FAST, **kwargs: object) -> UppzyClient:
    return UppzyClient(
        base_url="https://api.uppzy.test/api/v1",
        tenant_id="t_acme",
        api_key="key-123",
        api_key_env="KBSYNC_PROD_API_KEY",
        http=http,
        environment="production",
        transport=httpx.MockTransport(handler),
        **kwargs,  # type: ignore[arg-type]
    )


DOC = {"id": "d1", "type": "text", "title": "T", "status": "draft", "ready": False}
NO_ID = {key: value for key, value in DOC.items() if key != "id"}


def retry_waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    return [r.retry_in_ms for r in caplog.records if getattr(r, "outcome", None) == "retry"]  # type: ignore[attr-defined]


def test_retry_after_is_honoured(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pipeline.api")
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "0.02"}, json={"error": "slow down"}),
            httpx.Response(201, json=DOC),
        ]
    )
    with make_client(lambda request: next(answers)) as client:
        doc = client.create_text_document("s_help", TextDocument("T", "body"))
    assert doc.id == "d1"
    assert retry_waits(caplog) == [20.0]


def test_retry_after_is_capped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pipeline.api")
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json=[])]
    )
    with make_client(lambda request: next(answers)) as client:
        started = time.monotonic()
        assert client.list_documents("s_help") == []
    assert retry_waits(caplog) == [50.0]  # retry_after_cap = 0.05 s
    assert time.monotonic() - started < 30  # the hour was not waited


def test_retry_after_as_an_http_date(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pipeline.api")
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json=[])]
    )
    with make_client(lambda request: next(answers)) as client:
        client.list_documents("s_help")
    assert retry_waits(caplog) == [50.0]


def test_a_retry_after_beyond_the_deadline_fails_at_once_naming_the_deadline() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(429, headers={"Retry-After": "30"})

    slow_cap = HttpConfig(retry_after_cap=60, total_timeout=2, backoff_initial=0.01)
    from pipeline.api import DeadlineExceeded

    with make_client(handler, slow_cap) as client, pytest.raises(DeadlineExceeded) as caught:
        client.list_documents("s_help")
    assert len(calls) == 1
    assert "http.total_timeout = 2 s" in str(caught.value)
    assert isinstance(caught.value.last_error, RateLimitedError)
    assert not caught.value.uncertain


def test_429_exhausts_its_attempts_then_says_what_to_do() -> None:
    with (
        make_client(lambda request: httpx.Response(429, json={"error": "rate limit"})) as client,
        pytest.raises(RateLimitedError) as caught,
    ):
        client.tenant()
    assert caught.value.attempts == 4
    assert (
        str(caught.value) == "429 from Uppzy (tenant after 4 attempts): rate limited (rate limit)"
    )
    assert caught.value.hint is not None and "http.concurrency" in caught.value.hint


def test_common_headers_and_one_client_request_id_across_retries() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503) if len(seen) == 1 else httpx.Response(200, json=[DOC])

    with make_client(handler) as client:
        client.list_documents("s_help")
    first, second = seen
    assert first.headers["X-API-Key"] == "key-123"
    assert first.headers["User-Agent"].startswith("kbsync/")
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["X-Request-Id"].startswith("kbsync-")
    assert first.headers["X-Request-Id"] == second.headers["X-Request-Id"]
    assert (
        str(first.url)
        == "https://api.uppzy.test/api/v1/m2m/sites/s_help/documents?page=1&per_page=100&limit=100"
    )


def test_a_multipart_upload_keeps_its_boundary() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={**DOC, "type": "file", "title": "a.pdf"})

    from pipeline.api import FileDocument

    with make_client(handler) as client:
        doc = client.upload_file_document("s_help", FileDocument("a.pdf", b"%PDF"))
    assert doc.type == "file"
    assert seen[0].headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="a.pdf"' in seen[0].content


def test_401_names_the_variable_and_never_the_key() -> None:
    with (
        make_client(lambda r: httpx.Response(401, json={"error": "invalid_api_key"})) as client,
        pytest.raises(AuthError) as caught,
    ):
        client.limits()
    message = str(caught.value)
    assert message == (
        "401 from Uppzy (limits): the key in KBSYNC_PROD_API_KEY is missing, invalid, "
        "expired or revoked"
    )
    assert "key-123" not in message + str(caught.value.hint)
    assert caught.value.exit_code == 1


def test_403_plan_error_is_its_own_type() -> None:
    body = {"error": "api_access_not_available_on_plan"}
    with (
        make_client(lambda r: httpx.Response(403, json=body)) as client,
        pytest.raises(PlanError, match="plan does not include M2M API access"),
    ):
        client.limits()


def test_a_2xx_that_is_not_json_where_a_body_is_needed() -> None:
    with (
        make_client(lambda r: httpx.Response(200, text="<html>proxy</html>")) as client,
        pytest.raises(UnexpectedResponseError, match="unexpected response from Uppzy"),
    ):
        client.limits()


def test_a_patch_answered_without_a_document_returns_none() -> None:
    from pipeline.api import DocumentPatch

    with make_client(lambda r: httpx.Response(204)) as client:
        assert client.update_document("s", "d1", DocumentPatch(title="x")) is None


@pytest.mark.parametrize(
    "pages",
    [
        # Bare lists, no paging facts: a short page ends the listing.
        [[{**DOC, "id": f"d{i}"} for i in range(100)], [{**DOC, "id": "d100"}]],
        # Wrapped with has_more.
        [
            {"items": [{**DOC, "id": f"d{i}"} for i in range(100)], "has_more": True},
            {"items": [{**DOC, "id": "d100"}], "has_more": False},
        ],
        # A server that pages by 50 whatever is asked, and says the total.
        [
            {"data": [{**NO_ID, "document_id": f"d{i}"} for i in range(50)], "total": 101},
            {"data": [{**NO_ID, "document_id": f"d{i}"} for i in range(50, 100)], "total": 101},
            {"data": [{**NO_ID, "document_id": "d100"}], "total": 101},
        ],
    ],
)
def test_listing_shape_variants(pages: list[object]) -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(request.url.params["page"])
        return httpx.Response(200, json=pages[int(request.url.params["page"]) - 1])

    with make_client(handler) as client:
        docs = client.list_documents("s_help")
    assert [d.id for d in docs] == [f"d{i}" for i in range(101)]
    assert sorted(requested) == [str(n) for n in range(1, len(pages) + 1)]


def test_a_full_page_that_ignores_page_and_offset_is_refused_not_taken_as_all() -> None:
    everything = [{**DOC, "id": f"d{i}"} for i in range(100)]
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url.params))
        return httpx.Response(200, json={"documents": everything})

    with make_client(handler) as client, pytest.raises(IncompleteListingError) as caught:
        client.list_documents("s_help")
    assert requested == [
        "page=1&per_page=100&limit=100",
        "page=2&per_page=100&limit=100",
        "offset=100&limit=100&per_page=100",
    ]
    assert "whatever page or offset is asked for" in caught.value.message
    assert "[environments.production.api] pagination" in (caught.value.hint or "")


def test_for_environment_reads_the_key_from_the_named_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = EnvironmentConfig(
        name="production",
        base_url="https://api.uppzy.test/api/v1",
        tenant_id="t_acme",
        api_key_env="KBSYNC_PROD_API_KEY",
    )
    monkeypatch.setenv("KBSYNC_PROD_API_KEY", "secret-from-env")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "t_acme", "name": "Acme", "plan": "level2"})

    with UppzyClient.for_environment(env, transport=httpx.MockTransport(handler)) as client:
        assert client.tenant().plan == "level2"
    assert seen[0].headers["X-API-Key"] == "secret-from-env"


def test_for_environment_without_the_key_is_a_one_line_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KBSYNC_PROD_API_KEY", raising=False)
    env = EnvironmentConfig(name="production", tenant_id="t", api_key_env="KBSYNC_PROD_API_KEY")
    with pytest.raises(MissingApiKeyError) as caught:
        UppzyClient.for_environment(env)
    assert str(caught.value) == (
        "environment 'production' needs an API key: the variable KBSYNC_PROD_API_KEY is not set"
    )
    assert isinstance(caught.value, ConfigError) and caught.value.exit_code == 2


def test_a_sandbox_environment_needs_a_transport_and_no_key() -> None:
    env = EnvironmentConfig(name="local", base_url="sandbox:", tenant_id="t_local")
    with pytest.raises(ConfigError, match="in-process sandbox"):
        UppzyClient.for_environment(env)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=json.loads('{"id": "t_local"}'))

    with UppzyClient.for_environment(env, transport=httpx.MockTransport(handler)) as client:
        client.tenant()
    assert "X-API-Key" not in seen[0].headers
    assert seen[0].url.path == "/api/v1/m2m/tenants/t_local"
