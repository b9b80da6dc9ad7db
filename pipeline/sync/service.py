"""The sync service: plan, guarded apply, pause, rollback — one function per command.

The CLI calls these with a client it built (for `local`, one talking to the in-process
sandbox) and renders what they return; nothing here prints.
"""

from __future__ import annotations

import getpass
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline import vcs
from pipeline.api import ApiError, UppzyClient
from pipeline.api.errors import AuthError, ForbiddenError, NotFoundError
from pipeline.config import EnvironmentConfig, Settings
from pipeline.errors import KbsyncError, UsageError
from pipeline.rollout import Rollout, load_rollout
from pipeline.sync.apply import Applier, ApplyResult, ProgressCallback, finish_state
from pipeline.sync.desired import OutboundCheck, config_fingerprint, desired_set
from pipeline.sync.plan import Change, Plan, make_plan
from pipeline.sync.remote import AmbiguousMatchError, ListingRefused, SiteListing, remote_summary
from pipeline.sync.seal import SealBrokenError, apply_seal, unjustified_adopts
from pipeline.sync.state import (
    Hold,
    Pause,
    StaleStateError,
    TargetBusyError,
    TargetState,
    new_claim,
    now_iso,
)
from pipeline.sync.store import FileStateStore, GitStateStore, StateStore
from pipeline.targets import Target

log = logging.getLogger(__name__)


class SyncRefused(KbsyncError):
    """A guard refused the sync before anything was written."""


class TargetUnreachable(SyncRefused):
    """The key cannot reach the tenant or a site: nothing was written."""


@dataclass(frozen=True)
class SyncOptions:
    concurrency: int = 8
    allow_mass_delete: bool = False
    refresh: bool = False
    adopt: bool = True
    prune: bool = False
    wait_ready: bool = False
    ready_deadline: float = 60.0
    force_full: bool = False


@dataclass
class SyncOutcome:
    target: Target
    plan: Plan
    result: ApplyResult
    state: TargetState
    waited_ready: bool = False
    notes: list[str] = field(default_factory=list)


def make_store(settings: Settings, env: EnvironmentConfig) -> StateStore:
    if env.state.store == "git":
        return GitStateStore(settings.root, env.state.remote)
    return FileStateStore(settings.state_root / "state")


def preflight(
    client: UppzyClient, env: EnvironmentConfig, sites: list[str]
) -> dict[str, int | None]:
    """Limits and every site must answer with this key before anything is written."""
    try:
        limits = client.limits()
    except (AuthError, ForbiddenError, NotFoundError) as exc:
        raise TargetUnreachable(
            f"the key for {env.name} cannot reach tenant {env.tenant_id!r}: {exc}",
            hint="check tenant_id and the key (kbsync check --env " + env.name + ")",
        ) from exc
    for site in sites:
        try:
            info = client.site(site)
        except (AuthError, ForbiddenError, NotFoundError) as exc:
            raise TargetUnreachable(
                f"the key for {env.name} cannot reach site {site!r}: {exc}",
                hint=f"check the site id under [environments.{env.name}.sites]",
            ) from exc
        if info.tenant_id and info.tenant_id != env.tenant_id:
            raise TargetUnreachable(
                f"site {site!r} belongs to tenant {info.tenant_id!r}, not {env.tenant_id!r}",
                hint=f"check tenant_id and the sites of [environments.{env.name}]",
            )
    return {"used": limits.documents.used, "limit": limits.documents.limit}


