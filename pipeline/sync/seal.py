"""Sealed plans: a saved plan is applied only if its payloads are what its commit makes.

A plan file is reviewed, stored as a CI artefact, perhaps passed between jobs; whoever can edit it
could otherwise push any text under a reviewed item's name (and the state would then record the
reviewed hash, so later plans say "unchanged"). So `kbsync sync --plan` reads every file the plan
sends from the plan's commit (from git's object store, not the working tree), renders it again,
and refuses the plan if any payload differs from the file's, naming the items. The payloads
applied are the re-derived ones, checked by the payload gate like any others.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import vcs
from pipeline.config import Settings
from pipeline.corpus import decode, kind_of, parse_item
from pipeline.corpus.outbound import OutboundFinding
from pipeline.errors import KbsyncError
from pipeline.sync.desired import BlockedItem, OutboundCheck
from pipeline.sync.links import SiteLinks
from pipeline.sync.payload import PAYLOAD_FORMAT, Payload, outbound_for
from pipeline.sync.plan import Change, Plan

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


def apply_seal(settings: Settings, plan: Plan, check: OutboundCheck | None = None) -> None:
    """Refuse `plan` unless its commit makes exactly its payloads; then gate them.

    On success the plan's payloads are replaced by the re-derived ones, and items the gate
    blocks leave the plan's changes for its `blocked` list.
    """
    result = rederive(settings, plan, check)
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
