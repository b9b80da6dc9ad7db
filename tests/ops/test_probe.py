"""`kbsync probe`: shapes and values of real responses compared with what kbsync assumes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.api import UppzyClient
from pipeline.cli.probe_cmd import SHAPE_SETTING, render
from pipeline.config import ApiConfig, EnvironmentConfig, HttpConfig, SiteConfig
from pipeline.ops.probe import ASSUMED, CANARY_PREFIX, probe
from pipeline.ops.shapes import ShapeDifference, compare, shape_of
from pipeline.sandbox import Sandbox, Scope, parse_keys, run_on_port
from tests.ops.ops_support import (
    KEYS,
    STAGING_KEY,
    STAGING_VAR,
    Port,
    Run,
    environment,
    port,
    run,
)

__all__ = ["port", "run"]  # fixtures

FAST = HttpConfig(total_timeout=5.0, backoff_initial=0.001, backoff_max=0.005)
ERRORS = [
    'ok    error: wrong API key: limits: 401 {"error": "invalid_api_key"}',
    "ok    error: session close without session_id: close_session: 400 "
    '{"error": "session_id is required"}',
    "ok    error: feedback neither good nor bad: submit_feedback: 400 "
    "{\"error\": \"feedback must be 'good' or 'bad'\"}",
    "ok    error: feedback on an unknown request: submit_feedback: 404 "
    '{"error": "request not found"}',
]
NO_RATE_LIMIT = (
    "info  rate limits: no Retry-After or X-RateLimit-* header seen: a 429 is retried with backoff"
)
STATUS_WORDS_OK = (
    'ok    status words: a new document is "draft" (starts draft); bulk-status takes "draft" '
    'and "active"; the listing reads them back'
)


def test_probe_with_writes_finds_no_difference_against_the_sandbox(port: Port, run: Run) -> None:
    root = port.repo()
    result = run(root, "probe", "--env", "staging", "--write", "--chat", "--out", "probe.json")
    assert result.exit_code == 0, result.output
    assert len(ASSUMED) == 18
    assert result.stdout.splitlines() == [
        *(f"ok    {name}: as assumed" for name in ASSUMED),
        "ok    listing: pages by page numbers (page/per_page); 3 documents read whole in 2 "
        "requests (2 per page), total 3",
        STATUS_WORDS_OK,
        *ERRORS,
        "info  async chat: HTTP 202, first status 'pending' (read as pending)",
        NO_RATE_LIMIT,
        "staging/s_faq: no differences",
        "report written to probe.json",
    ]
    assert port.sandbox.documents("s_faq") == []
    creates = port.sandbox.request_log(operation="createTextDocument")
    assert len(creates) == 3  # one canary, two more for a listing of two pages
    chats = port.sandbox.request_log(operation="chat") + port.sandbox.request_log(
        operation="chatAsync"
    )
    assert len(chats) == 2
    text = (root / "probe.json").read_text()
    data = json.loads(text)
    assert data["ok"] is True and data["differences"] == 0 and data["canaries_left"] == []
    assert all(title.startswith(CANARY_PREFIX) for title in data["canaries"])
    limits = next(e for e in data["endpoints"] if e["endpoint"] == "limits")
    assert limits["observed"]["documents"] == {"limit": "integer", "used": "integer"}
    assert "Acme" not in text and "t_acme" not in text  # response values are never recorded
    assert STAGING_KEY not in text


def test_writes_run_before_the_reads_that_depend_on_them(port: Port, run: Run) -> None:
    result = run(port.repo(), "probe", "--env", "staging", "--write")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "ok    chat_async: as assumed" in lines and "skip  chat: needs --chat" in lines
    assert "info  async chat: HTTP 202, first status 'pending' (read as pending)" in lines
    assert len(port.sandbox.request_log(operation="chatAsync")) == 1
    assert port.sandbox.request_log(operation="chat") == []
    closes = port.sandbox.request_log(operation="closeSession")
    assert [entry.status for entry in closes] == [400, 200]  # the documented 400, then ours
    log = port.sandbox.request_log()
    operations = [entry.operation for entry in log]
    first_list = operations.index("listDocuments")
    assert operations.index("createTextDocument") < first_list
    assert operations.index("bulkUpdateDocumentStatus") < first_list
    assert operations[-1] == "bulkDeleteDocuments"


def test_without_write_the_writes_are_skipped(port: Port, run: Run) -> None:
    result = run(port.repo(), "probe", "--env", "staging", "--site", "s_help")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "skip  create_text_document: needs --write" in lines
    assert "skip  chat: needs --chat" in lines
    assert lines[-6:] == [
        "skip  listing: 0 documents on the site, one page: paging across pages not seen "
        "(--write creates canaries)",
        "skip  status words: needs --write",
        "skip  documented errors: needs --write",
        "skip  async chat: needs --write or --chat",
        NO_RATE_LIMIT,
        "staging/s_help: no differences",
    ]
    assert port.sandbox.request_log(operation="chat") == []
    assert port.sandbox.request_log(method="POST") == []


# --------------------------------------------------------------------------------- dialects


@contextmanager
def served(tmp: Path, monkeypatch: pytest.MonkeyPatch, **options: Any) -> Iterator[Port]:
    """The keyed sandbox on a port, speaking the dialect `options` choose."""
    monkeypatch.setenv(STAGING_VAR, STAGING_KEY)
    with (
        Sandbox(None, keys=parse_keys(KEYS), ready_delay=0.0, async_delay=0.0, **options) as box,
        run_on_port(box) as url,
    ):
        yield Port(box, url, tmp)


def probe_dialect(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, run: Run, api: str = "", **options: Any
) -> tuple[int, list[str], list[dict[str, Any]]]:
    """`kbsync probe --env staging --write` against a sandbox speaking `options`, with `api`
    as the environment's `[…api]` table: exit code, output lines, documents left on s_faq."""
    with served(tmp, monkeypatch, **options) as served_port:
        config = environment("staging", served_port.url)
        if api:
            config += f"[environments.staging.api]\n{api}\n"
        root = served_port.repo(config)
        result = run(root, "probe", "--env", "staging", "--write")
        left = served_port.sandbox.documents("s_faq")
        return result.exit_code, result.stdout.splitlines(), left


