"""Sealed plans: a saved plan is applied only if its payloads are what its commit makes.

A plan file is reviewed, stored as a CI artefact, perhaps passed between jobs; whoever can edit it
could otherwise push any text under a reviewed item's name (and the state would then record the
reviewed hash, so later plans say "unchanged"). So `kbsync sync --plan` reads every file the plan
sends from the plan's commit (from git's object store, not the working tree), renders it again,
and refuses the plan if any payload differs from the file's, naming the items. The payloads
applied are the re-derived ones, checked by the payload gate like any others.

The payloads are not the only thing a hand could change: every other write must be one the
commit (with the target's state) makes too (:func:`unjustified_writes`). A planned delete needs
its item absent, unapproved or not routed to the target at the commit, or its batch held for
deletion, and the document id the state records for it; a send or status change needs its item
routed to the plan's target at the commit, and the document id the state (or the plan's own
adopt) gives it; an adopt may not take a document the state gives another item; a delete of a
document kbsync does not manage (`--prune`) may not name one it does; no item is planned twice;
an adopt must name a document the site's listing shows with the item's type and title
(:func:`unjustified_adopts`, checked by the service, which holds the listing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import vcs
from pipeline.config import EnvironmentConfig, Settings
from pipeline.corpus import Item, decode, kind_of, parse_item
from pipeline.corpus.outbound import OutboundFinding
from pipeline.errors import KbsyncError
from pipeline.rollout import ROLLOUT_FILE, Rollout, rollout_from_data
from pipeline.sync.desired import ACTIVE, DRAFT, BlockedItem, OutboundCheck, membership
from pipeline.sync.links import SiteLinks
from pipeline.sync.payload import PAYLOAD_FORMAT, Payload, outbound_for
from pipeline.sync.plan import Change, Plan
from pipeline.sync.remote import RemoteSummary, bears_title, match_key
from pipeline.sync.state import TargetState
from pipeline.yamlfile import parse_yaml

SENT = ("create", "update", "adopt")
"""Actions that send a payload."""


class SealBrokenError(KbsyncError):
    """A saved plan does not match the commit it names: nothing was written."""


@dataclass(frozen=True)
class Rederived:
    """What the plan's commit makes of each item the plan sends."""

    payloads: dict[str, Payload]
    differ: list[str]
    """Items whose payload in the plan is not the one the commit makes."""
    blocked: list[BlockedItem]


def rederive(settings: Settings, plan: Plan, check: OutboundCheck | None = None) -> Rederived:
    """Render every sent item again from `plan.head_commit`, and gate it with `check`."""
    key = plan.target.key
    if plan.payload_format != PAYLOAD_FORMAT:
        raise SealBrokenError(
            f"{key}: the plan was made by kbsync {plan.kbsync_version} with payload format "
            f"{plan.payload_format}; this kbsync sends format {PAYLOAD_FORMAT}",
            hint="make a new plan with this kbsync and review it again",
        )
    commit = plan.head_commit
    if not commit:
        raise SealBrokenError(
            f"{key}: the plan records no commit (made outside a git repository or before the "
            "first commit), so its payloads cannot be checked",
            hint="commit the content, then make a new plan: kbsync plan --out plan.json",
        )
    sent = [c for c in plan.changes if c.action in SENT]
    files = vcs.files_at(settings.root, commit, sorted({c.path for c in sent if c.path}))
    if files is None:
        raise SealBrokenError(
            f"{key}: the plan's commit {commit[:12]} is unknown to this repository",
            hint="fetch it (git fetch, or a full clone instead of a shallow one), or make a new "
            "plan from this checkout",
        )
    payloads: dict[str, Payload] = {}
    differ: list[str] = []
    blocked: list[BlockedItem] = []
    env = settings.environment(plan.target.environment)
    links = SiteLinks.for_site(settings, env, plan.target.site) if sent else None
    for change in sent:
        derived = _derive(settings, change, files.get(change.path or ""), check, links)
        if derived is None:
            differ.append(change.id)
            continue
        payload, findings = derived
        saved = plan.payloads.get(change.id)
        if (
            saved is None
            or saved.content_hash != payload.content_hash
            or change.hash != payload.content_hash
        ):
            differ.append(change.id)
        elif findings:
            blocked.append(BlockedItem(change.id, change.path or "", findings))
        else:
            payloads[change.id] = payload
    return Rederived(payloads, sorted(differ), blocked)


def _derive(
    settings: Settings,
    change: Change,
    data: bytes | None,
    check: OutboundCheck | None,
    links: SiteLinks | None,
) -> tuple[Payload, tuple[OutboundFinding, ...]] | None:
    """The payload `change`'s file makes at the plan's commit (links resolve against the
    working tree's pages: a plan made from a clean checkout of that commit sees the same)."""
    if data is None or not change.path:
        return None
    text, problem = decode(change.path, data)
    if text is None or problem is not None:
        return None
    item, _problems = parse_item(change.path, text, kind_of(change.path))
    if item is None or item.id != change.id:
        return None
    payload, outbound = outbound_for(
        item, settings.content_dir, links.rewrite if links is not None else None
    )
    findings = tuple(check(item, outbound)) if check is not None else ()
    return payload, findings


