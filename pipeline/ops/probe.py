"""`kbsync probe`: call every endpoint kbsync relies on, through the same client and wire module
as sync, and compare what Uppzy answers with what kbsync assumes — shapes and values.

Shapes (field names and JSON types, never values) are compared with :data:`ASSUMED`. Values are
the ones kbsync acts on (:mod:`pipeline.ops.probe_values`): how the listing pages and whether
its `total` holds, the status words, the documented error answers, the rate-limit headers, and
async chat's first answer. Every difference names the setting that would absorb it. Against the
bundled sandbox, which speaks API.md's assumptions, probe reports no difference.

With `write`, writes run before the reads that depend on them, so an empty site cannot pass
vacuously: a canary document (unique title) is created, patched, set `draft` then `active`
with bulk-status; when the site is too small for a listing of two pages, more canaries are
created (up to three documents, listed two per page); every canary is deleted at the end,
whatever happened, and one that could not be deleted is reported. The documented error
answers are drawn by requests that change nothing (one of them with a deliberately wrong key),
and one async question is submitted (one message of the quota) for async chat's HTTP status
and first status word, its session closed.

With `chat`, one question is asked twice in a fresh session (sync, then async, polled to the
end within the environment's async deadline); the async answer is rated `good` and the session
is closed whatever happens. That is two messages of the tenant's quota.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pipeline.api import (
    ApiError,
    AsyncStatus,
    DocumentPatch,
    TextDocument,
    UnexpectedResponseError,
    UppzyClient,
)
from pipeline.api.models import DocumentStatus
from pipeline.api.probing import Recording, document_id, listed_items, status_word
from pipeline.ops.probe_assumed import ASSUMED
from pipeline.ops.probe_report import (
    DIFFERS,
    ERROR,
    INFO,
    SAME,
    SKIPPED,
    EndpointProbe,
    ProbeReport,
)
from pipeline.ops.probe_values import (
    Canaries,
    check_documented_errors,
    check_listing,
    check_rate_limits,
    check_status_words,
    status_of,
)
from pipeline.ops.shapes import ShapeDifference, compare, shape_of

__all__ = ["ASSUMED", "CANARY_PREFIX", "ProbeReport", "probe"]

T = TypeVar("T")

log = logging.getLogger(__name__)

WRITE_ENDPOINTS = ("create_text_document", "update_document", "bulk_status", "bulk_delete")
CHAT_ENDPOINTS = (
    "chat",
    "chat_async",
    "chat_request_status",
    "submit_feedback",
    "close_session",
)
CANARY_PREFIX = "kbsync-probe-canary-"
PROBE_SESSION_PREFIX = "kbsync-probe-"
PROBE_QUESTION = "What can you help me with?"
CANARY_TEXT = "A kbsync probe canary; it is deleted right away."


def probe(
    client: UppzyClient,
    environment: str,
    site: str,
    *,
    write: bool = False,
    chat: bool = False,
    poll_interval: float = 0.5,
    poll_deadline: float = 30.0,
) -> ProbeReport:
    """Probe `site` of `environment` (see the module docstring)."""
    report = ProbeReport(environment=environment, site=site)
    canaries = Canaries()
    session = f"{PROBE_SESSION_PREFIX}{uuid.uuid4().hex[:16]}"
    with client.recording() as tape:
        try:
            if write:
                _probe_writes(client, site, report, tape, canaries)
            _probe_reads(client, site, report, tape)
            add = (
                (lambda count: _add_canaries(client, site, tape, canaries, count))
                if write
                else None
            )
            check_listing(client, site, report, tape, canaries, add)
            report.endpoint(_listing_shapes(tape))
            if write:
                check_status_words(client, report, canaries)
                check_documented_errors(client, site, report, session)
            else:
                for name in WRITE_ENDPOINTS:
                    report.endpoint(EndpointProbe(name, SKIPPED, detail="needs --write"))
                report.check("status words", SKIPPED, "needs --write")
                report.check("documented errors", SKIPPED, "needs --write")
            if chat:
                _probe_chat(client, site, report, tape, session, poll_interval, poll_deadline)
            elif write:
                _probe_async_submit(client, site, report, tape, session)
            else:
                for name in CHAT_ENDPOINTS:
                    report.endpoint(EndpointProbe(name, SKIPPED, detail="needs --chat"))
                report.check("async chat", SKIPPED, "needs --write or --chat")
        finally:
            if write:
                _remove_canaries(client, site, report, tape, canaries)
        check_rate_limits(tape, report)
    return report


# ------------------------------------------------------------------------------------ shapes


def _observe(
    tape: Recording,
    name: str,
    call: Callable[[], T],
    *,
    absorbed: Callable[[Any], bool] | None = None,
) -> tuple[EndpointProbe, T | None]:
    """Run `call` (a client method) and compare the shape of every 2xx answer of `name` it
    received. An answer the client could not read fails the endpoint, unless `absorbed` says
    a value check reports why (an unknown status word): then only its shape counts here."""
    before = len(tape.of(name))
    value: T | None = None
    failure: ApiError | None = None
    try:
        value = call()
    except ApiError as exc:
        failure = exc
    bodies = [item.body for item in tape.of(name)[before:] if 200 <= item.status < 300]
    found = _shape_differences(ASSUMED[name], bodies)
    observed = shape_of(bodies[-1]) if bodies else None
    if failure is not None and not (
        absorbed is not None
        and bodies
        and isinstance(failure, UnexpectedResponseError)
        and absorbed(bodies[-1])
    ):
        return EndpointProbe(name, ERROR, observed, found, failure.message), None
    return EndpointProbe(name, DIFFERS if found else SAME, observed, found), value


def _shape_differences(assumed: Any, bodies: list[Any]) -> list[ShapeDifference]:
    found: list[ShapeDifference] = []
    for body in bodies:
        for difference in compare(assumed, body):
            if difference not in found:
                found.append(difference)
    return found


def _probe_reads(client: UppzyClient, site: str, report: ProbeReport, tape: Recording) -> None:
    reads: list[tuple[str, Callable[[], object]]] = [
        ("tenant", client.tenant),
        ("limits", client.limits),
        ("usage", client.usage),
        ("usage_history", client.usage_history),
        ("tenant_statistics", client.tenant_statistics),
        ("site", lambda: client.site(site)),
        ("site_statistics", lambda: client.site_statistics(site)),
        ("sessions", lambda: client.sessions(site)),
    ]
    for name, call in reads:
        report.endpoint(_observe(tape, name, call)[0])


def _listing_shapes(tape: Recording) -> EndpointProbe:
    """The listed documents' shape, over every listing answer of the run (envelopes aside:
    how the listing pages is the listing check's)."""
    answers = [item for item in tape.of("list_documents") if 200 <= item.status < 300]
    if not answers:
        return EndpointProbe("list_documents", ERROR, detail="no listing answer to compare")
    found: list[ShapeDifference] = []
    for answer in answers:
        items = listed_items(answer.body)
        if items is None:
            difference = ShapeDifference("$", "no list of documents", "array", "object")
            found += [difference] if difference not in found else []
            continue
        found += [d for d in compare(ASSUMED["list_documents"], items) if d not in found]
    outcome = DIFFERS if found else SAME
    return EndpointProbe("list_documents", outcome, shape_of(answers[-1].body), found)