@pytest.mark.parametrize(
    ("dialect", "style", "total"),
    [("cursor", "cursor tokens", "no total"), ("offset", "offsets (offset/limit)", "total 3")],
)
def test_a_listing_that_pages_otherwise_is_a_difference_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run, dialect: str, style: str, total: str
) -> None:
    code, lines, left = probe_dialect(tmp_path, monkeypatch, run, dialect=dialect)
    assert code == 1
    at = next(i for i, line in enumerate(lines) if line.startswith("DIFF  listing"))
    assert lines[at : at + 3] == [
        f"DIFF  listing: pages by {style}, kbsync assumes page numbers (page/per_page); "
        f"3 documents read whole in 2 requests (2 per page), {total}",
        f'        absorb it: [environments.staging.api] pagination = "{dialect}"',
        STATUS_WORDS_OK,
    ]
    assert lines[-1] == "staging/s_faq: 1 difference"
    assert left == []


def test_the_named_pagination_setting_absorbs_the_difference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    code, lines, _ = probe_dialect(
        tmp_path, monkeypatch, run, api='pagination = "offset"', dialect="offset"
    )
    assert code == 0, lines
    assert (
        "ok    listing: pages by offsets (offset/limit); 3 documents read whole in 2 requests "
        "(2 per page), total 3"
    ) in lines


def test_a_pinned_style_that_does_not_fit_names_the_one_that_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    code, lines, _ = probe_dialect(
        tmp_path, monkeypatch, run, api='pagination = "page"', dialect="cursor"
    )
    assert code == 1
    at = next(i for i, line in enumerate(lines) if line.startswith("DIFF  listing"))
    assert lines[at] == (
        'DIFF  listing: pagination = "page" does not read it whole (the document listing of '
        "site 's_faq' could not be read whole (paging by page): page 2 brought no new "
        "documents although more were expected; nothing is created or deleted on a partial "
        "listing); it pages by cursor tokens"
    )
    assert lines[at + 1] == '        absorb it: [environments.staging.api] pagination = "cursor"'


