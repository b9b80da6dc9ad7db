"""Create documents without ever creating one twice, although Uppzy's create is not idempotent.

A create that fails *uncertainly* (timeout or reset after sending, 5xx, unreadable answer) may
have created the document. It is not blindly sent again: the site's documents are listed and an
unmapped document (id not among the ids the caller already maps, nor claimed in this batch) of
the same type and title is adopted, its fields aligned with the payload if they differ. Several
such documents are never a guess: the one the listing shows holding the payload's exact text is
adopted, and without exactly one the payload ends with :class:`AmbiguousAdoptionError` naming
them all (as sync's `AmbiguousMatchError`). Only payloads with no such document are created
again, for at most `max_creates` rounds.

Creates run concurrently; uncertain ones are reconciled together, one listing per round, so a
burst of failures costs one listing rather than one per failure. A 429 or a connect failure is
certain (nothing was done) and is retried inside the create call itself.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from pipeline.api import uppzy
from pipeline.api.errors import AmbiguousAdoptionError, ApiError
from pipeline.api.models import (
    CreateOutcome,
    DocumentPatch,
    NewDocument,
    QaDocument,
    RemoteDocument,
    TextDocument,
)

log = logging.getLogger("pipeline.api")

MAX_CREATES = 3
"""Creates sent for one payload at most when each one fails uncertainly."""


class DocumentsApi(Protocol):
    """What reconciliation needs of a client."""

    def create_document(self, site_id: str, doc: NewDocument) -> RemoteDocument: ...

    def list_documents(
        self, site_id: str, *, per_page: int | None = ...
    ) -> list[RemoteDocument]: ...

    def update_document(
        self, site_id: str, doc_id: str, patch: DocumentPatch
    ) -> RemoteDocument | None: ...


def create_or_adopt(
    api: DocumentsApi,
    site_id: str,
    payloads: Sequence[NewDocument],
    *,
    known_ids: Collection[str],
    concurrency: int,
    backoff: Callable[[int], float],
    max_creates: int = MAX_CREATES,
) -> list[CreateOutcome | ApiError]:
    """One outcome per payload, in order: the document (created or adopted) or the final error.

    One loop of near 80 lines on purpose: each round's creates, its one listing and its
    adoptions share the claimed ids, the count of creates sent and the last failures.
    """
    outcomes: list[CreateOutcome | ApiError | None] = [None] * len(payloads)
    sent = [0] * len(payloads)
    failures: dict[int, ApiError] = {}
    claimed = set(known_ids)
    pending = list(range(len(payloads)))
    workers = max(min(concurrency, len(payloads)), 1)

    def create(index: int) -> RemoteDocument | ApiError:
        try:
            return api.create_document(site_id, payloads[index])
        except ApiError as exc:
            return exc

    pool = ThreadPoolExecutor(workers, "kbsync-create") if workers > 1 else None
    try:
        for round_number in range(1, max(max_creates, 1) + 1):
            uncertain: list[int] = []
            results = list(pool.map(create, pending)) if pool else [create(i) for i in pending]
            for index, result in zip(pending, results, strict=True):
                sent[index] += 1
                if isinstance(result, RemoteDocument):
                    claimed.add(result.id)
                    outcomes[index] = CreateOutcome(result, adopted=False, creates_sent=sent[index])
                elif result.uncertain:
                    failures[index] = result
                    uncertain.append(index)
                else:
                    outcomes[index] = result
            if not uncertain:
                break
            log.warning(
                "%d create(s) on site %s failed uncertainly; listing the site before creating again",
                len(uncertain),
                site_id,
                extra={"site": site_id, "outcome": "reconcile", "count": len(uncertain)},
            )
            time.sleep(backoff(round_number))
            try:
                candidates = _unmapped_by_key(api.list_documents(site_id), claimed)
            except ApiError as exc:
                # Without a listing nothing can be decided: each keeps its own create error.
                log.warning(
                    "listing site %s to reconcile uncertain creates failed: %s",
                    site_id,
                    exc.message,
                    extra={"site": site_id, "outcome": "reconcile_failed"},
                )
                break
            pending = []
            for index in uncertain:
                try:
                    match = _take(candidates, payloads[index], claimed, site_id, failures[index])
                except AmbiguousAdoptionError as exc:
                    outcomes[index] = exc
                    continue
                if match is not None:
                    claimed.add(match.id)
                    outcomes[index] = _adopt(api, site_id, match, payloads[index], sent[index])
                elif round_number >= max_creates:
                    outcomes[index] = failures[index]
                else:
                    pending.append(index)
            if not pending:
                break
    finally:
        if pool is not None:
            pool.shutdown()
    return [outcome if outcome is not None else failures[i] for i, outcome in enumerate(outcomes)]


def _key(doc_type: str, title: str) -> tuple[str, str]:
    return uppzy.normalise_doc_type(doc_type), " ".join(title.split()).casefold()


def _unmapped_by_key(
    documents: list[RemoteDocument], claimed: set[str]
) -> dict[tuple[str, str], list[RemoteDocument]]:
    index: dict[tuple[str, str], list[RemoteDocument]] = {}
    for doc in documents:
        if doc.id not in claimed:
            index.setdefault(_key(doc.type, doc.title), []).append(doc)
    for docs in index.values():
        docs.sort(key=lambda doc: (doc.created_at is None, doc.created_at or "", doc.id))
    return index


def _take(
    candidates: dict[tuple[str, str], list[RemoteDocument]],
    payload: NewDocument,
    claimed: set[str],
    site_id: str,
    failure: ApiError,
) -> RemoteDocument | None:
    """The one unclaimed document `payload` adopts, None when there is none, or
    :class:`AmbiguousAdoptionError` when several match and not exactly one holds its text."""
    docs = [
        doc
        for doc in candidates.get(_key(payload.type, payload.title), [])
        if doc.id not in claimed
    ]
    if len(docs) <= 1:
        return docs[0] if docs else None
    exact = [doc for doc in docs if _holds(doc, payload)]
    if len(exact) == 1:
        return exact[0]
    ids = tuple(sorted(doc.id for doc in docs))
    raise AmbiguousAdoptionError(
        f"{failure.endpoint} on site {site_id} may have been carried out ({failure.message}), "
        f"and {len(ids)} unmapped {payload.type} documents there match its type and title "
        f"({', '.join(ids)}): kbsync will not guess which one is its own",
        document_ids=ids,
        endpoint=failure.endpoint,
        status=failure.status,
        request_id=failure.request_id,
        client_request_id=failure.client_request_id,
        attempts=failure.attempts,
        hint="delete the copies you do not want in Uppzy, then sync again "
        "(the one left is adopted)",
    )


def _holds(document: RemoteDocument, payload: NewDocument) -> bool:
    """True if the listing shows `document` holding `payload`'s exact text (a file's it never
    shows; a category it shows must be the payload's too)."""
    if isinstance(payload, TextDocument):
        shown = [(document.content, payload.content)]
    elif isinstance(payload, QaDocument):
        shown = [(document.question, payload.question), (document.answer, payload.answer)]
    else:
        return False
    same_text = all(current == wanted for current, wanted in shown)
    return same_text and _differs(document.category, payload.category) is None


