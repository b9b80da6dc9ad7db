"""The desired set of a target: which items it should hold, and in which status.

An item belongs to target (environment, site) when its `status` is `approved`, its rollout
batch lists the environment, its `audience` is one the site takes, and its `sites` field, if
present, names the site. A batch held by `kbsync rollback` stays in the set as `draft`.

Reading cost follows the change, not the repository: when the target's state records the commit
it came from and nothing that decides membership for every file changed since (rollout.yaml,
the site's audiences, the payload format, any page's public URL), only the files git reports as
changed since that commit are read; every other item is carried over from the state as it is.
(Links in payloads need every page's URL: the frontmatter of every content file is read for
that, without parsing its Markdown — :mod:`pipeline.sync.links`.)
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline import vcs
from pipeline.config import EnvironmentConfig, Settings
from pipeline.corpus import Item, load_file
from pipeline.corpus.loader import CONTENT_SUFFIXES, discover, relative_path, unsafe_id
from pipeline.corpus.outbound import OutboundFinding, OutboundText
from pipeline.rollout import ROLLOUT_FILE, Rollout
from pipeline.sync.links import SiteLinks
from pipeline.sync.payload import PAYLOAD_FORMAT, RENDERING, LinkRewriter, Payload, outbound_for
from pipeline.sync.state import Entry, TargetState
from pipeline.targets import Target

log = logging.getLogger(__name__)

ACTIVE = "active"
DRAFT = "draft"


@dataclass(frozen=True)
class DesiredItem:
    """One item the target should hold. `payload` is None when carried over unread."""

    id: str
    path: str
    batch: str | None
    hash: str
    status: str
    type: str
    title: str
    payload: Payload | None = None


class OutboundCheck(Protocol):
    """Checks the exact text an item would send (the payload gate); sync does not know how.

    The CLI passes :class:`pipeline.lint.outbound.OutboundChecker`: sync must not import lint.
    """

    def __call__(self, item: Item, outbound: OutboundText) -> Sequence[OutboundFinding]: ...


@dataclass(frozen=True)
class BlockedItem:
    """An item the payload gate held back: nothing of it is sent, and the site keeps what it has."""

    id: str
    path: str
    findings: tuple[OutboundFinding, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "findings": [f.to_json() for f in self.findings]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BlockedItem:
        findings = tuple(
            OutboundFinding(str(f["rule"]), str(f["path"]), int(f["line"]), str(f["message"]))
            for f in data["findings"]
        )
        return cls(str(data["id"]), str(data["path"]), findings)


@dataclass
class DesiredSet:
    items: dict[str, DesiredItem] = field(default_factory=dict)
    blocked: dict[str, BlockedItem] = field(default_factory=dict)
    """Items read whose outbound text failed the check: neither sent nor deleted."""
    files_read: int = 0
    full_scan: bool = True
    scan_reason: str = ""
    changed_paths: int = 0
    problems: list[str] = field(default_factory=list)


def config_fingerprint(
    settings: Settings,
    env: EnvironmentConfig,
    site: str,
    holds: Iterable[str] = (),
    links: SiteLinks | None = None,
) -> str:
    """What decides every file's membership or payload at once: if it changes, read
    everything. That includes every page's public URL (links in payloads point at them) and
    kbsync's :data:`~pipeline.sync.payload.RENDERING`."""
    links = links if links is not None else SiteLinks.for_site(settings, env, site)
    rollout_file = settings.content_root / ROLLOUT_FILE
    rollout_bytes = rollout_file.read_bytes() if rollout_file.is_file() else b""
    site_config = env.sites.get(site)
    audiences = sorted(site_config.audiences) if site_config else []
    digest = hashlib.sha256()
    for part in (
        settings.content_dir.encode(),
        rollout_bytes,
        ",".join(audiences).encode(),
        f"{PAYLOAD_FORMAT}.{RENDERING}".encode(),
        ",".join(sorted(holds)).encode(),
        links.fingerprint().encode(),
    ):
        digest.update(part + b"\0")
    return digest.hexdigest()


