"""The plan: what a sync would change on one target, computed without writing anything.

desired set (from the content) × state (the sync log) [× the site's listing, whenever an item
would be created or the state cannot vouch for it, and always with `--refresh`/`--prune`]
→ creates, adopts (a document the site already has for an item kbsync has no record of),
updates (renames included: same kbsync id, new path — never delete + create), activations,
deactivations (a held batch), deletes, and what stays unchanged. The plan's JSON
form (`kbsync plan --out plan.json`, version 2) is stable, and a saved plan is applied exactly
as reviewed, or refused if the target's state moved since it was made (one exception, never
a duplicate: a planned create whose document has appeared on the site since is adopted).

A saved plan is sealed (version 2): it records the commit it was made from (`head_commit`),
kbsync's version, the payload format and each change's payload hash (`hash`); `kbsync sync
--plan` re-derives every payload from that commit and refuses a plan whose payloads differ
(:mod:`pipeline.sync.seal`). Items the payload gate held back are listed under `blocked`, with
their findings (masked) and no payload.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pipeline import __version__
from pipeline.errors import UsageError
from pipeline.sync.desired import ACTIVE, DRAFT, BlockedItem, DesiredItem, DesiredSet
from pipeline.sync.payload import PAYLOAD_FORMAT, Payload
from pipeline.sync.remote import (
    AmbiguousMatchError,
    MatchIndex,
    RemoteSummary,
    bears_title,
    choose,
)
from pipeline.sync.state import Entry, TargetState
from pipeline.targets import Target

PLAN_VERSION = 2

Action = Literal["create", "update", "rename", "activate", "deactivate", "delete", "adopt"]
WRITE_ACTIONS = ("create", "update", "activate", "deactivate", "delete")
"""Actions that write to the site (`adopt` only records a document the site already has)."""
ORDER = {"create": 0, "adopt": 1, "update": 2, "rename": 3, "activate": 4, "deactivate": 5,
         "delete": 6}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Change:
    """One change to one document. `id` is the kbsync id (an Uppzy id for unmanaged ones).

    Built by keyword only: ten fields, five of them optional, read wrong when passed by
    position. The field order is the order of the plan's JSON (do not reorder).
    `doc_id` is the document's Uppzy id when known, `hash` the content hash the change sends
    or adopts (None for status changes and deletes), and `status` is set on `adopt` only: the
    document's status on the site when it was matched.
    """

    action: Action
    id: str
    type: str
    title: str
    reason: str
    path: str | None = None
    batch: str | None = None
    doc_id: str | None = None
    hash: str | None = None
    status: str | None = None

    @classmethod
    def of_item(
        cls,
        item: DesiredItem,
        action: Action,
        reason: str,
        *,
        doc_id: str | None = None,
        hash: str | None = None,
        status: str | None = None,
    ) -> Change:
        """A change to desired `item`: its id, type, title, path and batch, plus what differs."""
        return cls(
            action=action,
            id=item.id,
            type=item.type,
            title=item.title,
            reason=reason,
            path=item.path,
            batch=item.batch,
            doc_id=doc_id,
            hash=hash,
            status=status,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Plan:
    target: Target
    state_revision: int
    base_commit: str | None
    head_commit: str | None
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    full_scan: bool = True
    scan_reason: str = ""
    files_read: int = 0
    drift: list[str] = field(default_factory=list)
    unmanaged: list[RemoteSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending_journal: int = 0
    payloads: dict[str, Payload] = field(default_factory=dict)
    quota: dict[str, int | None] = field(default_factory=dict)
    refreshed: bool = False
    listed: bool = False
    """The plan was made against the site's listing (creates were checked for a match)."""
    blocked: list[BlockedItem] = field(default_factory=list)
    site_documents: int | None = None
    """Documents the site's listing showed (with `--refresh`, `--adopt`, `--prune`)."""
    kbsync_version: str = __version__
    payload_format: int = PAYLOAD_FORMAT

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or self.pending_journal > 0

    @property
    def write_count(self) -> int:
        return sum(1 for c in self.changes if c.action in WRITE_ACTIONS)

    @property
    def expected_progress(self) -> int:
        """Progress steps an apply reports: each create is also activated; each adopt is one."""
        return self.write_count + self.count("create") + self.count("adopt")

    def summary(self) -> str:
        parts = [
            f"{self.count('create')} to create",
            f"{self.count('update')} to update",
            f"{self.count('activate')} to activate",
            f"{self.count('delete')} to delete",
        ]
        for extra in ("rename", "deactivate", "adopt"):
            if self.count(extra):
                parts.append(f"{self.count(extra)} to {extra}")
        parts.append(f"{self.unchanged} unchanged")
        if self.blocked:
            parts.append(f"{len(self.blocked)} blocked")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION,
            "kbsync_version": self.kbsync_version,
            "payload_format": self.payload_format,
            "target": asdict(self.target),
            "state_revision": self.state_revision,
            "base_commit": self.base_commit,
            "head_commit": self.head_commit,
            "full_scan": self.full_scan,
            "scan_reason": self.scan_reason,
            "files_read": self.files_read,
            "refreshed": self.refreshed,
            "listed": self.listed,
            "summary": {
                "create": self.count("create"),
                "update": self.count("update"),
                "rename": self.count("rename"),
                "activate": self.count("activate"),
                "deactivate": self.count("deactivate"),
                "delete": self.count("delete"),
                "adopt": self.count("adopt"),
                "unchanged": self.unchanged,
                "pending_creates": self.pending_journal,
                "blocked": len(self.blocked),
            },
            "changes": [c.to_json() for c in self.changes],
            "payloads": {k: asdict(v) for k, v in sorted(self.payloads.items())},
            "drift": self.drift,
            "unmanaged": [asdict(u) for u in self.unmanaged],
            "warnings": self.warnings,
            "quota": self.quota,
            "site_documents": self.site_documents,
            "blocked": [b.to_json() for b in self.blocked],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> Plan:
        try:
            if data.get("version") != PLAN_VERSION:
                raise UsageError(
                    f"{where}: plan version {data.get('version')!r} is not {PLAN_VERSION} "
                    "(an unsealed plan, or one from another kbsync)",
                    hint="make a new plan with this kbsync: kbsync plan --env ENV --out plan.json",
                )
            plan = cls(
                target=Target(**data["target"]),
                state_revision=int(data["state_revision"]),
                base_commit=data.get("base_commit"),
                head_commit=data.get("head_commit"),
                changes=[Change(**c) for c in data["changes"]],
                unchanged=int(data["summary"]["unchanged"]),
                full_scan=bool(data.get("full_scan", True)),
                scan_reason=str(data.get("scan_reason", "")),
                files_read=int(data.get("files_read", 0)),
                drift=list(data.get("drift", [])),
                unmanaged=[RemoteSummary(**u) for u in data.get("unmanaged", [])],
                warnings=list(data.get("warnings", [])),
                pending_journal=int(data["summary"].get("pending_creates", 0)),
                payloads={k: Payload(**v) for k, v in data.get("payloads", {}).items()},
                quota=dict(data.get("quota", {})),
                refreshed=bool(data.get("refreshed", False)),
                listed=bool(data.get("listed", False)),
                blocked=[BlockedItem.from_json(b) for b in data.get("blocked", [])],
                site_documents=_optional_int(data.get("site_documents")),
                kbsync_version=str(data["kbsync_version"]),
                payload_format=int(data["payload_format"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UsageError(
                f"{where}: not a kbsync plan ({exc.__class__.__name__}: {exc})",
                hint="make it with: kbsync plan --env ENV --out plan.json",
            ) from None
        for change in plan.changes:
            if change.action not in ORDER:
                raise UsageError(
                    f"{where}: change {change.id!r} has action {change.action!r}, not one of "
                    f"{', '.join(ORDER)}",
                    hint="make a new plan: kbsync plan --env ENV --out plan.json",
                )
            if change.action in ("create", "update", "adopt") and change.id not in plan.payloads:
                raise UsageError(f"{where}: the plan has no payload for {change.id!r}")
        return plan

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def make_plan(
    desired: DesiredSet,
    state: TargetState,
    *,
    head_commit: str | None,
    remote: list[RemoteSummary] | None = None,
    refresh: bool = False,
    prune: bool = False,
) -> Plan:
    """Compare the desired set with the state and, given `remote` (the site's listing), match
    every item the state cannot vouch for before planning its create.

    With `refresh` the listing is also the truth about documents the state does hold: one gone
    from the site is matched again (or recreated), one edited or re-statused by hand is drift.
    Raises AmbiguousMatchError naming every item that matches more than one document.
    """
    plan = Plan(
        target=state.target,
        state_revision=state.revision,
        base_commit=state.commit,
        head_commit=head_commit,
        full_scan=desired.full_scan,
        scan_reason=desired.scan_reason,
        files_read=desired.files_read,
        warnings=list(desired.problems),
        pending_journal=len(state.journal),
        refreshed=refresh and remote is not None,
        listed=remote is not None,
        blocked=[desired.blocked[k] for k in sorted(desired.blocked)],
        site_documents=None if remote is None else len(remote),
    )
    checked = remote is not None and refresh
    by_doc = {r.doc_id: r for r in remote or []}
    index = MatchIndex(remote or [])
    claimed = {e.doc_id for e in state.entries.values() if e.doc_id}
    ambiguous: list[str] = []

    for item_id, want in sorted(desired.items.items()):
        entry = state.entries.get(item_id)
        if not checked and entry is not None and _as_recorded(want, entry):
            plan.unchanged += 1  # what the general path below concludes, in one comparison
            continue
        planned = len(plan.changes)  # every change below is this item's: no scan to find them
        if want.payload is not None:
            plan.payloads[item_id] = want.payload
        vouched = entry is not None and bool(entry.doc_id)
        listed = by_doc.get(entry.doc_id) if checked and entry is not None else None
        # A record naming a document of another type, or one bearing neither the item's title
        # nor the title it was last synced with, is wrong (a hand edit, another document's id):
        # that document is not this item's, and updating it would overwrite someone else's.
        foreign = listed is not None and listed.type != want.type
        stranger = (
            listed is not None
            and entry is not None
            and not foreign
            and not _bears_title(listed, want, entry)
        )
        if (
            entry is not None
            and vouched
            and not (checked and (listed is None or foreign or stranger))
        ):
            remote_doc = listed
            _plan_known(plan, want, entry, remote_doc)
        else:
            gone = vouched  # and not on the site's listing, or not this item's
            if (foreign or stranger) and entry is not None:
                claimed.discard(entry.doc_id)  # not this item's: listed as not managed
            if foreign and entry is not None and listed is not None:
                plan.drift.append(
                    f"{item_id}: the record names document {entry.doc_id}, which is a "
                    f"{listed.type} document, not {want.type}: matched again"
                )
            elif stranger and entry is not None and listed is not None:
                plan.drift.append(
                    f"{item_id}: the record names document {entry.doc_id}, titled "
                    f"{listed.question or listed.title!r}, neither this item's title nor the one "
                    "last synced: matched again (that document is left as it is)"
                )
            elif gone and entry is not None:
                plan.drift.append(f"{item_id}: document {entry.doc_id} was deleted in Uppzy")
            try:
                remote_doc = _plan_unknown(plan, want, index, claimed, gone=gone)
            except AmbiguousMatchError as exc:
                ambiguous.append(exc.message)
                continue
            if remote_doc is None:
                continue  # a create: the apply activates what it creates
        _plan_status(plan, want, entry, remote_doc)
        if len(plan.changes) == planned:
            plan.unchanged += 1

    if ambiguous:
        raise _ambiguity_error(state.target, ambiguous)
    plan.changes += _deletes(desired, state)
    plan.unmanaged = [r for r in remote or [] if r.doc_id not in claimed]
    if prune:
        plan.changes += [_prune(doc) for doc in plan.unmanaged]
    plan.changes.sort(key=lambda c: (ORDER[c.action], c.id))
    sent = {c.id for c in plan.changes if c.action in ("create", "update", "adopt")}
    plan.payloads = {k: v for k, v in plan.payloads.items() if k in sent}
    return plan


def _bears_title(doc: RemoteSummary, want: DesiredItem, entry: Entry) -> bool:
    """Whether `doc` carries the item's title or question, now or as last synced.

    Titles are how kbsync knows its documents on a site (a lost record is matched by them), so
    a document bearing none of them is not provably this item's: a title edited by hand in
    Uppzy reads the same way, and is matched again rather than overwritten.
    """
    question = want.payload.question if want.payload is not None else None
    return bears_title(doc, want.title, question, entry.title)


def _as_recorded(want: DesiredItem, entry: Entry) -> bool:
    """Whether the state records `want` exactly as it is wanted, with a document: nothing to
    plan for it unless the site's listing is checked (an unchanged file's item, carried over
    from the state, is one of these; a plan of a few changes meets thousands)."""
    return (
        bool(entry.doc_id)
        and entry.hash == want.hash
        and entry.path == want.path
        and entry.batch == want.batch
        and entry.status == want.status
    )


def _ambiguity_error(target: Target, ambiguous: list[str]) -> AmbiguousMatchError:
    return AmbiguousMatchError(
        f"{target.key}: kbsync has no record of "
        + ("these items" if len(ambiguous) > 1 else "this item")
        + " and will not guess which document is its own: "
        + "; ".join(ambiguous),
        hint="delete the extra copies in Uppzy (or give the item a distinct title), "
        "then plan again",
    )


def _deletes(desired: DesiredSet, state: TargetState) -> list[Change]:
    """What the state holds and the desired set no longer has (a blocked item is kept)."""
    return [
        Change(
            action="delete",
            id=item_id,
            type=entry.type,
            title=entry.title,
            reason="no longer in the desired set",
            path=entry.path,
            batch=entry.batch,
            doc_id=entry.doc_id,
        )
        for item_id, entry in sorted(state.entries.items())
        if item_id not in desired.items and item_id not in desired.blocked
    ]


def _prune(doc: RemoteSummary) -> Change:
    """The delete of a document kbsync does not manage (`--prune`): its id is its Uppzy id."""
    return Change(
        action="delete",
        id=doc.doc_id,
        type=doc.type,
        title=doc.title,
        reason="not managed by kbsync (--prune)",
        doc_id=doc.doc_id,
    )


def _plan_unknown(
    plan: Plan,
    want: DesiredItem,
    index: MatchIndex,
    claimed: set[str],
    *,
    gone: bool,
) -> RemoteSummary | None:
    """Create or adopt an item the state cannot vouch for (no record, or its document gone).

    Returns the document adopted, or None for a create; raises AmbiguousMatchError when
    several documents match (nothing is planned for the item then).
    """
    question = want.payload.question if want.payload is not None else None
    found = index.candidates(want.type, want.title, question, claimed)
    match = choose(want.id, found, want.hash)
    if match is None:
        reason = "deleted in Uppzy: recreate it" if gone else "new in the desired set"
        plan.changes.append(Change.of_item(want, "create", reason, hash=want.hash))
        return None
    claimed.add(match.doc_id)
    same = match.content_hash == want.hash
    reason = f"on the site as {match.doc_id}, same type and title"
    if not same:
        reason += "; its content differs"
    plan.changes.append(
        Change.of_item(
            want, "adopt", reason, doc_id=match.doc_id, hash=want.hash, status=match.status
        )
    )
    if not same:
        plan.changes.append(
            Change.of_item(
                want, "update", "adopted: content differs", doc_id=match.doc_id, hash=want.hash
            )
        )
    return match


def _plan_known(
    plan: Plan, want: DesiredItem, entry: Entry, remote_doc: RemoteSummary | None
) -> None:
    """Update or rename an item the state holds (its document is on the site, or not checked)."""
    changed_content = entry.hash != want.hash
    edited_remotely = (
        remote_doc is not None
        and remote_doc.content_hash is not None
        and want.payload is not None
        and remote_doc.content_hash != want.hash
    )
    if edited_remotely and not changed_content:
        plan.drift.append(f"{want.id}: document {entry.doc_id} was edited in Uppzy")
    if changed_content or edited_remotely:
        reason = "content changed" if changed_content else "edited in Uppzy: restore it"
        if entry.path != want.path:
            reason += f" (renamed from {entry.path})"
        plan.changes.append(
            Change.of_item(want, "update", reason, doc_id=entry.doc_id, hash=want.hash)
        )
    elif entry.path != want.path or entry.batch != want.batch:
        reason = f"moved from {entry.path} (content unchanged)"
        plan.changes.append(
            Change.of_item(want, "rename", reason, doc_id=entry.doc_id, hash=want.hash)
        )
    if remote_doc is not None and remote_doc.status != entry.status:
        plan.drift.append(
            f"{want.id}: document {entry.doc_id} is {remote_doc.status} in Uppzy "
            f"(kbsync set {entry.status})"
        )


def _plan_status(
    plan: Plan, want: DesiredItem, entry: Entry | None, remote_doc: RemoteSummary | None
) -> None:
    """Activate or deactivate a document kbsync holds or adopts, as its batch wants."""
    remote_status = remote_doc.status if remote_doc is not None else None
    if remote_status is None and entry is not None:
        remote_status = entry.status
    doc_id = remote_doc.doc_id if remote_doc is not None else entry.doc_id if entry else None
    if want.status == ACTIVE and remote_status != ACTIVE:
        plan.changes.append(
            Change.of_item(want, "activate", "not active on the site", doc_id=doc_id)
        )
    elif want.status == DRAFT and remote_status == ACTIVE:
        reason = f"batch {want.batch} is rolled back"
        plan.changes.append(Change.of_item(want, "deactivate", reason, doc_id=doc_id))