WORDS = {"active": "published", "draft": "inactive"}


def test_other_status_words_are_a_difference_naming_both_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    code, lines, left = probe_dialect(tmp_path, monkeypatch, run, status_words=WORDS)
    assert code == 1
    at = next(i for i, line in enumerate(lines) if "status words:" in line)
    refusal = "invalid payload: status must be 'inactive' or 'published'"
    assert lines[at : at + 2] == [
        'DIFF  status words: a new document\'s status is "inactive", neither "draft" nor '
        f'"active"; bulk-status refused "draft" (draft): {refusal}; bulk-status refused '
        f'"active" (active): {refusal}',
        "        absorb it: [environments.staging.api] status_words = "
        '{ active = "published", draft = "inactive" }',
    ]
    assert "skip  bulk_status: refused a status word (see status words)" in lines
    assert lines[-1] == "staging/s_faq: 1 difference"
    assert left == []


def test_the_named_status_words_absorb_the_difference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    api = 'status_words = { active = "published", draft = "inactive" }'
    code, lines, _ = probe_dialect(tmp_path, monkeypatch, run, api=api, status_words=WORDS)
    assert code == 0, lines
    assert (
        'ok    status words: a new document is "inactive" (starts draft); bulk-status takes '
        '"inactive" and "published"; the listing reads them back'
    ) in lines


def test_rate_limit_headers_are_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    code, lines, _ = probe_dialect(tmp_path, monkeypatch, run, rate_limit="1000/60s")
    assert code == 0, lines
    assert lines[-2] == (
        "info  rate limits: X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset seen "
        "(kbsync paces on Remaining/Reset)"
    )


# ------------------------------------------------------------------ hostile servers, in-process


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(None, open_scope=scope, ready_delay=0.0, async_delay=0.0) as box:
        yield box


def _local_client(
    sandbox: Sandbox, transport: httpx.BaseTransport | None = None, api: ApiConfig | None = None
) -> UppzyClient:
    env = EnvironmentConfig(
        name="local", base_url="sandbox:", tenant_id="t_local",
        sites={"s_local": SiteConfig()}, http=FAST, api=api or ApiConfig(),
    )  # fmt: skip
    return UppzyClient.for_environment(env, transport=transport or sandbox.transport())


def rewriting(sandbox: Sandbox, rewrite: Any) -> httpx.MockTransport:
    """The sandbox's answers, passed through `rewrite(request, response) -> response`."""
    inner = sandbox.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        return rewrite(request, response)

    return httpx.MockTransport(handle)


def checks(report: Any) -> dict[str, tuple[str, str, str | None]]:
    return {item.name: (item.outcome, item.detail, item.setting) for item in report.checks}