# ------------------------------------------------------------------------------------ writes


def _create_canary(
    client: UppzyClient, site: str, tape: Recording, canaries: Canaries
) -> EndpointProbe:
    title = f"{CANARY_PREFIX}{uuid.uuid4().hex[:12]}"
    canaries.titles.append(title)
    before = len(tape.of("create_text_document"))
    probe, _ = _observe(
        tape,
        "create_text_document",
        lambda: client.create_text_document(site, TextDocument(title, CANARY_TEXT)),
        absorbed=_unmapped_word(client),
    )
    answers = tape.of("create_text_document")[before:]
    created = next((item.body for item in answers if 200 <= item.status < 300), None)
    doc_id = document_id(created) if created is not None else None
    if doc_id is not None:
        canaries.ids[title] = doc_id
        if canaries.new_word is None:
            canaries.new_word = status_word(created)
    elif probe.outcome == ERROR:
        canaries.uncertain.append(title)
    return probe


def _probe_writes(
    client: UppzyClient, site: str, report: ProbeReport, tape: Recording, canaries: Canaries
) -> None:
    created = _create_canary(client, site, tape, canaries)
    report.endpoint(created)
    main = next(iter(canaries.ids.values()), None)
    canaries.main = main
    if main is None:
        for name in ("update_document", "bulk_status"):
            report.endpoint(EndpointProbe(name, SKIPPED, detail="no canary created"))
        return
    patch = DocumentPatch(content="A kbsync probe canary, patched; it is deleted right away.")
    updated, _ = _observe(
        tape,
        "update_document",
        lambda: client.update_document(site, main, patch),
        absorbed=_unmapped_word(client),
    )
    report.endpoint(updated)
    probes = []
    statuses: tuple[DocumentStatus, ...] = ("draft", "active")
    for status in statuses:
        before = len(tape.of("bulk_status"))
        send = functools.partial(client.bulk_status, site, [main], status)
        probe, result = _observe(tape, "bulk_status", send)
        answers = tape.of("bulk_status")[before:]
        if result is not None:
            canaries.accepted.append(status)
        elif answers and answers[-1].status == 400:
            error = _error_text(answers[-1].body, probe.detail)
            canaries.refused[status] = (client.api_config.status_word(status), error)
            probe = EndpointProbe(
                "bulk_status", SKIPPED, detail="refused a status word (see status words)"
            )
        probes.append(probe)
    report.endpoint(_merge(probes))


def _unmapped_word(client: UppzyClient) -> Callable[[Any], bool]:
    """Whether a document body's status is a word `status_words` does not map."""

    def unmapped(body: Any) -> bool:
        word = status_word(body)
        return word is not None and status_of(client, word) is None

    return unmapped