def apply_seal(
    settings: Settings,
    plan: Plan,
    check: OutboundCheck | None = None,
    *,
    state: TargetState | None = None,
    env: EnvironmentConfig | None = None,
) -> None:
    """Refuse `plan` unless its commit makes exactly its payloads and (given the target's
    `state` and `env`) every other write it plans; then gate the payloads.

    On success the plan's payloads are replaced by the re-derived ones, and items the gate
    blocks leave the plan's changes for its `blocked` list.
    """
    result = rederive(settings, plan, check)
    if state is not None and env is not None:
        wrong = unjustified_writes(settings, plan, state, env)
        if wrong:
            commit = (plan.head_commit or "")[:12]
            shown = "; ".join(wrong[:10]) + (" …" if len(wrong) > 10 else "")
            raise SealBrokenError(
                f"{plan.target.key}: the plan writes {len(wrong)} change(s) that commit "
                f"{commit} does not make: {shown}; nothing was written",
                hint="the plan file was edited: make a new plan and review it again",
            )
    if result.differ:
        commit = (plan.head_commit or "")[:12]
        shown = ", ".join(result.differ[:10]) + (" …" if len(result.differ) > 10 else "")
        raise SealBrokenError(
            f"{plan.target.key}: the plan's payloads for {len(result.differ)} item(s) differ "
            f"from what commit {commit} makes: {shown}; nothing was written",
            hint="the plan file was edited, or made from uncommitted changes: commit, make a "
            "new plan and review it again",
        )
    gone = {b.id for b in result.blocked}
    plan.payloads = result.payloads
    if gone:
        plan.changes = [c for c in plan.changes if c.id not in gone]
        known = {b.id for b in plan.blocked}
        plan.blocked = sorted(
            [*plan.blocked, *(b for b in result.blocked if b.id not in known)], key=lambda b: b.id
        )


def unjustified_writes(
    settings: Settings, plan: Plan, state: TargetState, env: EnvironmentConfig
) -> list[str]:
    """Each change of `plan` that its commit and `state` do not make, as "id (action): why".

    `plan.head_commit` is known here (:func:`rederive` has refused a plan without one).
    """
    commit = plan.head_commit or ""
    at_commit = _ItemsAt(settings, commit, plan, env)
    adopted = {c.id: c.doc_id for c in plan.changes if c.action == "adopt"}
    owner = {e.doc_id: item_id for item_id, e in state.entries.items() if e.doc_id}
    wrong: list[str] = []
    seen: dict[str, set[str]] = {}
    for change in plan.changes:
        actions = seen.setdefault(change.id, set())
        why = _twice(change, actions)
        actions.add(change.action)
        if why is None and change.action == "delete":
            why = _delete_why(change, state, owner, at_commit)
        elif why is None and change.action == "adopt":
            other = owner.get(change.doc_id or "")
            if other is not None and other != change.id:
                why = f"document {change.doc_id} is {other}'s"
        elif why is None:
            why = _send_why(change, state, adopted, at_commit)
        if why is not None:
            wrong.append(f"{change.id} ({change.action}): {why}")
    return wrong


def unjustified_adopts(plan: Plan, state: TargetState, documents: list[RemoteSummary]) -> list[str]:
    """Each adopt of `plan` the site's listing does not bear out, as "id (adopt): why".

    An adopt sends nothing itself, but the update after it overwrites the document: it must be
    on the site, of the item's type and title (Q&A: question), and the item must have no
    document of its own there still (then kbsync would have updated that one).
    """
    by_id = {doc.doc_id: doc for doc in documents}
    wrong: list[str] = []
    for change in (c for c in plan.changes if c.action == "adopt"):
        doc = by_id.get(change.doc_id or "")
        payload = plan.payloads.get(change.id)
        entry = state.entries.get(change.id)
        why = None
        if doc is None:
            why = f"the site has no document {change.doc_id}"
        elif payload is None or match_key(doc.type, doc.title, doc.question) != match_key(
            payload.type, payload.title, payload.question or None
        ):
            why = f"document {change.doc_id} is not of its type and title"
        elif (
            entry is not None
            and entry.doc_id != change.doc_id
            and entry.doc_id in by_id
            and by_id[entry.doc_id].type == doc.type  # of another type, the record was wrong
            # bearing none of its titles, the record was wrong too (the plan matched again)
            and bears_title(by_id[entry.doc_id], payload.title, payload.question, entry.title)
        ):
            why = f"its own document {entry.doc_id} is still on the site"
        if why is not None:
            wrong.append(f"{change.id} (adopt): {why}")
    return wrong


