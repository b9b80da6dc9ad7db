"""Apply a plan to one target through the Uppzy client, never losing or duplicating anything.

Order: reconcile creates left in the journal by an earlier run; creates and updates (bounded
concurrency); one `bulk-status` per rollout batch to activate what is new (so a batch goes live
together); deactivations; `bulk-delete` in chunks of at most 100.

The state (sync log) is written as items complete, at most every 50 items or 2 seconds, so a
crash loses nothing and a re-run resends at most what was in flight. A create is journalled
(and the journal written) before it is sent; a journalled create with no recorded id is
reconciled against the site's listing (same type and title) before anything is created again.

A failure that is the item's own (400, 404, 409, 413) fails that item and the run goes on; a
401 or 403 stops the run at once (configuration or plan, not content).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipeline.api import ApiError, UppzyClient
from pipeline.api.errors import AuthError, ForbiddenError, NotFoundError
from pipeline.api.models import DocumentPatch, NewDocument, QaDocument, RemoteDocument, TextDocument
from pipeline.sync.payload import PAYLOAD_FORMAT, Payload
from pipeline.sync.plan import Change, Plan
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
        concurrency: int = 8,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.client = client
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
            self._reconcile_journal()
            changes = self.plan.changes
            writes = [c for c in changes if c.action in ("create", "update", "adopt")]
            self._run_concurrently(writes)
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

    def _reconcile_journal(self) -> None:
        """Creates an earlier run sent but never recorded: find them before creating again."""
        if not self.state.journal:
            return
        listing = self.client.list_documents(self.site)
        known = {e.doc_id for e in self.state.entries.values()}
        for item_id, pending in sorted(self.state.journal.items()):
            match = _find_unmapped(listing, known, pending.type, pending.title)
            if match is not None:
                known.add(match.id)
                self.state.entries[item_id] = Entry(
                    doc_id=match.id,
                    hash=pending.hash,
                    status=match.status,
                    type=pending.type,
                    title=pending.title,
                    path=self._path_of(item_id),
                    batch=self._batch_of(item_id),
                )
                self.result.reconciled += 1
                log.info(
                    "reconciled an in-flight create of %s with document %s",
                    item_id,
                    match.id,
                    extra={"site": self.site, "item": item_id},
                )
            del self.state.journal[item_id]
        self.saver.flush("kbsync sync: reconciled in-flight creates")
        # A plan made before reconciling may say "create" for what now exists.
        revised: list[Change] = []
        for change in self.plan.changes:
            entry = self.state.entries.get(change.id)
            if change.action == "create" and entry is not None:
                if entry.hash != change.hash:
                    revised.append(
                        Change("update", change.id, change.type, change.title,
                               "reconciled, content differs", change.path, change.batch,
                               entry.doc_id, change.hash)
                    )  # fmt: skip
                if entry.status != "active":
                    revised.append(
                        Change("activate", change.id, change.type, change.title,
                               "reconciled", change.path, change.batch, entry.doc_id)
                    )  # fmt: skip
                continue
            revised.append(change)
        self.plan.changes = revised

    def _path_of(self, item_id: str) -> str:
        for change in self.plan.changes:
            if change.id == item_id and change.path:
                return change.path
        return ""

    def _batch_of(self, item_id: str) -> str | None:
        for change in self.plan.changes:
            if change.id == item_id:
                return change.batch
        return None

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
            list(pool.map(self._update_or_adopt, others))

    def _journal(self, chunk: list[Change]) -> None:
        with self.saver.lock:
            for change in chunk:
                self.state.journal[change.id] = JournalEntry(
                    type=change.type, title=change.title, hash=change.hash or "", at=now_iso()
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

    def _update_or_adopt(self, change: Change) -> None:
        if self._stop is not None:
            return
        payload = self.plan.payloads[change.id]
        assert change.doc_id is not None
        try:
            updated = self.client.update_document(self.site, change.doc_id, to_patch(payload))
        except NotFoundError:
            # Deleted in Uppzy since the plan: create it again (journalled like any create).
            with self.saver.lock:
                self.state.entries.pop(change.id, None)
            recreate = Change("create", change.id, change.type, change.title,
                              "deleted in Uppzy", change.path, change.batch, None, change.hash)  # fmt: skip
            self._journal([recreate])
            self._create(recreate)
            return
        except ApiError as exc:
            if not self._stopping(exc):
                self._fail(change, exc)
            return
        with self.saver.lock:
            old = self.state.entries.get(change.id)
            status = updated.status if updated is not None and updated.status else None
            self.state.entries[change.id] = Entry(
                doc_id=change.doc_id,
                hash=payload.content_hash,
                status=status or (old.status if old else "draft"),
                type=payload.type,
                title=payload.title,
                path=change.path or (old.path if old else ""),
                batch=change.batch,
            )
            if change.action == "adopt":
                self.result.adopted += 1
            else:
                self.result.updated += 1
        self.progress(change.action, 1)
        self.saver.done()

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


def _find_unmapped(
    listing: list[RemoteDocument], known: set[str], doc_type: str, title: str
) -> RemoteDocument | None:
    key = title.strip().casefold()
    matches = [
        d
        for d in listing
        if d.id not in known and d.type == doc_type and d.title.strip().casefold() == key
    ]
    matches.sort(key=lambda d: (d.created_at or "", d.id))
    return matches[0] if matches else None


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