def plan_target(
    settings: Settings,
    target: Target,
    *,
    client: UppzyClient | None = None,
    options: SyncOptions = SyncOptions(),
    rollout: Rollout | None = None,
    state: TargetState | None = None,
    listing: SiteListing | None = None,
    check: OutboundCheck | None = None,
    env: EnvironmentConfig | None = None,
    quota: dict[str, int | None] | None = None,
) -> Plan:
    """The plan for one target. With a client, the quota is read, and the site is listed
    (once, through `listing`) whenever the plan would create or the state cannot vouch for an
    item; `--refresh` and `--prune` always list.

    `check` is the payload gate: an item whose outbound text it faults is blocked, not planned.
    A caller that already resolved the environment, read the rollout or the quota (a sync
    does, in its preflight) passes them in, so each is read once per command.
    """
    env = env if env is not None else settings.environment(target.environment)
    rollout = rollout if rollout is not None else load_rollout(settings.content_root)
    if state is None:
        state = make_store(settings, env).load(target)
    unvouched = any(not entry.doc_id for entry in state.entries.values())
    desired = desired_set(
        settings,
        env,
        target,
        rollout,
        state,
        force_full=options.force_full or options.refresh or unvouched,
        check=check,
    )
    needs_listing = (
        options.refresh
        or options.prune
        or bool(state.journal)
        or unvouched
        or any(item_id not in state.entries for item_id in desired.items)
    )
    remote = None
    if needs_listing and client is not None:
        listing = listing if listing is not None else SiteListing(client, target)
        remote = listing.documents()
    elif (options.refresh or options.prune) and client is None:
        raise UsageError("--refresh and --prune need the site's listing")
    plan = make_plan(
        desired,
        state,
        head_commit=vcs.head_commit(settings.root),
        remote=remote,
        refresh=options.refresh,
        prune=options.prune,
    )
    if needs_listing and remote is None and plan.count("create"):
        plan.warnings.append(
            f"offline: {plan.count('create')} creates were not checked against the site's "
            "listing (a sync adopts a matching document instead of creating it)"
        )
    if not options.adopt and plan.count("adopt"):
        raise _no_adopt_refusal(plan)
    if desired.full_scan and desired.scan_reason and state.commit is not None:
        plan.warnings.append(f"full scan: {desired.scan_reason}")
    if quota is not None:
        plan.quota = quota
        _check_quota(plan)
    elif client is not None:
        limits = client.limits()
        plan.quota = {"used": limits.documents.used, "limit": limits.documents.limit}
        _check_quota(plan)
    return plan


def _no_adopt_refusal(plan: Plan) -> SyncRefused:
    adopts = [c for c in plan.changes if c.action == "adopt"]
    shown = ", ".join(f"{c.id} ({c.doc_id})" for c in adopts[:5])
    more = f" and {len(adopts) - 5} more" if len(adopts) > 5 else ""
    return SyncRefused(
        f"{plan.target.key}: {len(adopts)} documents on the site match items kbsync has no "
        f"record of: {shown}{more}; --no-adopt refuses to take them over, and creating them "
        "again would duplicate them",
        hint="drop --no-adopt to adopt them, or delete them in Uppzy first",
    )


def _prune_refusal(plan: Plan, pruned: list[Change]) -> SyncRefused:
    """A saved plan that deletes documents kbsync does not manage is applied only when the
    sync says `--prune` too: nothing in a commit justifies such a delete, so the person
    applying it repeats the choice (an edited plan could otherwise add any of the site's
    hand-made documents)."""
    shown = ", ".join(f"{c.doc_id} ({c.title})" for c in pruned[:5])
    more = f" and {len(pruned) - 5} more" if len(pruned) > 5 else ""
    return SyncRefused(
        f"{plan.target.key}: the plan deletes {len(pruned)} document(s) kbsync does not "
        f"manage: {shown}{more}; nothing was written",
        hint="apply it with --prune if that is meant, or make a new plan without --prune",
    )


def _check_quota(plan: Plan) -> None:
    used, limit = plan.quota.get("used"), plan.quota.get("limit")
    if used is None or limit is None:
        return
    after = used + plan.count("create") - plan.count("delete")
    if plan.count("create") and after > limit:
        raise SyncRefused(
            f"{plan.target.key}: the plan would hold {after} documents; the tenant's quota is "
            f"{limit} ({used} used)",
            hint="delete unused documents in Uppzy, raise the plan, or sync fewer batches",
        )


def check_guards(
    plan: Plan, state: TargetState, env: EnvironmentConfig, options: SyncOptions
) -> None:
    """Refuse before writing: max changes per run, mass deletes."""
    limit = env.rollout.max_changes
    if limit is not None and plan.write_count > limit:
        raise SyncRefused(
            f"{plan.target.key}: {plan.write_count} changes exceed max_changes = {limit} for "
            f"{env.name}",
            hint="grow content in smaller steps (fewer batches per run) or raise "
            f"[environments.{env.name}.rollout] max_changes",
        )
    deletes = plan.count("delete")
    # The site's listing, when the plan read it, counts unmanaged documents (`--prune`) too.
    held = plan.site_documents if plan.site_documents is not None else len(state.entries)
    held = max(held, deletes)
    ratio = env.rollout.mass_delete_ratio
    if deletes and held and deletes > ratio * held and not options.allow_mass_delete:
        raise SyncRefused(
            f"{plan.target.key}: the plan deletes {deletes} of {held} documents on the site "
            f"(more than {ratio:.0%})",
            hint="check the plan (kbsync plan); if it is right, pass --allow-mass-delete",
        )