def _error_text(body: Any, fallback: str) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return fallback


def _merge(probes: list[EndpointProbe]) -> EndpointProbe:
    """One endpoint probed twice: the worse outcome, the differences of both."""
    worst = next((p for p in probes if p.outcome == ERROR), None)
    worst = worst or next((p for p in probes if p.outcome == DIFFERS), probes[-1])
    found: list[ShapeDifference] = []
    for probe in probes:
        found += [d for d in probe.differences if d not in found]
    observed = next((p.observed for p in reversed(probes) if p.observed is not None), None)
    return EndpointProbe(worst.endpoint, worst.outcome, observed, found, worst.detail)


def _add_canaries(
    client: UppzyClient, site: str, tape: Recording, canaries: Canaries, count: int
) -> None:
    """More canaries, so that the listing takes two pages (their shapes were seen already)."""
    for _ in range(count):
        _create_canary(client, site, tape, canaries)


def _remove_canaries(
    client: UppzyClient, site: str, report: ProbeReport, tape: Recording, canaries: Canaries
) -> None:
    """Delete every canary, whatever happened before; a second try (found again by title when
    a create's outcome was unknown) if the first fails. What is left is reported."""
    report.canaries = list(canaries.titles)
    ids = list(canaries.ids.values())
    if ids:
        deleted, _ = _observe(tape, "bulk_delete", lambda: client.bulk_delete(site, ids))
        report.endpoint(deleted)
        if deleted.outcome != ERROR and not canaries.uncertain:
            return
    else:
        report.endpoint(EndpointProbe("bulk_delete", SKIPPED, detail="no canary created"))
        if not canaries.uncertain:
            return
    left = list(canaries.uncertain)
    again = list(ids)
    if canaries.uncertain:
        titles = set(canaries.uncertain)
        try:
            again += [doc.id for doc in client.list_documents(site) if doc.title in titles]
            left = []
        except ApiError as exc:
            log.warning("probe canaries could not be looked up by title: %s", exc.message)
    try:
        if again:
            client.bulk_delete(site, list(dict.fromkeys(again)))
    except ApiError as exc:
        log.warning("probe canaries could not be deleted: %s", exc.message)
        left = ids + left
    report.canaries_left = left


# -------------------------------------------------------------------------------------- chat


def _probe_chat(
    client: UppzyClient,
    site: str,
    report: ProbeReport,
    tape: Recording,
    session: str,
    interval: float,
    deadline: float,
) -> None:
    try:
        report.endpoint(
            _observe(tape, "chat", lambda: client.chat(site, session, PROBE_QUESTION))[0]
        )
        submitted, status = _observe(
            tape, "chat_async", lambda: client.chat_async(site, session, PROBE_QUESTION)
        )
        report.endpoint(submitted)
        if status is None:
            report.check("async chat", ERROR, submitted.detail or "no request id")
            for name in ("chat_request_status", "submit_feedback"):
                report.endpoint(EndpointProbe(name, SKIPPED, detail="no request id"))
            return
        _async_check(report, tape, status)
        polled, final = _observe(
            tape,
            "chat_request_status",
            lambda: client.poll_chat(site, status.request_id, interval=interval, deadline=deadline),
        )
        report.endpoint(polled)
        if final is None:
            detail = "the async request did not complete"
            report.endpoint(EndpointProbe("submit_feedback", SKIPPED, detail=detail))
            return
        report.endpoint(
            _observe(
                tape,
                "submit_feedback",
                lambda: client.submit_feedback(site, session, status.request_id, "good"),
            )[0]
        )
    finally:
        report.endpoint(
            _observe(tape, "close_session", lambda: client.close_session(site, session))[0]
        )


def _probe_async_submit(
    client: UppzyClient, site: str, report: ProbeReport, tape: Recording, session: str
) -> None:
    """One async question (one message of the quota), for its HTTP status and first status
    word; the session is closed whatever happens. The rest of chat needs `chat`."""
    try:
        submitted, status = _observe(
            tape, "chat_async", lambda: client.chat_async(site, session, PROBE_QUESTION)
        )
        report.endpoint(submitted)
        if status is None:
            report.check("async chat", ERROR, submitted.detail or "no request id")
        else:
            _async_check(report, tape, status)
        for name in ("chat", "chat_request_status", "submit_feedback"):
            report.endpoint(EndpointProbe(name, SKIPPED, detail="needs --chat"))
    finally:
        report.endpoint(
            _observe(tape, "close_session", lambda: client.close_session(site, session))[0]
        )


def _async_check(report: ProbeReport, tape: Recording, status: AsyncStatus) -> None:
    answer = tape.last("chat_async")
    code = answer.status if answer is not None else "?"
    word = status.raw_status or "(none)"
    reading = {"pending": "read as pending", "completed": "done at once", "failed": "failed"}
    report.check(
        "async chat",
        INFO,
        f"HTTP {code}, first status {word!r} ({reading[status.status]})",
    )
