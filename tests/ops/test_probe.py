"""`kbsync probe`: shapes of real responses compared with the assumed ones."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from pipeline.api import UppzyClient
from pipeline.config import EnvironmentConfig, HttpConfig, SiteConfig
from pipeline.ops.probe import ASSUMED, CANARY_PREFIX, probe
from pipeline.ops.shapes import ShapeDifference, compare, shape_of
from pipeline.sandbox import Sandbox, Scope
from tests.ops.ops_support import Port, Run, port, run

__all__ = ["port", "run"]  # fixtures

FAST = HttpConfig(total_timeout=5.0, backoff_initial=0.001, backoff_max=0.005)


def test_probe_with_writes_finds_no_difference_against_the_sandbox(port: Port, run: Run) -> None:
    root = port.repo()
    result = run(root, "probe", "--env", "staging", "--write", "--chat", "--out", "shapes.json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(ASSUMED) == 18
    assert lines[:18] == [f"ok    {name}: as assumed" for name in ASSUMED]
    assert lines[18:] == ["staging/s_faq: no differences", "shapes written to shapes.json"]
    assert port.sandbox.documents("s_faq") == []
    chats = port.sandbox.request_log(operation="chat") + port.sandbox.request_log(
        operation="chatAsync"
    )
    assert len(chats) == 2
    text = (root / "shapes.json").read_text()
    data = json.loads(text)
    assert data["ok"] is True and data["differences"] == 0
    limits = next(e for e in data["endpoints"] if e["endpoint"] == "limits")
    assert limits["observed"]["documents"] == {"limit": "integer", "used": "integer"}
    assert "Acme" not in text and "t_acme" not in text  # values are never recorded


def test_without_write_the_writes_are_skipped(port: Port, run: Run) -> None:
    result = run(port.repo(), "probe", "--env", "staging", "--site", "s_help")
    assert result.exit_code == 0
    assert "skip  create_text_document: needs --write" in result.stdout.splitlines()
    assert "skip  chat: needs --chat" in result.stdout.splitlines()
    assert port.sandbox.request_log(operation="chat") == []
    assert result.stdout.splitlines()[-1] == "staging/s_help: no differences"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(None, open_scope=scope, ready_delay=0.0, async_delay=0.0) as box:
        yield box


def changed_client(sandbox: Sandbox) -> UppzyClient:
    """A client whose responses are the sandbox's, with `limits` and `sessions` changed."""
    inner = sandbox.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        path = request.url.path
        if path.endswith("/limits"):
            body = response.json()
            body["docs"] = body.pop("documents")
            body["max_upload_bytes"] = "1 MB"
            return httpx.Response(200, json=body)
        if path.endswith("/sessions"):
            return httpx.Response(200, json=response.json()["sessions"])
        return response

    env = EnvironmentConfig(
        name="local", base_url="sandbox:", tenant_id="t_local",
        sites={"s_local": SiteConfig()}, http=FAST,
    )  # fmt: skip
    return UppzyClient.for_environment(env, transport=httpx.MockTransport(handle))


def test_a_changed_shape_is_reported(sandbox: Sandbox) -> None:
    with changed_client(sandbox) as client:
        report = probe(client, "local", "s_local")
    by_name = {item.endpoint: item for item in report.endpoints}
    assert by_name["tenant"].outcome == "same"
    assert [d.describe() for d in by_name["limits"].differences] == [
        "$.documents: missing field (assumed object, got absent)",
        "$.max_upload_bytes: type differs (assumed integer|null, got string)",
        "$.docs: extra field (assumed absent, got object)",
    ]
    assert [d.describe() for d in by_name["sessions"].differences] == [
        "$: list bare, assumed wrapped (assumed object, got array)"
    ]
    assert (report.ok, report.differences) == (False, 4)


