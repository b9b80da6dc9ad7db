"""The site's listing, read once per target and run, and how an item is matched to a document.

The sync log is kbsync's memory, but the site is the truth: whenever the log cannot vouch for an
item (no state at all, an entry without a document id, a document the site answers 404 for, a
create journalled but never recorded), the item is looked up in the listing before anything is
created. It matches a document of the same type and normalised title (Q&A: normalised
question). One match is adopted; none means create; two or more is an error that names them,
because picking one would be a guess (unless exactly one of them already holds the item's
content, which is no guess).

A listing the client could not read whole (`IncompleteListingError`) is never used: a missing
document would look absent and be created again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.api import IncompleteListingError, UppzyClient
from pipeline.api.models import RemoteDocument
from pipeline.errors import KbsyncError
from pipeline.sync.payload import Payload
from pipeline.targets import Target


class ListingRefused(KbsyncError):
    """The site's listing could not be read whole: nothing is created, adopted or deleted."""


class AmbiguousMatchError(KbsyncError):
    """Several documents on the site match one item: kbsync will not guess which is its own."""


@dataclass(frozen=True)
class RemoteSummary:
    """A document on the site as the listing showed it (for matching, drift, unmanaged lists).

    `content_hash` is the hash kbsync would have given the document's fields, or None when the
    listing does not show them all.
    """

    doc_id: str
    type: str
    title: str
    status: str
    content_hash: str | None = None
    question: str | None = None


def normalise(text: str) -> str:
    """Whitespace collapsed, case folded: how titles and questions are compared."""
    return " ".join(text.split()).casefold()


def bears_title(doc: RemoteSummary, *titles: str | None) -> bool:
    """Whether `doc`'s title or question is one of `titles` (normalised; None and "" skipped)."""
    ours = {normalise(t) for t in titles if t}
    return bool(ours & {normalise(t) for t in (doc.title, doc.question) if t})


def match_key(doc_type: str, title: str, question: str | None) -> tuple[str, str]:
    """(type, normalised title) — for a Q&A, its normalised question when it has one."""
    if doc_type == "qa" and question:
        return doc_type, normalise(question)
    return doc_type, normalise(title)


def remote_summary(doc: RemoteDocument) -> RemoteSummary:
    """A listed document, with the hash kbsync would have given it (None if fields are missing)."""
    content_hash = None
    body = (doc.question, doc.answer) if doc.type == "qa" else (doc.content,)
    if doc.type in ("text", "qa") and all(part is not None for part in body):
        content_hash = Payload(
            type="qa" if doc.type == "qa" else "text",
            title=doc.title,
            category=doc.category or "",
            content=doc.content or "",
            question=doc.question or "",
            answer=doc.answer or "",
        ).content_hash
    return RemoteSummary(doc.id, doc.type, doc.title, doc.status, content_hash, doc.question)


class SiteListing:
    """One target's listing, fetched at most once per run and shared by plan and apply."""

    def __init__(self, client: UppzyClient, target: Target) -> None:
        self.client = client
        self.target = target
        self._docs: list[RemoteSummary] | None = None
        self._lock = threading.Lock()

    @property
    def fetched(self) -> bool:
        return self._docs is not None

    def documents(self) -> list[RemoteSummary]:
        """Every document of the site (listed on first use), or ListingRefused."""
        with self._lock:
            if self._docs is None:
                try:
                    listed = self.client.list_documents(self.target.site)
                except IncompleteListingError as exc:
                    raise listing_refused(self.target, exc) from exc
                self._docs = [remote_summary(doc) for doc in listed]
            return self._docs


def listing_refused(target: Target, exc: IncompleteListingError) -> ListingRefused:
    """The client's own account of the listing (it already says nothing is created or deleted),
    named for the target, with its hint: the setting that fixes it."""
    env = target.environment
    return ListingRefused(
        f"{target.key}: {exc.message}",
        hint=exc.hint
        or f"set [environments.{env}.api] pagination to the style the server pages by "
        f'("page", "offset" or "cursor"); kbsync probe --env {env} --write shows which',
    )


def candidates(
    docs: Iterable[RemoteSummary],
    doc_type: str,
    title: str,
    question: str | None,
    claimed: set[str],
) -> list[RemoteSummary]:
    """Documents not claimed by another item that match by type and normalised title/question."""
    key = match_key(doc_type, title, question)
    return [
        doc
        for doc in docs
        if doc.doc_id not in claimed and match_key(doc.type, doc.title, doc.question) == key
    ]


class MatchIndex:
    """The listing's documents by match key: matching an item is one dict lookup, not a scan.

    `candidates` answers exactly what :func:`candidates` answers over the same documents, in
    the same (listing) order.
    """

    def __init__(self, docs: Iterable[RemoteSummary]) -> None:
        self._by_key: dict[tuple[str, str], list[RemoteSummary]] = {}
        for doc in docs:
            self._by_key.setdefault(match_key(doc.type, doc.title, doc.question), []).append(doc)

    def candidates(
        self, doc_type: str, title: str, question: str | None, claimed: set[str]
    ) -> list[RemoteSummary]:
        """Documents not claimed by another item that match by type and title/question."""
        same_key = self._by_key.get(match_key(doc_type, title, question), [])
        return [doc for doc in same_key if doc.doc_id not in claimed]


def choose(
    item_id: str, found: list[RemoteSummary], content_hash: str | None
) -> RemoteSummary | None:
    """The one document `item_id` adopts, None to create it, or AmbiguousMatchError.

    Among several matches, the single one that already holds the item's exact content is no
    guess; anything else is.
    """
    if len(found) <= 1:
        return found[0] if found else None
    same = [doc for doc in found if content_hash is not None and doc.content_hash == content_hash]
    if len(same) == 1:
        return same[0]
    raise AmbiguousMatchError(ambiguity(item_id, found))


def ambiguity(item_id: str, found: list[RemoteSummary]) -> str:
    ids = ", ".join(sorted(doc.doc_id for doc in found))
    return f"{item_id}: {len(found)} documents on the site match its type and title ({ids})"