def _twice(change: Change, actions: set[str]) -> str | None:
    """An item planned twice, or both sent and deleted: never what a plan makes."""
    if change.action in actions:
        return "planned twice"
    if (change.action == "delete" and actions) or "delete" in actions:
        return "both deleted and written"
    if {change.action} | actions >= {"create", "adopt"}:
        return "both created and adopted"
    return None


def _delete_why(
    change: Change, state: TargetState, owner: dict[str, str], at_commit: _ItemsAt
) -> str | None:
    entry = state.entries.get(change.id)
    if entry is None:  # --prune: a document kbsync does not manage
        if change.doc_id != change.id:
            return "not an item kbsync holds, nor a document id"
        if change.doc_id in owner:
            return f"document {change.doc_id} is {owner[change.doc_id]}'s, not unmanaged"
        return None
    if change.doc_id != entry.doc_id:
        return f"document {change.doc_id} is not the one kbsync holds for it ({entry.doc_id})"
    hold = state.holds.get(entry.batch) if entry.batch is not None else None
    if hold is not None and hold.mode == "delete":
        return None
    routed = at_commit.routed(change.id, entry.path)
    if routed is not None:
        return f"{routed} still holds it, approved for this target"
    return None


def _send_why(
    change: Change, state: TargetState, adopted: dict[str, str | None], at_commit: _ItemsAt
) -> str | None:
    entry = state.entries.get(change.id)
    if change.action != "create":
        expected = adopted.get(change.id, entry.doc_id if entry else None)
        if expected is None:
            return "kbsync holds no document for it"
        if change.doc_id != expected:
            return f"document {change.doc_id} is not its document ({expected})"
    item = at_commit.item(change.id, change.path)
    if item is None:
        return f"the commit has no item {change.id} at {change.path}"
    belongs, why = at_commit.member(item)
    if not belongs:
        return why
    if change.action in ("activate", "deactivate"):
        batch = at_commit.batch_of(item)
        hold = state.holds.get(batch) if batch is not None else None
        wanted = ACTIVE if hold is None else DRAFT
        if (change.action == "activate") != (wanted == ACTIVE):
            return f"its batch wants it {wanted}"
    return None


class _ItemsAt:
    """The plan's items as its commit holds them (read once each), and the commit's rollout."""

    def __init__(self, settings: Settings, commit: str, plan: Plan, env: EnvironmentConfig):
        self._settings = settings
        self._commit = commit
        self._plan = plan
        self._env = env
        self._content_dir = settings.content_dir.rstrip("/")
        paths = {c.path for c in plan.changes if c.path}
        rollout_path = f"{self._content_dir}/{ROLLOUT_FILE}"
        self._files = vcs.files_at(settings.root, commit, sorted(paths | {rollout_path})) or {}
        self.rollout = _rollout(self._files.get(rollout_path), settings.root / rollout_path)

    def _read(self, path: str) -> Item | None:
        if path not in self._files:
            self._files.update(vcs.files_at(self._settings.root, self._commit, [path]) or {})
        data = self._files.get(path)
        if data is None:
            return None
        text, problem = decode(path, data)
        if text is None or problem is not None:
            return None
        item, _problems = parse_item(path, text, kind_of(path))
        return item

    def item(self, item_id: str, path: str | None) -> Item | None:
        item = self._read(path) if path else None
        return item if item is not None and item.id == item_id else None

    def member(self, item: Item) -> tuple[bool, str]:
        return membership(item, self._plan.target, self._env, self.rollout, self._content_dir)

    def batch_of(self, item: Item) -> str | None:
        prefix = self._content_dir + "/"
        rel = item.path[len(prefix) :] if item.path.startswith(prefix) else item.path
        batch = self.rollout.batch_for(rel, item.batch)
        return batch.id if batch is not None else None

    def routed(self, item_id: str, path: str) -> str | None:
        """The path at the commit that holds `item_id` routed to the target, if any; a file
        that does not parse counts as holding it (a broken edit never deletes)."""
        paths = vcs.paths_containing(
            self._settings.root, self._commit, item_id, self._content_dir + "/"
        )
        for candidate in sorted({path, *(paths or [])}):
            if candidate not in self._files:
                self._files.update(
                    vcs.files_at(self._settings.root, self._commit, [candidate]) or {}
                )
            if self._files.get(candidate) is None:
                continue
            item = self._read(candidate)
            if candidate == path and item is None:
                return candidate
            if item is not None and item.id == item_id and self.member(item)[0]:
                return candidate
        return None


def _rollout(data: bytes | None, where: Path) -> Rollout:
    """The commit's rollout; one missing or broken there refuses the plan (no plan is made
    without one, and reading it as "nothing approved" would justify deleting everything)."""
    try:
        if data is None:
            raise ValueError("the commit has no such file")
        parsed = parse_yaml(data.decode("utf-8-sig"))
        return rollout_from_data(parsed.data, where, parsed.node)
    except (ValueError, KbsyncError) as exc:
        raise SealBrokenError(
            f"{where}: cannot be read at the plan's commit ({exc})",
            hint="make a new plan from a commit whose rollout file is valid",
        ) from None
