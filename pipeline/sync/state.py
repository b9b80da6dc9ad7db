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

import dataclasses
import datetime as dt
import itertools
import os
import socket
import typing
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.errors import KbsyncError
from pipeline.ids import is_safe_id, shown
from pipeline.targets import Target

STATE_VERSION = 1
CLAIM_LEASE_SECONDS = 300.0
_ENTRY_STATUSES = ("active", "draft")


class StateError(KbsyncError):
    """The state store cannot be read or written."""


class StaleStateError(StateError):
    """Someone else wrote this target's state since we read it (another sync is running)."""


class TargetBusyError(StateError):
    """Another live sync holds this target."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    def from_json(cls, data: Any, where: str) -> TargetState:
        """The state in `data` (parsed JSON), checked field by field: a file of another shape,
        type or version is one :class:`StateError` naming it and how to recover."""
        if not isinstance(data, dict):
            raise not_a_state(where, f"it holds a JSON {_json_type(data)}, not an object")
        if data.get("version") != STATE_VERSION:
            raise StateError(
                f"{where}: state version {shown(data.get('version'))} is not {STATE_VERSION}",
                hint="upgrade kbsync to the version that wrote it",
            )
        try:
            target = _record(Target, data.get("target"), "target")
            if not is_safe_id(target.environment) or not is_safe_id(target.site):
                raise ValueError("target: environment and site must be safe identifiers")
            claim = _record(Claim, data["claim"], "claim") if data.get("claim") else None
            if claim is not None:
                dt.datetime.strptime(claim.at, "%Y-%m-%dT%H:%M:%SZ")
            records = _typed(data.get("records", {}), dict, "records")
            entries = _records(Entry, data.get("entries", {}), "entries")
            holds = _records(Hold, data.get("holds", {}), "holds")
            owners: dict[str, str] = {}
            for key, entry in entries.items():
                if entry.status not in _ENTRY_STATUSES:
                    _one_of(entry.status, _ENTRY_STATUSES, f"entries.{shown(key)}.status")
                if entry.doc_id and entry.doc_id in owners:
                    # Each would overwrite the other's document, and one item's own would be lost.
                    raise ValueError(
                        f"entries {shown(owners[entry.doc_id])} and {shown(key)} both hold "
                        f"document {shown(entry.doc_id)}"
                    )
                owners[entry.doc_id] = key
            for key, hold in holds.items():
                _one_of(hold.mode, ("draft", "delete"), f"holds.{shown(key)}.mode")
            return cls(
                target=target,
                revision=_typed(data.get("revision"), int, "revision"),
                commit=_typed(data.get("commit"), str | None, "commit"),
                payload_format=_typed(data.get("payload_format", 0), int, "payload_format"),
                config_fingerprint=_typed(
                    data.get("config_fingerprint", ""), str, "config_fingerprint"
                ),
                entries=entries,
                journal=_records(JournalEntry, data.get("journal", {}), "journal"),
                claim=claim,
                pause=_record(Pause, data["pause"], "pause") if data.get("pause") else None,
                holds=holds,
                records=dict(records),
                updated_at=_typed(data.get("updated_at", ""), str, "updated_at"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise not_a_state(where, str(exc)) from None


def not_a_state(where: str, why: str) -> StateError:
    return StateError(
        f"{where}: cannot read the sync state: {why}",
        hint="restore it from a backup (the git store keeps every version in the ref's log); "
        "or move it aside and run `kbsync sync --adopt`, which takes over the documents the "
        "site already holds instead of creating them again",
    )


def _json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _typed(value: Any, kind: Any, name: str) -> Any:
    """`value` if it is of `kind` (a type, a union, or a tuple of types; `bool` is not an
    `int` here)."""
    kinds = kind if isinstance(kind, tuple) else typing.get_args(kind) or (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise ValueError(f"{name}: a boolean where {_kind_name(kinds)} belongs")
    if not isinstance(value, tuple(kinds)):
        raise ValueError(f"{name}: a JSON {_json_type(value)} where {_kind_name(kinds)} belongs")
    return value


def _one_of(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name}: {shown(value)} is not one of {', '.join(allowed)}")


def _kind_name(kinds: tuple[Any, ...]) -> str:
    names = {str: "a string", int: "a whole number", dict: "an object", type(None): "null"}
    return " or ".join(names.get(k, getattr(k, "__name__", str(k))) for k in kinds)


_Record = typing.TypeVar("_Record")


def _record(cls: type[_Record], value: Any, name: str) -> _Record:
    """A dataclass from a JSON object whose fields all have the annotated types (the field
    by field path, naming what is wrong; :func:`_records` tries :func:`_as_written` first)."""
    _typed(value, dict, name)
    hints, fields, _ = _schema(cls)
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ValueError(f"{name}: unknown field {shown(unknown[0])}")
    for key, fld in fields.items():
        if key in value:
            _typed(value[key], hints[key], f"{name}.{key}")
        elif fld.default is dataclasses.MISSING and fld.default_factory is dataclasses.MISSING:
            raise ValueError(f"{name}: missing field {key!r}")
    return cls(**value)


def _as_written(cls: type[Any], value: Any) -> bool:
    """Whether `value` is a record of `cls` exactly as kbsync writes one: a plain JSON object
    holding every field, in the class's order, each of a type the field admits.

    The checks of :func:`_record`, answered in one step for the common case (a state holds
    thousands of records, and checking each field by name made loading it cost more than
    planning a small change); anything else — a field missing, unknown, out of order, or of
    another type — takes the field-by-field path, which names what is wrong.
    """
    if type(value) is not dict:
        return False
    order, written = _schema(cls)[2]
    return tuple(value) == order and tuple(map(type, value.values())) in written


_Schema = tuple[
    dict[str, tuple[Any, ...]],
    dict[str, dataclasses.Field[Any]],
    tuple[tuple[str, ...], frozenset[tuple[type, ...]]],
]
_SCHEMAS: dict[object, _Schema] = {}


def _schema(cls: type[Any]) -> _Schema:
    """A record class's field types (each as a tuple of the types it admits), its fields, and
    the shape of a record as kbsync writes it (field order, every admitted combination of exact
    types), worked out once (a state holds thousands of records)."""
    if cls not in _SCHEMAS:
        kinds = {
            key: typing.get_args(hint) or (hint,)
            for key, hint in typing.get_type_hints(cls).items()
        }
        fields = {f.name: f for f in dataclasses.fields(cls)}
        order = tuple(fields)
        written = frozenset(itertools.product(*(_exact_types(kinds[key]) for key in order)))
        _SCHEMAS[cls] = kinds, fields, (order, written)
    return _SCHEMAS[cls]


def _exact_types(kinds: tuple[Any, ...]) -> tuple[type, ...]:
    """The exact classes JSON decoding gives for values of `kinds` (`bool` is not an `int`
    here, as in :func:`_typed`)."""
    return tuple(kind for kind in kinds if isinstance(kind, type))


def _records(cls: type[_Record], value: Any, name: str) -> dict[str, _Record]:
    """Each record of the object `value`, checked as :func:`_record` does."""
    _typed(value, dict, name)
    out: dict[str, _Record] = {}
    for key, item in value.items():
        if _as_written(cls, item):
            out[key] = cls(**item)
        else:
            out[key] = _record(cls, item, f"{name}.{shown(key)}")
    return out


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
