"""The sync log: what one target (environment, site) holds, as kbsync last wrote it.

Uppzy assigns document ids and its creates are not idempotent, so this log is what stands between
a retry and a duplicate: `{kbsync id → Uppzy document id, content hash, status}`, the commit the
set came from, and a journal of creates in flight (a create is journalled before it is sent; one
whose id was never recorded is reconciled against the site's listing before anything is created
again).

Every write is a compare-and-swap on `revision`: a write based on a stale state is refused
(:class:`StaleStateError`), so two syncs of one target cannot both apply. A run *claims* the
target with a first write before it sends anything, and releases the claim when it ends; a claim
left by a process that died is taken over (same host: the process is gone; any host: its
heartbeat is older than the lease).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.errors import KbsyncError

STATE_VERSION = 1
CLAIM_LEASE_SECONDS = 300.0


class StateError(KbsyncError):
    """The state store cannot be read or written."""


class StaleStateError(StateError):
    """Someone else wrote this target's state since we read it (another sync is running)."""


class TargetBusyError(StateError):
    """Another live sync holds this target."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Target:
    """One (environment, site) pair: the unit of work, with its own state."""

    environment: str
    site: str
    tenant: str = ""

    @property
    def key(self) -> str:
        return f"{self.environment}/{self.site}"


@dataclass
class Entry:
    """One item as the site holds it."""

    doc_id: str
    hash: str
    status: str  # "active" or "draft"
    type: str
    title: str
    path: str
    batch: str | None = None


@dataclass
class JournalEntry:
    """A create that was sent (or about to be) and whose document id is not yet recorded."""

    type: str
    title: str
    hash: str
    at: str
    question: str = ""
    """For a Q&A: its question (what a listing is matched on)."""


@dataclass
class Claim:
    run: str
    host: str
    pid: int
    at: str

    def is_stale(self, now: dt.datetime | None = None) -> bool:
        if self.host == socket.gethostname() and not _pid_alive(self.pid):
            return True
        seen = dt.datetime.strptime(self.at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        return ((now or dt.datetime.now(dt.UTC)) - seen).total_seconds() > CLAIM_LEASE_SECONDS


@dataclass
class Pause:
    by: str
    at: str
    reason: str


@dataclass
class Hold:
    """A batch rolled back in this target: kept out of the desired set until released."""

    at: str
    by: str
    mode: str  # "draft" or "delete"


@dataclass
class TargetState:
    """The whole sync log of one target."""

    target: Target
    revision: int = 0
    commit: str | None = None
    payload_format: int = 0
    config_fingerprint: str = ""
    entries: dict[str, Entry] = field(default_factory=dict)
    journal: dict[str, JournalEntry] = field(default_factory=dict)
    claim: Claim | None = None
    pause: Pause | None = None
    holds: dict[str, Hold] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    """Results other commands keep with the target (last smoke and eval runs)."""
    updated_at: str = ""
    etag: str = field(default="", compare=False)
    """The store's version marker of what was loaded (the git store's ref commit); not saved."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "target": asdict(self.target),
            "revision": self.revision,
            "commit": self.commit,
            "payload_format": self.payload_format,
            "config_fingerprint": self.config_fingerprint,
            "entries": {k: asdict(v) for k, v in sorted(self.entries.items())},
            "journal": {k: asdict(v) for k, v in sorted(self.journal.items())},
            "claim": asdict(self.claim) if self.claim else None,
            "pause": asdict(self.pause) if self.pause else None,
            "holds": {k: asdict(v) for k, v in sorted(self.holds.items())},
            "records": self.records,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> TargetState:
        try:
            if data.get("version") != STATE_VERSION:
                raise StateError(
                    f"{where}: state version {data.get('version')!r} is not {STATE_VERSION}",
                    hint="upgrade kbsync to the version that wrote it",
                )
            return cls(
                target=Target(**data["target"]),
                revision=int(data["revision"]),
                commit=data.get("commit"),
                payload_format=int(data.get("payload_format", 0)),
                config_fingerprint=str(data.get("config_fingerprint", "")),
                entries={k: Entry(**v) for k, v in data.get("entries", {}).items()},
                journal={k: JournalEntry(**v) for k, v in data.get("journal", {}).items()},
                claim=Claim(**data["claim"]) if data.get("claim") else None,
                pause=Pause(**data["pause"]) if data.get("pause") else None,
                holds={k: Hold(**v) for k, v in data.get("holds", {}).items()},
                records=dict(data.get("records", {})),
                updated_at=str(data.get("updated_at", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(
                f"{where}: not a kbsync state ({exc.__class__.__name__}: {exc})",
                hint="restore it from backup or from the git ref's history",
            ) from None


def new_claim() -> Claim:
    return Claim(
        run=uuid.uuid4().hex[:12], host=socket.gethostname(), pid=os.getpid(), at=now_iso()
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