def membership(
    item: Item, target: Target, env: EnvironmentConfig, rollout: Rollout, content_dir: str
) -> tuple[bool, str]:
    """Whether `item` belongs to `target`, and if not, why."""
    if item.status != "approved":
        return False, f"status is {item.status or 'missing'}"
    rel = _content_relative(item.path, content_dir)
    batch = rollout.batch_for(rel, item.batch)
    if batch is None:
        return False, "no rollout batch"
    if target.environment not in batch.environments:
        return False, f"batch {batch.id} is not approved for {target.environment}"
    site = env.sites.get(target.site)
    if site is None or item.audience not in site.audiences:
        return False, f"site {target.site} does not take {item.audience} content"
    if item.sites and target.site not in item.sites:
        return False, f"its sites field does not name {target.site}"
    return True, ""


def desired_set(
    settings: Settings,
    env: EnvironmentConfig,
    target: Target,
    rollout: Rollout,
    state: TargetState,
    *,
    force_full: bool = False,
    check: OutboundCheck | None = None,
) -> DesiredSet:
    """Compute the desired set, reading as few files as the state allows."""
    links = SiteLinks.for_site(settings, env, target.site)
    fingerprint = config_fingerprint(settings, env, target.site, state.holds, links)
    changed: set[str] | None = None
    reason = ""
    if force_full:
        reason = "a full scan was asked for"
    elif state.commit is None:
        reason = "the target has no recorded commit (first sync)"
    elif state.payload_format != PAYLOAD_FORMAT:
        reason = "the payload format changed since the last sync"
    elif state.config_fingerprint != fingerprint:
        reason = (
            "rollout.yaml, the site's audiences or public URLs, rolled-back batches or the way "
            "this kbsync renders payloads changed"
        )
    else:
        changed = vcs.diff_paths(settings.root, state.commit)
        if changed is None:
            reason = (
                f"the recorded commit {state.commit[:12]} is unknown to this repository "
                "(force-push or shallow clone): hashing everything"
            )
    result = DesiredSet()
    if changed is None:
        result.full_scan = True
        result.scan_reason = reason
        paths = _content_files(settings)
        _add_read(result, paths, settings, env, target, rollout, state, check, links)
        result.problems.extend(links.problems())
        return result

    result.full_scan = False
    prefix = settings.content_dir.rstrip("/") + "/"
    changed_content = {
        p for p in changed if p.startswith(prefix) and p.lower().endswith(CONTENT_SUFFIXES)
    }
    result.changed_paths = len(changed_content)
    since = (state.commit or "")[:12]
    result.scan_reason = f"{len(changed_content)} content files changed since {since}"
    # Carry over every item whose file did not change (one per item of the site: kept tight).
    statuses = {batch: _status(state, batch) for batch in {e.batch for e in state.entries.values()}}
    items = result.items
    for item_id, entry in state.entries.items():
        status = statuses[entry.batch]
        if status is not None and entry.path not in changed_content:
            items[item_id] = _carried(item_id, entry, status)
    existing = [settings.root / p for p in sorted(changed_content) if (settings.root / p).exists()]
    _add_read(result, existing, settings, env, target, rollout, state, check, links)
    result.problems.extend(links.problems())
    return result


def _content_files(settings: Settings) -> list[Path]:
    roots = [settings.content_root] if settings.content_root.is_dir() else []
    return list(discover(roots, settings.root))


def _add_read(
    result: DesiredSet,
    paths: list[Path],
    settings: Settings,
    env: EnvironmentConfig,
    target: Target,
    rollout: Rollout,
    state: TargetState,
    check: OutboundCheck | None = None,
    links: SiteLinks | None = None,
) -> None:
    rewrite = links.rewrite if links is not None else None
    for path in paths:
        item, problems = load_file(path, settings.root)
        result.files_read += 1
        if item is None:
            rel = relative_path(path, settings.root)
            why = problems[0].message if problems else "unreadable"
            kept = [i for i, e in sorted(state.entries.items()) if e.path == rel]
            for item_id in kept:
                _carry_over(result, state, item_id)
            if kept:
                why += f"; the site keeps {', '.join(kept)} as last synced until it reads again"
            result.problems.append(f"{rel}: {why}")
            continue
        found = desired_item(
            item,
            target,
            env,
            rollout,
            settings.content_dir,
            state,
            first=lambda key: _read_path(result, key),
            rewrite=rewrite,
            check=check,
        )
        if isinstance(found, Skipped):
            if found.duplicate:
                result.problems.append(f"{item.path}: {found.why}")
        elif isinstance(found, BlockedItem):
            result.items.pop(found.id, None)
            result.blocked[found.id] = found
        elif found is not None:
            result.blocked.pop(found.id, None)
            result.items[found.id] = found