def test_an_empty_listing_cannot_pass_vacuously(sandbox: Sandbox) -> None:
    """A listing that always answers "no documents" (total 0) hides the canaries it was
    written before: a difference, not a pass."""

    def empty(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/documents"):
            return httpx.Response(200, json={"documents": [], "page": 1, "per_page": 2, "total": 0})
        return response

    with _local_client(sandbox, rewriting(sandbox, empty)) as client:
        report = probe(client, "local", "s_local", write=True)
    outcome, detail, setting = checks(report)["listing"]
    assert outcome == "differs"
    assert detail.startswith("the listing lacks 4 canary document(s) created before it was read")
    assert setting == "[environments.local.api] pagination: pin the style Uppzy uses"
    assert not report.ok and sandbox.documents("s_local") == []


def test_a_total_that_disagrees_is_a_difference(sandbox: Sandbox) -> None:
    def inflated(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/documents"):
            body = response.json()
            body["total"] += 5
            return httpx.Response(200, json=body)
        return response

    with _local_client(sandbox, rewriting(sandbox, inflated)) as client:
        report = probe(client, "local", "s_local", write=True)
    outcome, detail, setting = checks(report)["listing"]
    assert outcome == "differs"
    assert "could not be read whole" in detail and setting is not None
    assert "[environments.local.api] pagination" in setting
    assert sandbox.documents("s_local") == []


def test_an_error_body_other_than_documented_is_a_difference(sandbox: Sandbox) -> None:
    def reworded(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if response.status_code == 401:
            return httpx.Response(401, json={"error": "Invalid API key", "code": 40101})
        if response.status_code == 404:
            return httpx.Response(400, json={"error": "request not found"})
        return response

    with _local_client(sandbox, rewriting(sandbox, reworded)) as client:
        report = probe(client, "local", "s_local", write=True)
    found = checks(report)
    assert found["error: wrong API key"] == (
        "differs",
        'limits: documented 401 {"error": "invalid_api_key"}, got 401 '
        '{"code": 40101, "error": "Invalid API key"}',
        "no setting: kbsync acts on the status code, the text only reaches messages",
    )
    outcome, detail, setting = found["error: feedback on an unknown request"]
    assert (outcome, detail) == (
        "differs",
        'submit_feedback: documented 404 {"error": "request not found"}, got 400 '
        '{"error": "request not found"}',
    )
    assert setting is not None and setting.startswith("no setting: kbsync's error handling")
    assert found["error: session close without session_id"][0] == "same"


def test_a_changed_shape_is_reported(sandbox: Sandbox) -> None:
    def changed(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        path = request.url.path
        if path.endswith("/limits"):
            body = response.json()
            body["docs"] = body.pop("documents")
            body["max_upload_bytes"] = "1 MB"
            return httpx.Response(200, json=body)
        if path.endswith("/sessions"):
            return httpx.Response(200, json=response.json()["sessions"])
        return response

    with _local_client(sandbox, rewriting(sandbox, changed)) as client:
        report = probe(client, "local", "s_local")
    by_name = report.endpoints
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


def test_the_canaries_are_deleted_even_when_the_probe_delete_fails(sandbox: Sandbox) -> None:
    sandbox.faults.script("503", times=4, operation="bulkDeleteDocuments")
    with _local_client(sandbox) as client:
        report = probe(client, "local", "s_local", write=True)
    assert report.endpoints["bulk_delete"].outcome == "error"
    assert len(report.canaries) == 3
    assert all(title.startswith(CANARY_PREFIX) for title in report.canaries)
    assert report.canaries_left == []
    assert sandbox.documents("s_local") == []
    assert not report.ok


def test_the_canaries_are_deleted_when_the_probe_fails_midway(sandbox: Sandbox) -> None:
    sandbox.faults.script("503", times=20, operation="listDocuments")
    with _local_client(sandbox) as client:
        report = probe(client, "local", "s_local", write=True)
    assert checks(report)["listing"][0] == "error"
    assert sandbox.documents("s_local") == [] and report.canaries_left == []


def test_chat_still_pending_at_the_deadline_fails_and_closes_the_session() -> None:
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(None, open_scope=scope, ready_delay=0.0, async_delay=60.0) as box:
        with _local_client(box) as client:
            report = probe(
                client, "local", "s_local", chat=True, poll_interval=0.05, poll_deadline=0.3
            )
        status = report.endpoints["chat_request_status"]
        assert status.outcome == "error"
        assert status.detail.startswith("async chat request req_")
        assert status.detail.endswith("did not complete within 0.3 s (last status: pending)")
        assert report.endpoints["submit_feedback"].outcome == "skipped"
        assert report.endpoints["close_session"].outcome == "same"
        assert box.request_log(operation="submitFeedback") == []
        assert len(box.request_log(operation="closeSession")) == 1
        assert 1 <= len(box.request_log(operation="getChatRequest")) <= 8 and not report.ok


def test_a_changed_chat_shape_is_reported(sandbox: Sandbox) -> None:
    def changed(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith("/chat"):
            body = response.json()
            body["reply"] = body["answer"]
            body["confidence_score"] = "high"
            return httpx.Response(200, json=body)
        return response

    with _local_client(sandbox, rewriting(sandbox, changed)) as client:
        report = probe(client, "local", "s_local", chat=True, poll_interval=0.01)
    assert [d.describe() for d in report.endpoints["chat"].differences] == [
        "$.confidence_score: type differs (assumed number, got string)",
        "$.reply: extra field (assumed absent, got string)",
    ]
    assert report.endpoints["chat_request_status"].outcome == "same"
    assert report.endpoints["submit_feedback"].outcome == "same"
    assert report.differences == 2
    assert checks(report)["async chat"] == (
        "info",
        "HTTP 202, first status 'pending' (read as pending)",
        None,
    )


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


def test_no_request_id_in_the_report_is_a_secret(port: Port, run: Run) -> None:
    root = port.repo()
    result = run(root, "probe", "--env", "staging", "--write", "--out", "probe.json")
    assert result.exit_code == 0
    assert not re.search(STAGING_KEY, result.output + (root / "probe.json").read_text())


def test_a_new_document_that_starts_active_is_reported(sandbox: Sandbox) -> None:
    """Uppzy does not document a new document's status; one that starts active is live before
    kbsync activates its batch: recorded, not a difference (no setting changes it)."""

    def active(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/documents/text"):
            return httpx.Response(201, json=response.json() | {"status": "active"})
        return response

    with _local_client(sandbox, rewriting(sandbox, active)) as client:
        report = probe(client, "local", "s_local", write=True)
    assert checks(report)["status words"] == (
        "info",
        'a new document is "active" (starts active: it is live before kbsync activates its '
        'batch); bulk-status takes "draft" and "active"; the listing reads them back',
        None,
    )
    assert report.ok and sandbox.documents("s_local") == []


def test_a_canary_whose_create_answer_was_lost_is_found_by_title_and_deleted(
    sandbox: Sandbox,
) -> None:
    sandbox.faults.script("503", when="after", operation="createTextDocument")
    with _local_client(sandbox) as client:
        report = probe(client, "local", "s_local", write=True)
    assert report.endpoints["create_text_document"].outcome == "error"
    assert report.endpoints["update_document"].outcome == "skipped"
    assert len(report.canaries) == 3 and report.canaries_left == []
    assert sandbox.documents("s_local") == []
    assert not report.ok


def test_a_changed_shape_is_printed_with_what_absorbs_it(sandbox: Sandbox) -> None:
    def changed(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith("/limits"):
            body = response.json()
            body["docs"] = body.pop("documents")
            return httpx.Response(200, json=body)
        return response

    with _local_client(sandbox, rewriting(sandbox, changed)) as client:
        lines = render(probe(client, "local", "s_local"))
    at = lines.index("DIFF  limits: 2 differences")
    assert lines[at + 1 : at + 4] == [
        "        $.documents: missing field (assumed object, got absent)",
        "        $.docs: extra field (assumed absent, got object)",
        f"        absorb it: {SHAPE_SETTING}",
    ]
    assert lines[-1] == "local/s_local: 2 differences"


def test_cursor_paging_and_other_words_together_are_both_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    """The sync tests' "cursor dialect" (cursor tokens and published/inactive): the listing
    is still read (with the words it shows standing in), so one run names both settings."""
    code, lines, left = probe_dialect(
        tmp_path, monkeypatch, run, dialect="cursor", status_words=WORDS
    )
    assert code == 1
    absorbed = [line.strip() for line in lines if line.strip().startswith("absorb it:")]
    assert absorbed == [
        'absorb it: [environments.staging.api] pagination = "cursor"',
        "absorb it: [environments.staging.api] status_words = "
        '{ active = "published", draft = "inactive" }',
    ]
    assert lines[-1] == "staging/s_faq: 2 differences"
    assert left == []


def test_a_bulk_status_that_fails_is_not_read_as_accepting_the_words(sandbox: Sandbox) -> None:
    sandbox.faults.script("503", times=8, operation="bulkUpdateDocumentStatus")
    with _local_client(sandbox) as client:
        report = probe(client, "local", "s_local", write=True)
    assert checks(report)["status words"] == (
        "error",
        "bulk-status could not be checked (draft, active): see bulk_status",
        None,
    )
    assert report.endpoints["bulk_status"].outcome == "error"
    assert not report.ok and sandbox.documents("s_local") == []