def _adopt(
    api: DocumentsApi, site_id: str, document: RemoteDocument, payload: NewDocument, sent: int
) -> CreateOutcome | ApiError:
    """Adopt `document` for `payload`, updating the fields the listing shows to differ."""
    if isinstance(payload, TextDocument):
        patch = DocumentPatch(
            content=_differs(document.content, payload.content),
            category=_differs(document.category, payload.category),
        )
    elif isinstance(payload, QaDocument):
        patch = DocumentPatch(
            question=_differs(document.question, payload.question),
            answer=_differs(document.answer, payload.answer),
            category=_differs(document.category, payload.category),
        )
    else:
        patch = DocumentPatch()
    log.info(
        "adopting document %s on site %s after an uncertain create",
        document.id,
        site_id,
        extra={"site": site_id, "outcome": "adopted"},
    )
    if patch.is_empty:
        return CreateOutcome(document, adopted=True, creates_sent=sent)
    try:
        updated = api.update_document(site_id, document.id, patch)
    except ApiError as exc:
        return exc
    if updated is None:
        updated = dataclasses.replace(
            document,
            content=patch.content or document.content,
            question=patch.question or document.question,
            answer=patch.answer or document.answer,
            category=patch.category or document.category,
        )
    return CreateOutcome(updated, adopted=True, patched=True, creates_sent=sent)


def _differs(current: str | None, wanted: str | None) -> str | None:
    """`wanted` if the listing shows a different value; None if equal or not listed."""
    if current is None or wanted is None or current == wanted:
        return None
    return wanted