@dataclass(frozen=True)
class Skipped:
    """An item read that the target does not take: `why` says it."""

    why: str
    duplicate: bool = False
    """Its id is taken by an item read before it (reported: the first is kept)."""


def desired_item(
    item: Item,
    target: Target,
    env: EnvironmentConfig,
    rollout: Rollout,
    content_dir: str,
    state: TargetState,
    *,
    first: Callable[[str], str | None],
    rewrite: LinkRewriter | None = None,
    check: OutboundCheck | None = None,
    payload: Payload | None = None,
) -> DesiredItem | BlockedItem | Skipped | None:
    """What one item read means for `target`: the item it should hold, one the payload gate
    holds back, one it does not take (and why), or None (no id, or a batch rolled back by
    delete). The one step every reader of content for a target takes (`plan`, `sync`,
    `kbsync impact`), so they agree on every item.

    Raises the :class:`~pipeline.errors.ConfigError` of an unsafe `id` or `batch` (plan and
    sync refuse such content). `first(id)` is the path of an item read before with that id,
    if any: this one is then a duplicate. `payload`: the caller already has this item's
    payload (the same text and links as an item it checked): not rendered or checked again.
    """
    unsafe = unsafe_id(item)
    if unsafe is not None:
        raise unsafe
    if not item.id:
        return None
    belongs, why = membership(item, target, env, rollout, content_dir)
    if not belongs:
        return Skipped(why)
    other = first(item.id)
    if other is not None and other != item.path:
        return Skipped(f"id {item.id!r} is also used by {other}; kept the first", duplicate=True)
    batch = rollout.batch_for(_content_relative(item.path, content_dir), item.batch)
    batch_id = batch.id if batch else None
    status = _status(state, batch_id)
    if status is None:
        return None
    if payload is None:
        payload, outbound = outbound_for(item, content_dir, rewrite)
        findings = tuple(check(item, outbound)) if check is not None else ()
        if findings:
            return BlockedItem(item.id, item.path, findings)
    return DesiredItem(
        id=item.id,
        path=item.path,
        batch=batch_id,
        hash=payload.content_hash,
        status=status,
        type=payload.type,
        title=payload.title,
        payload=payload,
    )


def _read_path(result: DesiredSet, item_id: str) -> str | None:
    """The path of the item read earlier with `item_id` (not one carried over unread)."""
    found = result.items.get(item_id)
    return found.path if found is not None and found.payload is not None else None


def _carry_over(result: DesiredSet, state: TargetState, item_id: str) -> None:
    """Keep `item_id` as the state records it: its file did not change, or cannot be read (a
    broken edit must never delete what the site holds)."""
    entry = state.entries[item_id]
    status = _status(state, entry.batch)
    if status is not None:
        result.items[item_id] = _carried(item_id, entry, status)


def _carried(item_id: str, entry: Entry, status: str) -> DesiredItem:
    """The desired item of an unchanged file: what the state records, with its status now."""
    return DesiredItem(
        id=item_id,
        path=entry.path,
        batch=entry.batch,
        hash=entry.hash,
        status=status,
        type=entry.type,
        title=entry.title,
    )


def _status(state: TargetState, batch: str | None) -> str | None:
    """Active, or draft for a batch rolled back as draft; None for one rolled back by delete."""
    hold = state.holds.get(batch) if batch is not None else None
    if hold is None:
        return ACTIVE
    return None if hold.mode == "delete" else DRAFT


def _content_relative(path: str, content_dir: str) -> str:
    prefix = content_dir.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path