def sync_target(
    settings: Settings,
    target: Target,
    client: UppzyClient,
    *,
    options: SyncOptions = SyncOptions(),
    saved_plan: Plan | None = None,
    progress: Callable[[Plan], ProgressCallback] | None = None,
    before_write: Callable[[Plan], None] | None = None,
    check: OutboundCheck | None = None,
    env: EnvironmentConfig | None = None,
    rollout: Rollout | None = None,
) -> SyncOutcome:
    """Plan (or take the saved plan), check every guard, claim the target, apply, release.

    A saved plan is applied only if its commit makes exactly its payloads (see
    :mod:`pipeline.sync.seal`); `check`, the payload gate, blocks items in either case.
    `before_write` sees the plan after every guard and before the claim: the caller's last
    word (a confirmation, a gate on what the plan writes); raising refuses the sync.
    `env` and `rollout`, when the caller has them, spare reading them again.

    One piece (~100 lines) on purpose: the order is the safety argument (pause, live claim,
    preflight, seal, guards and `before_write` all before the claim; the claim before the first
    write) and reads top to bottom here; split into helpers, it would have to be re-assembled
    to be checked.
    """
    env = env if env is not None else settings.environment(target.environment)
    store = make_store(settings, env)
    rollout = rollout if rollout is not None else load_rollout(settings.content_root)
    state = store.load(target)
    listing = SiteListing(client, target)
    if state.pause is not None:
        raise SyncRefused(
            f"{target.key} is paused by {state.pause.by} since {state.pause.at}: "
            f"{state.pause.reason}",
            hint=f"kbsync resume --env {target.environment} --site {target.site}",
        )
    _check_claim(state)
    quota = preflight(client, env, [target.site])
    if saved_plan is not None:
        if saved_plan.target.key != target.key:
            raise UsageError(f"the saved plan is for {saved_plan.target.key}, not {target.key}")
        if saved_plan.state_revision != state.revision:
            raise SyncRefused(
                f"{target.key}: the state moved since the plan was made (revision "
                f"{saved_plan.state_revision} → {state.revision})",
                hint="make a new plan and review it again",
            )
        apply_seal(settings, saved_plan, check, state=state, env=env)
        plan = saved_plan
        plan.quota = quota
        _check_quota(plan)
        if not options.adopt and plan.count("adopt"):
            raise _no_adopt_refusal(plan)
        pruned = [c for c in plan.changes if c.action == "delete" and c.id not in state.entries]
        if pruned and not options.prune:
            raise _prune_refusal(plan, pruned)
        if plan.count("adopt"):
            _check_adopts(plan, state, listing)
        if plan.count("create") or state.journal:
            listing.documents()  # refuse here, before the claim, if it cannot be read whole
    else:
        plan = plan_target(
            settings,
            target,
            client=client,
            options=options,
            rollout=rollout,
            state=state,
            listing=listing,
            check=check,
            env=env,
            quota=quota,
        )
    check_guards(plan, state, env, options)
    if before_write is not None:
        before_write(plan)
    if not plan.has_changes and state.commit == plan.head_commit:
        return SyncOutcome(target, plan, ApplyResult(), state, notes=["nothing to change"])
    # Claim the target: a compare-and-swap write before anything is sent.
    state.claim = new_claim()
    try:
        store.save(state, f"kbsync sync {target.key}: start")
    except StaleStateError as exc:
        raise StaleStateError(
            f"{target.key}: another sync claimed this target at the same moment; "
            "this run wrote nothing",
            hint="re-run when it has finished: kbsync re-plans from the new state",
        ) from exc
    callback = progress(plan) if progress is not None else None
    applier = Applier(
        client,
        store,
        state,
        plan,
        listing=listing,
        adopt=options.adopt,
        concurrency=options.concurrency,
        progress=callback,
    )
    result = applier.run()
    finish_state(state, plan, config_fingerprint(settings, env, target.site, state.holds), result)
    state.claim = None
    store.save(state, _commit_message(target, result))
    outcome = SyncOutcome(target, plan, result, state)
    if options.wait_ready and result.stopped is None:
        outcome.waited_ready = True
        result.not_ready = wait_ready(client, target.site, state, options.ready_deadline)
    return outcome


def _check_adopts(plan: Plan, state: TargetState, listing: SiteListing) -> None:
    """A saved plan's adopts must be borne out by the site's listing (see `unjustified_adopts`)."""
    wrong = unjustified_adopts(plan, state, listing.documents())
    if wrong:
        shown = "; ".join(wrong[:10]) + (" …" if len(wrong) > 10 else "")
        raise SealBrokenError(
            f"{plan.target.key}: the plan adopts {len(wrong)} document(s) the site does not "
            f"match to its item: {shown}; nothing was written",
            hint="the plan file was edited, or the site changed since: make a new plan and "
            "review it again",
        )


