"""Apply a plan to one target through the Uppzy client, never losing or duplicating anything.

Order: reconcile creates left in the journal by an earlier run; creates and updates (bounded
concurrency); one `bulk-status` per rollout batch to activate what is new (so a batch goes live
together); deactivations; `bulk-delete` in chunks of at most 100.

The state (sync log) is written as items complete, at most every 50 items or 2 seconds, so a
crash loses nothing and a re-run resends at most what was in flight. A create is journalled
(and the journal written) before it is sent. Before any create, the site's listing (one per
target and run, shared with the plan) is searched for a document of the same type and title:
one match is adopted instead, several fail the item (never a guess). The same holds for a
journalled create whose id was never recorded and for an update the site answers 404 to.

A failure that is the item's own (400, 404, 409, 413) fails that item and the run goes on; a
401 or 403 stops the run at once (configuration or plan, not content).

One module (over 500 lines) because :class:`Applier` is one state machine: every step
(reconcile, adopt, create, update, rename, status, delete) reads and writes the same state under
one lock, persists it through one saver and obeys one stop flag. Split across modules, each step
would take all of them as arguments and the order of the run would be read in several files.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from pipeline.api import ApiError, UppzyClient
from pipeline.api.errors import AuthError, ForbiddenError, NotFoundError
from pipeline.api.models import DocumentPatch, NewDocument, QaDocument, TextDocument
from pipeline.errors import KbsyncError
from pipeline.sync.payload import PAYLOAD_FORMAT, Payload
from pipeline.sync.plan import Change, Plan
from pipeline.sync.remote import (
    AmbiguousMatchError,
    ListingRefused,
    MatchIndex,
    RemoteSummary,
    SiteListing,
    candidates,
    choose,
)
from pipeline.sync.state import Entry, JournalEntry, TargetState, now_iso
from pipeline.sync.store import StateStore

log = logging.getLogger(__name__)

SAVE_EVERY_ITEMS = 50
SAVE_EVERY_SECONDS = 2.0
CREATE_CHUNK = 50
BULK_CHUNK = 100


@dataclass(frozen=True)
class Failure:
    id: str
    action: str
    error: str


@dataclass
class ApplyResult:
    """What one apply did."""

    created: int = 0
    adopted: int = 0
    updated: int = 0
    renamed: int = 0
    activated: int = 0
    deactivated: int = 0
    deleted: int = 0
    reconciled: int = 0
    failures: list[Failure] = field(default_factory=list)
    stopped: str | None = None
    not_ready: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.stopped is None


ProgressCallback = Callable[[str, int], None]


class _Saver:
    """Batches state writes: every `SAVE_EVERY_ITEMS` completions or `SAVE_EVERY_SECONDS`."""

    def __init__(self, store: StateStore, state: TargetState) -> None:
        self.store = store
        self.state = state
        self.lock = threading.RLock()
        self.pending = 0
        self.last = time.monotonic()

    def done(self, count: int = 1) -> None:
        with self.lock:
            self.pending += count
            if (
                self.pending >= SAVE_EVERY_ITEMS
                or time.monotonic() - self.last >= SAVE_EVERY_SECONDS
            ):
                self.flush()

    def flush(self, message: str = "") -> None:
        with self.lock:
            if self.state.claim is not None:
                self.state.claim.at = now_iso()  # heartbeat
            self.store.save(self.state, message or "kbsync sync: progress")
            self.pending = 0
            self.last = time.monotonic()


def to_new_document(payload: Payload) -> NewDocument:
    if payload.type == "qa":
        return QaDocument(
            title=payload.title,
            question=payload.question,
            answer=payload.answer,
            category=payload.category,
        )
    return TextDocument(title=payload.title, content=payload.content, category=payload.category)


def to_patch(payload: Payload) -> DocumentPatch:
    if payload.type == "qa":
        return DocumentPatch(
            title=payload.title,
            question=payload.question,
            answer=payload.answer,
            category=payload.category,
        )
    return DocumentPatch(title=payload.title, content=payload.content, category=payload.category)


class Applier:
    """Runs one plan against one site. The state must already carry this run's claim."""

    def __init__(
        self,
        client: UppzyClient,
        store: StateStore,
        state: TargetState,
        plan: Plan,
        *,
        listing: SiteListing | None = None,
        adopt: bool = True,
        concurrency: int = 8,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.client = client
        self.listing = listing if listing is not None else SiteListing(client, plan.target)
        self.adopt = adopt
        """False (`--no-adopt`): an item found on the site fails instead of being adopted."""
        self.state = state
        self.plan = plan
        self.site = plan.target.site
        self.concurrency = max(1, concurrency)
        self.saver = _Saver(store, state)
        self.result = ApplyResult()
        self.progress = progress or (lambda _event, _n: None)
        self._lock = threading.Lock()
        self._stop: str | None = None

    # --- the run -------------------------------------------------------------------------------

    def run(self) -> ApplyResult:
        try:
            self._reconcile()
            changes = self.plan.changes
            updated = {c.id for c in changes if c.action == "update"}
            for change in (c for c in changes if c.action == "adopt"):
                self._adopt(change, updating=change.id in updated)
            self._run_concurrently([c for c in changes if c.action in ("create", "update")])
            for change in (c for c in changes if c.action == "rename"):
                self._rename(change)
            if self._stop is None:
                self._activate()
            if self._stop is None:
                self._set_status([c for c in changes if c.action == "deactivate"], "draft")
            if self._stop is None:
                self._delete([c for c in changes if c.action == "delete"])
        finally:
            self.result.stopped = self._stop
            self.saver.flush("kbsync sync: progress")
        return self.result

    def _stopping(self, exc: ApiError) -> bool:
        """401/403 stop the whole run: the key or the plan is wrong, not the content."""
        if isinstance(exc, AuthError | ForbiddenError):
            with self._lock:
                if self._stop is None:
                    self._stop = str(exc)
            return True
        return False

    def _fail(self, change: Change, exc: Exception) -> None:
        with self._lock:
            self.result.failures.append(Failure(change.id, change.action, str(exc)))
        log.warning(
            "%s of %s failed: %s",
            change.action,
            change.id,
            exc,
            extra={"site": self.site, "item": change.id, "action": change.action},
        )

    # --- reconcile ------------------------------------------------------------------------------

    def _reconcile(self) -> None:
        """Match every planned create and every journalled create against the site's listing.

        A plan made in this run already matched its creates against the same (cached) listing,
        so this changes nothing then; a saved plan, or creates an interrupted run left in the
        journal, may find their document on the site: it is adopted, never created again.
        """
        creates = {c.id: c for c in self.plan.changes if c.action == "create"}
        if not creates and not self.state.journal:
            return
        index = MatchIndex(self.listing.documents())
        claimed = {e.doc_id for e in self.state.entries.values() if e.doc_id}
        claimed |= {c.doc_id for c in self.plan.changes if c.action == "adopt" and c.doc_id}
        revised: list[Change] = []
        for change in self.plan.changes:
            if change.action != "create":
                revised.append(change)
                continue
            payload = self.plan.payloads[change.id]
            found = index.candidates(payload.type, payload.title, payload.question, claimed)
            try:
                match = choose(change.id, found, change.hash)
            except AmbiguousMatchError as exc:
                self._fail(change, exc)
                continue
            if match is None:
                revised.append(change)
                continue
            claimed.add(match.doc_id)
            if not self.adopt:
                self._fail(change, _not_adopted(match))
                continue
            revised += _adoption(change, match)
            self.result.reconciled += 1
        self.plan.changes = revised
        for item_id, pending in sorted(self.state.journal.items()):
            if item_id in creates:
                continue  # matched above, or created (and journalled) again below
            found = index.candidates(pending.type, pending.title, pending.question, claimed)
            try:
                match = choose(item_id, found, pending.hash or None)
            except AmbiguousMatchError as exc:
                # Kept in the journal: the next run reports it again until someone decides.
                self.result.failures.append(Failure(item_id, "reconcile", str(exc)))
                continue
            if match is not None and item_id not in self.state.entries:
                claimed.add(match.doc_id)
                self.state.entries[item_id] = Entry(
                    doc_id=match.doc_id,
                    hash=pending.hash if match.content_hash == pending.hash else "",
                    status=match.status,
                    type=pending.type,
                    title=pending.title,
                    path="",
                )
                self.result.reconciled += 1
                log.info(
                    "reconciled an in-flight create of %s with document %s",
                    item_id,
                    match.doc_id,
                    extra={"site": self.site, "item": item_id},
                )
            del self.state.journal[item_id]
        self.saver.flush("kbsync sync: reconciled creates with the site's listing")

    def _adopt(self, change: Change, *, updating: bool) -> None:
        """Record the document the site already has for `change.id` (no request is sent).

        `updating`: the plan also updates it, so its hash is left empty until the update lands.
        """
        assert change.doc_id is not None
        with self.saver.lock:
            self.state.journal.pop(change.id, None)
            self.state.entries[change.id] = Entry(
                doc_id=change.doc_id,
                hash="" if updating else change.hash or "",
                status=change.status or "draft",
                type=change.type,
                title=change.title,
                path=change.path or "",
                batch=change.batch,
            )
            self.result.adopted += 1
        log.info(
            "adopted document %s for %s",
            change.doc_id,
            change.id,
            extra={"site": self.site, "item": change.id, "action": "adopt"},
        )
        self.progress("adopt", 1)
        self.saver.done()

    # --- creates and updates ------------------------------------------------------------------

    def _run_concurrently(self, writes: list[Change]) -> None:
        creates = [c for c in writes if c.action == "create"]
        others = [c for c in writes if c.action != "create"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            for start in range(0, len(creates), CREATE_CHUNK):
                if self._stop is not None:
                    return
                chunk = creates[start : start + CREATE_CHUNK]
                self._journal(chunk)
                list(pool.map(self._create, chunk))
            if self._stop is not None:
                return
            list(pool.map(self._update, others))

    def _journal(self, chunk: list[Change]) -> None:
        with self.saver.lock:
            for change in chunk:
                payload = self.plan.payloads.get(change.id)
                self.state.journal[change.id] = JournalEntry(
                    type=change.type,
                    title=change.title,
                    hash=change.hash or "",
                    at=now_iso(),
                    question=payload.question if payload is not None else "",
                )
            self.saver.flush("kbsync sync: journal creates")

    def _create(self, change: Change) -> None:
        if self._stop is not None:
            return
        payload = self.plan.payloads[change.id]
        with self.saver.lock:
            known = {e.doc_id for e in self.state.entries.values()}
        try:
            outcome = self.client.create_or_adopt_document(
                self.site, to_new_document(payload), known_ids=known
            )
        except ApiError as exc:
            if not self._stopping(exc):
                self._fail(change, exc)
            if not exc.uncertain:
                with self.saver.lock:
                    self.state.journal.pop(change.id, None)
            return
        document = outcome.document
        with self.saver.lock:
            self.state.journal.pop(change.id, None)
            self.state.entries[change.id] = Entry(
                doc_id=document.id,
                hash=payload.content_hash,
                status=document.status or "draft",
                type=payload.type,
                title=payload.title,
                path=change.path or "",
                batch=change.batch,
            )
            if outcome.adopted:
                self.result.adopted += 1
            else:
                self.result.created += 1
        self.progress("create", 1)
        self.saver.done()

    def _update(self, change: Change) -> None:
        if self._stop is not None:
            return
        payload = self.plan.payloads[change.id]
        assert change.doc_id is not None
        doc_id = change.doc_id
        try:
            updated = self.client.update_document(self.site, doc_id, to_patch(payload))
        except NotFoundError:
            # Gone from the site since the plan: look for it under another id before creating.
            replacement = self._replacement(change)
            if replacement is None:
                return
            doc_id = replacement
            try:
                updated = self.client.update_document(self.site, doc_id, to_patch(payload))
            except ApiError as exc:
                if not self._stopping(exc):
                    self._fail(change, exc)
                return
            with self.saver.lock:
                self.result.adopted += 1
        except ApiError as exc:
            if not self._stopping(exc):
                self._fail(change, exc)
            return
        with self.saver.lock:
            old = self.state.entries.get(change.id)
            status = updated.status if updated is not None and updated.status else None
            self.state.entries[change.id] = Entry(
                doc_id=doc_id,
                hash=payload.content_hash,
                status=status or (old.status if old else "draft"),
                type=payload.type,
                title=payload.title,
                path=change.path or (old.path if old else ""),
                batch=change.batch,
            )
            self.result.updated += 1
        self.progress(change.action, 1)
        self.saver.done()

    def _replacement(self, change: Change) -> str | None:
        """After a 404: the id of the one document that matches `change` (then recorded), or
        None when the item was created again here or failed."""
        payload = self.plan.payloads[change.id]
        with self.saver.lock:
            try:
                docs = self.listing.documents()
            except ListingRefused as exc:
                self._fail(change, exc)
                return None
            claimed = {e.doc_id for e in self.state.entries.values() if e.doc_id}
            found = candidates(docs, payload.type, payload.title, payload.question, claimed)
            try:
                match = choose(change.id, found, None)
            except AmbiguousMatchError as exc:
                self._fail(change, exc)
                return None
            if match is not None and not self.adopt:
                self._fail(change, _not_adopted(match))
                return None
            old = self.state.entries.pop(change.id, None)
            if match is not None:
                self.state.entries[change.id] = Entry(
                    doc_id=match.doc_id,
                    hash="",
                    status=match.status,
                    type=payload.type,
                    title=payload.title,
                    path=change.path or (old.path if old else ""),
                    batch=change.batch,
                )
                return match.doc_id
        recreate = replace(
            change, action="create", reason="deleted in Uppzy", doc_id=None, status=None
        )
        self._journal([recreate])
        self._create(recreate)
        return None

    def _rename(self, change: Change) -> None:
        with self.saver.lock:
            entry = self.state.entries.get(change.id)
            if entry is not None:
                entry.path = change.path or entry.path
                entry.batch = change.batch
                self.result.renamed += 1
        self.progress("rename", 1)
        self.saver.done()

    # --- status and deletes -------------------------------------------------------------------

    def _activate(self) -> None:
        """Everything that should be active and is not: one bulk call per rollout batch."""
        wanted: dict[str | None, list[str]] = {}
        activations = {c.id for c in self.plan.changes if c.action == "activate"}
        created = {c.id for c in self.plan.changes if c.action in ("create", "adopt", "update")}
        with self.saver.lock:
            for item_id, entry in self.state.entries.items():
                if item_id in activations or (item_id in created and entry.status != "active"):
                    if self._held(entry.batch):
                        continue
                    wanted.setdefault(entry.batch, []).append(item_id)
        for batch in sorted(wanted, key=lambda b: b or ""):
            ids = sorted(wanted[batch])
            self._bulk_status(ids, "active")

    def _held(self, batch: str | None) -> bool:
        return batch is not None and batch in self.state.holds

    def _set_status(self, changes: Iterable[Change], status: str) -> None:
        ids = [c.id for c in changes if c.id in self.state.entries]
        if ids:
            self._bulk_status(ids, status)

    def _bulk_status(self, item_ids: list[str], status: str) -> None:
        for start in range(0, len(item_ids), BULK_CHUNK):
            chunk = item_ids[start : start + BULK_CHUNK]
            doc_ids = [self.state.entries[i].doc_id for i in chunk]
            try:
                self.client.bulk_status(self.site, doc_ids, status)  # type: ignore[arg-type]
            except ApiError as exc:
                if self._stopping(exc):
                    return
                for item_id in chunk:
                    self.result.failures.append(Failure(item_id, f"set {status}", str(exc)))
                continue
            with self.saver.lock:
                for item_id in chunk:
                    self.state.entries[item_id].status = status
                if status == "active":
                    self.result.activated += len(chunk)
                else:
                    self.result.deactivated += len(chunk)
            self.progress("activate" if status == "active" else "deactivate", len(chunk))
            self.saver.done(len(chunk))

    def _delete(self, changes: list[Change]) -> None:
        for start in range(0, len(changes), BULK_CHUNK):
            chunk = changes[start : start + BULK_CHUNK]
            doc_ids = [c.doc_id for c in chunk if c.doc_id]
            try:
                if doc_ids:
                    self.client.bulk_delete(self.site, doc_ids)
            except ApiError as exc:
                if self._stopping(exc):
                    return
                for change in chunk:
                    self.result.failures.append(Failure(change.id, "delete", str(exc)))
                continue
            with self.saver.lock:
                for change in chunk:
                    self.state.entries.pop(change.id, None)
                self.result.deleted += len(chunk)
            self.progress("delete", len(chunk))
            self.saver.done(len(chunk))


def _not_adopted(match: RemoteSummary) -> KbsyncError:
    return KbsyncError(
        f"the site has it as {match.doc_id} (same type and title); --no-adopt refuses to adopt "
        "it, and creating it again would duplicate it"
    )


def _adoption(change: Change, match: RemoteSummary) -> list[Change]:
    """A planned create turned into the adoption of `match` (and its update if it differs)."""
    out = [
        replace(
            change,
            action="adopt",
            reason=f"found on the site as {match.doc_id}",
            doc_id=match.doc_id,
            status=match.status,
        )
    ]
    if match.content_hash != change.hash:
        out.append(
            replace(
                change,
                action="update",
                reason="adopted: content differs",
                doc_id=match.doc_id,
                status=None,
            )
        )
    return out


def finish_state(state: TargetState, plan: Plan, fingerprint: str, result: ApplyResult) -> None:
    """After a complete run: the state now reflects `plan.head_commit`.

    Unless the payload gate blocked an item: then the state keeps its commit, so the next plan
    reads the blocked file again (it changed since that commit) instead of carrying it over.
    """
    if result.ok:
        if not plan.blocked:
            state.commit = plan.head_commit
        state.payload_format = PAYLOAD_FORMAT
        state.config_fingerprint = fingerprint