def test_the_canary_is_deleted_even_when_the_probe_delete_fails(sandbox: Sandbox) -> None:
    sandbox.faults.script("503", times=4, operation="bulkDeleteDocuments")
    env = EnvironmentConfig(
        name="local", base_url="sandbox:", tenant_id="t_local",
        sites={"s_local": SiteConfig()}, http=FAST,
    )  # fmt: skip
    with UppzyClient.for_environment(env, transport=sandbox.transport()) as client:
        report = probe(client, "local", "s_local", write=True)
    by_name = {item.endpoint: item for item in report.endpoints}
    assert by_name["bulk_delete"].outcome == "error"
    assert report.canary_title is not None and report.canary_title.startswith(CANARY_PREFIX)
    assert report.canary_left is None
    assert sandbox.documents("s_local") == []
    assert not report.ok


def test_shapes_record_names_and_types_only() -> None:
    value = {"b": [{"x": 1}, {"x": None, "y": "s"}], "a": True, "c": 1.5}
    assert shape_of(value) == {
        "a": "boolean",
        "b": [{"x": "integer|null", "y": "string"}],
        "c": "number",
    }


def test_compare_optional_nullable_and_wrapping() -> None:
    assumed = {"id": "string", "note?": "string", "when": "string|null", "n": "number"}
    assert compare(assumed, {"id": "a", "when": None, "n": 3}) == []
    assert compare(assumed, {"id": 1, "when": "x", "n": 1.0, "note": "z"}) == [
        ShapeDifference("$.id", "type differs", "string", "integer")
    ]
    assert compare([{"id": "string"}], {"items": [{"id": "a"}]}) == [
        ShapeDifference("$", "list wrapped, assumed bare", "array", "object")
    ]
    assert compare({"items": [{"id": "string"}]}, {"items": [{"id": "a"}, {"id": 2}]}) == [
        ShapeDifference("$.items[].id", "type differs", "string", "integer")
    ]


def _local_client(sandbox: Sandbox, transport: httpx.BaseTransport | None = None) -> UppzyClient:
    env = EnvironmentConfig(
        name="local", base_url="sandbox:", tenant_id="t_local",
        sites={"s_local": SiteConfig()}, http=FAST,
    )  # fmt: skip
    return UppzyClient.for_environment(env, transport=transport or sandbox.transport())


def test_chat_still_pending_at_the_deadline_fails_and_closes_the_session() -> None:
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(None, open_scope=scope, ready_delay=0.0, async_delay=60.0) as box:
        with _local_client(box) as client:
            report = probe(
                client, "local", "s_local", chat=True, poll_interval=0.05, poll_deadline=0.3
            )
        by_name = {item.endpoint: item for item in report.endpoints}
        status = by_name["chat_request_status"]
        assert (status.outcome, status.detail) == ("error", "still pending at the 0.3 s deadline")
        assert by_name["submit_feedback"].outcome == "skipped"
        assert by_name["close_session"].outcome == "same"
        assert box.request_log(operation="submitFeedback") == []
        assert len(box.request_log(operation="closeSession")) == 1
        assert 1 <= len(box.request_log(operation="getChatRequest")) <= 7 and not report.ok


def test_a_changed_chat_shape_is_reported(sandbox: Sandbox) -> None:
    inner = sandbox.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        if request.url.path.endswith("/chat"):
            body = response.json()
            body["reply"] = body.pop("answer")
            body["confidence_score"] = "high"
            return httpx.Response(200, json=body)
        return response

    with _local_client(sandbox, httpx.MockTransport(handle)) as client:
        report = probe(client, "local", "s_local", chat=True, poll_interval=0.01)
    by_name = {item.endpoint: item for item in report.endpoints}
    assert [d.describe() for d in by_name["chat"].differences] == [
        "$.answer: missing field (assumed string, got absent)",
        "$.confidence_score: type differs (assumed number, got string)",
        "$.reply: extra field (assumed absent, got string)",
    ]
    assert by_name["chat_request_status"].outcome == "same"
    assert by_name["submit_feedback"].outcome == "same"
    assert report.differences == 3