def _check_claim(state: TargetState) -> None:
    claim = state.claim
    if claim is not None and not claim.is_stale():
        raise TargetBusyError(
            f"{state.target.key} is being synced by run {claim.run} ({claim.host}, pid "
            f"{claim.pid}, last seen {claim.at}); this run wrote nothing",
            hint="wait for it to finish, then re-run",
        )


def _commit_message(target: Target, result: ApplyResult) -> str:
    return (
        f"kbsync sync {target.key}: {result.created} created, {result.updated} updated, "
        f"{result.activated} activated, {result.deleted} deleted"
        + (f", {len(result.failures)} failed" if result.failures else "")
    )


def wait_ready(client: UppzyClient, site: str, state: TargetState, deadline: float) -> list[str]:
    """Wait until every active document kbsync holds is ready; the ids still not ready."""
    wanted = {e.doc_id for e in state.entries.values() if e.status == "active"}
    end = time.monotonic() + deadline
    delay = 0.2
    while True:
        listing = {d.id: d for d in client.list_documents(site)}
        pending = sorted(i for i in wanted if i in listing and listing[i].ready is False)
        if not pending or time.monotonic() >= end:
            return pending
        time.sleep(min(delay, max(0.0, end - time.monotonic())))
        delay = min(delay * 2, 2.0)


# --- pause, resume, rollback -------------------------------------------------------------------


def pause(settings: Settings, target: Target, reason: str, by: str | None = None) -> TargetState:
    store = make_store(settings, settings.environment(target.environment))
    state = store.load(target)
    state.pause = Pause(by=by or _who(), at=now_iso(), reason=reason)
    return store.save(state, f"kbsync pause {target.key}: {reason}")


def resume(settings: Settings, target: Target) -> TargetState:
    store = make_store(settings, settings.environment(target.environment))
    state = store.load(target)
    state.pause = None
    return store.save(state, f"kbsync resume {target.key}")


@dataclass
class RollbackResult:
    target: Target
    batch: str
    documents: int
    mode: str
    released: bool = False


def rollback(
    settings: Settings,
    target: Target,
    client: UppzyClient | None,
    batch: str,
    *,
    delete: bool = False,
    release: bool = False,
) -> RollbackResult:
    """Take `batch` out of the target now (draft, or deleted), or release a held batch."""
    env = settings.environment(target.environment)
    store = make_store(settings, env)
    state = store.load(target)
    rollout = load_rollout(settings.content_root)
    if batch not in rollout.by_id and batch not in state.holds:
        known = ", ".join(b.id for b in rollout.batches) or "none"
        raise UsageError(f"no batch {batch!r} in rollout.yaml (batches: {known})")
    if release:
        if batch not in state.holds:
            raise UsageError(f"batch {batch!r} is not rolled back in {target.key}")
        del state.holds[batch]
        state.config_fingerprint = ""  # membership changed for a whole batch: re-read all
        store.save(state, f"kbsync rollback {target.key}: release {batch}")
        return RollbackResult(target, batch, 0, "release", released=True)
    if client is None:
        raise UsageError("rollback needs the API")
    _check_claim(state)
    items = sorted(i for i, e in state.entries.items() if e.batch == batch)
    doc_ids = [state.entries[i].doc_id for i in items]
    state.claim = new_claim()
    store.save(state, f"kbsync rollback {target.key}: start")
    try:
        if doc_ids:
            if delete:
                client.bulk_delete(target.site, doc_ids)
                for item_id in items:
                    del state.entries[item_id]
            else:
                client.bulk_status(target.site, doc_ids, "draft")
                for item_id in items:
                    state.entries[item_id].status = "draft"
        state.holds[batch] = Hold(at=now_iso(), by=_who(), mode="delete" if delete else "draft")
        state.config_fingerprint = ""
    finally:
        state.claim = None
        store.save(
            state, f"kbsync rollback {target.key}: {batch} ({'delete' if delete else 'draft'})"
        )
    return RollbackResult(target, batch, len(items), "delete" if delete else "draft")


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


__all__ = [
    "AmbiguousMatchError",
    "ApiError",
    "ListingRefused",
    "SyncOptions",
    "SyncOutcome",
    "SyncRefused",
    "TargetUnreachable",
    "check_guards",
    "make_store",
    "pause",
    "plan_target",
    "preflight",
    "remote_summary",
    "resume",
    "rollback",
    "sync_target",
    "wait_ready",
]
