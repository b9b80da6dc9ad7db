"""The sandbox's storage: one SQLite file (WAL) or memory, safe to share between threads.

One connection guarded by a lock: the app may be served by uvicorn's event loop and called
in-process from other threads at the same time, and every operation here is short. Times are
epoch seconds (floats) from the caller's clock; readiness and async completion are computed
from them when read, so nothing runs in the background.

One file (~650 lines) because it is the sandbox's one database: every table and query shares
the connection, its lock and its schema, and reads best next to each other.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.sandbox.keys import Limits, Scope

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, plan TEXT NOT NULL, limits TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sites (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    site_id TEXT NOT NULL REFERENCES sites(id),
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT,
    status TEXT NOT NULL,
    content TEXT,
    question TEXT,
    answer TEXT,
    filename TEXT,
    content_type TEXT,
    size_bytes INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    indexed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_site ON documents (site_id, seq);
CREATE TABLE IF NOT EXISTS sessions (
    site_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    status TEXT NOT NULL,
    email TEXT,
    created_at REAL NOT NULL,
    last_message_at REAL,
    closed_at REAL,
    messages INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, session_id)
);
CREATE TABLE IF NOT EXISTS chat_requests (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    email TEXT,
    mode TEXT NOT NULL,
    created_at REAL NOT NULL,
    complete_at REAL NOT NULL,
    failed INTEGER NOT NULL,
    answer TEXT NOT NULL,
    confidence_score REAL NOT NULL,
    confidence_level TEXT NOT NULL,
    document_id TEXT,
    feedback TEXT,
    feedback_at REAL
);
CREATE INDEX IF NOT EXISTS chat_requests_by_site ON chat_requests (site_id, created_at);
CREATE INDEX IF NOT EXISTS chat_requests_by_tenant ON chat_requests (tenant_id, created_at);
CREATE TABLE IF NOT EXISTS widget_configs (
    site_id TEXT PRIMARY KEY, config TEXT NOT NULL, updated_at REAL NOT NULL
);
"""


class QuotaExceeded(Exception):
    """A write would take the tenant past a limit; `what` is "documents" or "storage"."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class SessionClosed(Exception):
    """A chat message for a session that was closed."""


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    plan: str
    limits: Limits


@dataclass(frozen=True)
class Site:
    id: str
    tenant_id: str
    name: str


@dataclass(frozen=True)
class Document:
    """A stored document; `indexed_at` is when its searchable content last changed."""

    id: str
    site_id: str
    type: str
    title: str
    category: str | None
    status: str
    content: str | None
    question: str | None
    answer: str | None
    filename: str | None
    content_type: str | None
    size_bytes: int
    created_at: float
    updated_at: float
    indexed_at: float


@dataclass(frozen=True)
class Session:
    site_id: str
    session_id: str
    status: str
    email: str | None
    created_at: float
    last_message_at: float | None
    closed_at: float | None
    messages: int


@dataclass(frozen=True)
class ChatRequest:
    id: str
    site_id: str
    tenant_id: str
    session_id: str
    email: str | None
    mode: str
    created_at: float
    complete_at: float
    failed: bool
    answer: str
    confidence_score: float
    confidence_level: str
    document_id: str | None
    feedback: str | None
    feedback_at: float | None


@dataclass(frozen=True)
class Activity:
    """Counts behind the statistics endpoints."""

    chats: int
    sessions: int
    good: int
    bad: int
    low_confidence: int
    last_message_at: float | None


_DOCUMENT_COLUMNS = (
    "id, site_id, type, title, category, status, content, question, answer, filename, "
    "content_type, size_bytes, created_at, updated_at, indexed_at"
)
_REQUEST_COLUMNS = (
    "id, site_id, tenant_id, session_id, email, mode, created_at, complete_at, failed, answer, "
    "confidence_score, confidence_level, document_id, feedback, feedback_at"
)
_SESSION_COLUMNS = (
    "site_id, session_id, status, email, created_at, last_message_at, closed_at, messages"
)


class Store:
    """All reads and writes of the sandbox's state."""

    def __init__(self, path: Path | str | None) -> None:
        self.path = None if path is None else Path(path)
        target = ":memory:" if self.path is None else str(self.path)
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(target, check_same_thread=False, timeout=10.0)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise ConfigError(
                f"cannot create the sandbox database: {exc}",
                path=self.path,
                hint="pass a writable --db path",
            ) from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._prepare()
        except BaseException:
            self._conn.close()
            raise
        self._lock = threading.RLock()

    def _prepare(self) -> None:
        try:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise ConfigError(
                    f"sandbox database has schema version {version}, expected {SCHEMA_VERSION}",
                    path=self.path,
                    hint="delete the file or pass another --db",
                )
            if self.path is not None:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"cannot open the sandbox database: {exc}",
                path=self.path,
                hint="pass --db a sandbox SQLite file (or a new path)",
            ) from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- tenants and sites -------------------------------------------------------------------

    def ensure_scope(self, scope: Scope) -> None:
        """Create or refresh the tenant and sites a key (or the open mode) names.

        Names default to the ids; a name given by one key is not undone by another key of the
        same tenant that gives none.
        """
        limits = json.dumps(scope.limits.__dict__, sort_keys=True)
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO tenants (id, name, plan, limits) VALUES (?, COALESCE(?, ?), ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = COALESCE(?, name), plan = excluded.plan, "
                "limits = excluded.limits",
                (
                    scope.tenant_id,
                    scope.tenant_name,
                    scope.tenant_id,
                    scope.plan,
                    limits,
                    scope.tenant_name,
                ),
            )
            for site_id in scope.site_ids:
                name = scope.site_names.get(site_id)
                self._conn.execute(
                    "INSERT INTO sites (id, tenant_id, name) VALUES (?, ?, COALESCE(?, ?)) "
                    "ON CONFLICT(id) DO UPDATE SET tenant_id = excluded.tenant_id, "
                    "name = COALESCE(?, name)",
                    (site_id, scope.tenant_id, name, site_id, name),
                )

    def tenant(self, tenant_id: str) -> Tenant | None:
        row = self._one("SELECT id, name, plan, limits FROM tenants WHERE id = ?", (tenant_id,))
        if row is None:
            return None
        return Tenant(row["id"], row["name"], row["plan"], Limits(**json.loads(row["limits"])))

    def site(self, site_id: str) -> Site | None:
        row = self._one("SELECT id, tenant_id, name FROM sites WHERE id = ?", (site_id,))
        return None if row is None else Site(row["id"], row["tenant_id"], row["name"])

    def sites_of(self, tenant_id: str) -> list[Site]:
        rows = self._all(
            "SELECT id, tenant_id, name FROM sites WHERE tenant_id = ? ORDER BY id", (tenant_id,)
        )
        return [Site(r["id"], r["tenant_id"], r["name"]) for r in rows]

    # -- widget ------------------------------------------------------------------------------

    def widget_config(self, site_id: str) -> tuple[dict[str, Any], float] | None:
        """The fields stored for a site's widget and when they changed; None if never set."""
        row = self._one(
            "SELECT config, updated_at FROM widget_configs WHERE site_id = ?", (site_id,)
        )
        return None if row is None else (json.loads(row["config"]), row["updated_at"])

    def set_widget_config(self, site_id: str, config: dict[str, Any], now: float) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO widget_configs (site_id, config, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(site_id) DO UPDATE SET config = excluded.config, "
                "updated_at = excluded.updated_at",
                (site_id, json.dumps(config, sort_keys=True), now),
            )

    # -- documents ---------------------------------------------------------------------------

    def add_document(self, document: Document, tenant_id: str, limits: Limits) -> None:
        """Insert a document unless the tenant's document or storage quota forbids it."""
        with self._lock, self._conn:
            count, storage = self.tenant_usage(tenant_id)
            if count + 1 > limits.documents:
                raise QuotaExceeded("documents")
            if storage + document.size_bytes > limits.storage_bytes:
                raise QuotaExceeded("storage")
            self._conn.execute(
                f"INSERT INTO documents ({_DOCUMENT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _document_values(document),
            )

    def replace_document(self, document: Document, tenant_id: str, limits: Limits) -> None:
        """Store a changed document unless its growth passes the tenant's storage quota."""
        with self._lock, self._conn:
            before = self.document(document.site_id, document.id)
            _, storage = self.tenant_usage(tenant_id)
            growth = document.size_bytes - (before.size_bytes if before else 0)
            if growth > 0 and storage + growth > limits.storage_bytes:
                raise QuotaExceeded("storage")
            self._conn.execute(
                "UPDATE documents SET type = ?, title = ?, category = ?, status = ?, content = ?, "
                "question = ?, answer = ?, filename = ?, content_type = ?, size_bytes = ?, "
                "created_at = ?, updated_at = ?, indexed_at = ? WHERE id = ? AND site_id = ?",
                (*_document_values(document)[2:], document.id, document.site_id),
            )

    def document(self, site_id: str, document_id: str) -> Document | None:
        row = self._one(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE site_id = ? AND id = ?",
            (site_id, document_id),
        )
        return None if row is None else _document(row)

    def documents(
        self, site_id: str, *, offset: int = 0, limit: int | None = None
    ) -> tuple[list[Document], int]:
        """One page of a site's documents in creation order, and the site's total."""
        with self._lock:
            total = self._conn.execute(
                "SELECT COUNT(*) FROM documents WHERE site_id = ?", (site_id,)
            ).fetchone()[0]
            rows = self._conn.execute(
                f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE site_id = ? "
                "ORDER BY seq LIMIT ? OFFSET ?",
                (site_id, -1 if limit is None else limit, offset),
            ).fetchall()
        return [_document(row) for row in rows], int(total)

    def active_documents(self, site_id: str) -> list[Document]:
        rows = self._all(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE site_id = ? AND status = 'active' "
            "ORDER BY seq",
            (site_id,),
        )
        return [_document(row) for row in rows]

    def tenant_usage(self, tenant_id: str) -> tuple[int, int]:
        """(documents, storage bytes) held by all of a tenant's sites."""
        row = self._one(
            "SELECT COUNT(d.id), COALESCE(SUM(d.size_bytes), 0) FROM documents d "
            "JOIN sites s ON s.id = d.site_id WHERE s.tenant_id = ?",
            (tenant_id,),
        )
        assert row is not None
        return int(row[0]), int(row[1])

    def set_status(self, site_id: str, ids: Sequence[str], status: str, now: float) -> int:
        """Set the status of the site's documents among `ids`; unknown ids are ignored."""
        found = 0
        with self._lock, self._conn:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                marks = ",".join("?" * len(chunk))
                found += self._conn.execute(
                    f"UPDATE documents SET updated_at = CASE WHEN status = ? THEN updated_at "
                    f"ELSE ? END, status = ? WHERE site_id = ? AND id IN ({marks})",
                    (status, now, status, site_id, *chunk),
                ).rowcount
        return found

    def delete_documents(self, site_id: str, ids: Sequence[str]) -> int:
        """Delete the site's documents among `ids`; unknown ids are ignored."""
        deleted = 0
        with self._lock, self._conn:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                marks = ",".join("?" * len(chunk))
                deleted += self._conn.execute(
                    f"DELETE FROM documents WHERE site_id = ? AND id IN ({marks})",
                    (site_id, *chunk),
                ).rowcount
        return deleted

    # -- sessions and chat -------------------------------------------------------------------

    def session(self, site_id: str, session_id: str) -> Session | None:
        row = self._one(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE site_id = ? AND session_id = ?",
            (site_id, session_id),
        )
        return None if row is None else _session(row)

    def sessions(self, site_id: str, email: str | None = None) -> list[Session]:
        if email is None:
            rows = self._all(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE site_id = ? "
                "ORDER BY created_at, session_id",
                (site_id,),
            )
        else:
            rows = self._all(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE site_id = ? AND email = ? "
                "ORDER BY created_at, session_id",
                (site_id, email.lower()),
            )
        return [_session(row) for row in rows]

    def add_chat_request(self, request: ChatRequest) -> None:
        """Record a chat request and count it on its session (opened on first use).

        Raises :class:`SessionClosed` (and records nothing) if the session was closed.
        """
        email = request.email.lower() if request.email else None
        with self._lock, self._conn:
            closed = self._conn.execute(
                "SELECT 1 FROM sessions WHERE site_id = ? AND session_id = ? AND status = 'closed'",
                (request.site_id, request.session_id),
            ).fetchone()
            if closed is not None:
                raise SessionClosed(request.session_id)
            self._conn.execute(
                "INSERT INTO sessions (site_id, session_id, status, email, created_at, "
                "last_message_at, messages) VALUES (?, ?, 'open', ?, ?, ?, 1) "
                "ON CONFLICT(site_id, session_id) DO UPDATE SET "
                "last_message_at = excluded.last_message_at, messages = messages + 1, "
                "email = COALESCE(excluded.email, email)",
                (
                    request.site_id,
                    request.session_id,
                    email,
                    request.created_at,
                    request.created_at,
                ),
            )
            self._conn.execute(
                f"INSERT INTO chat_requests ({_REQUEST_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.id,
                    request.site_id,
                    request.tenant_id,
                    request.session_id,
                    email,
                    request.mode,
                    request.created_at,
                    request.complete_at,
                    int(request.failed),
                    request.answer,
                    request.confidence_score,
                    request.confidence_level,
                    request.document_id,
                    request.feedback,
                    request.feedback_at,
                ),
            )

    def close_session(self, site_id: str, session_id: str, now: float) -> None:
        """Close a session (idempotent); an unknown session is recorded as closed."""
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO sessions (site_id, session_id, status, created_at, closed_at) "
                "VALUES (?, ?, 'closed', ?, ?) ON CONFLICT(site_id, session_id) DO UPDATE SET "
                "status = 'closed', closed_at = COALESCE(closed_at, excluded.closed_at)",
                (site_id, session_id, now, now),
            )

    def chat_request(self, site_id: str, request_id: str) -> ChatRequest | None:
        row = self._one(
            f"SELECT {_REQUEST_COLUMNS} FROM chat_requests WHERE site_id = ? AND id = ?",
            (site_id, request_id),
        )
        return None if row is None else _chat_request(row)

    def set_feedback(self, request_id: str, feedback: str, now: float) -> bool:
        """Record a rating; True when it is the first one (the timestamp is kept from then)."""
        with self._lock, self._conn:
            first = self._conn.execute(
                "SELECT feedback_at IS NULL FROM chat_requests WHERE id = ?", (request_id,)
            ).fetchone()[0]
            self._conn.execute(
                "UPDATE chat_requests SET feedback = ?, "
                "feedback_at = COALESCE(feedback_at, ?) WHERE id = ?",
                (feedback, now, request_id),
            )
        return bool(first)

    def messages_between(self, tenant_id: str, start: float, end: float) -> int:
        row = self._one(
            "SELECT COUNT(*) FROM chat_requests WHERE tenant_id = ? "
            "AND created_at >= ? AND created_at < ?",
            (tenant_id, start, end),
        )
        assert row is not None
        return int(row[0])

    def message_times(self, tenant_id: str) -> list[float]:
        rows = self._all(
            "SELECT created_at FROM chat_requests WHERE tenant_id = ? ORDER BY created_at",
            (tenant_id,),
        )
        return [float(row[0]) for row in rows]

    def document_times(self, tenant_id: str) -> list[float]:
        rows = self._all(
            "SELECT d.created_at FROM documents d JOIN sites s ON s.id = d.site_id "
            "WHERE s.tenant_id = ? ORDER BY d.created_at",
            (tenant_id,),
        )
        return [float(row[0]) for row in rows]

    def activity(
        self, site_ids: Iterable[str], *, email: str | None = None, low_level: str = "low"
    ) -> Activity:
        """Chats, sessions and feedback over some sites (optionally one user's)."""
        ids = list(site_ids)
        if not ids:
            return Activity(0, 0, 0, 0, 0, None)
        marks = ",".join("?" * len(ids))
        user = "" if email is None else " AND email = ?"
        params: tuple[Any, ...] = (*ids, *(() if email is None else (email.lower(),)))
        with self._lock:
            chats = self._conn.execute(
                "SELECT COUNT(*), "
                "COALESCE(SUM(feedback = 'good'), 0), COALESCE(SUM(feedback = 'bad'), 0), "
                "COALESCE(SUM(confidence_level = ?), 0), MAX(created_at) "
                f"FROM chat_requests WHERE site_id IN ({marks}){user}",
                (low_level, *params),
            ).fetchone()
            sessions = self._conn.execute(
                f"SELECT COUNT(*) FROM sessions WHERE site_id IN ({marks}){user}", params
            ).fetchone()[0]
        return Activity(
            chats=int(chats[0]),
            sessions=int(sessions),
            good=int(chats[1]),
            bad=int(chats[2]),
            low_confidence=int(chats[3]),
            last_message_at=None if chats[4] is None else float(chats[4]),
        )

    def count_documents(self, site_id: str, *, status: str | None = None) -> int:
        if status is None:
            row = self._one("SELECT COUNT(*) FROM documents WHERE site_id = ?", (site_id,))
        else:
            row = self._one(
                "SELECT COUNT(*) FROM documents WHERE site_id = ? AND status = ?",
                (site_id, status),
            )
        assert row is not None
        return int(row[0])

    # -- helpers -----------------------------------------------------------------------------

    def _one(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def _all(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _document_values(d: Document) -> tuple[Any, ...]:
    return (
        d.id,
        d.site_id,
        d.type,
        d.title,
        d.category,
        d.status,
        d.content,
        d.question,
        d.answer,
        d.filename,
        d.content_type,
        d.size_bytes,
        d.created_at,
        d.updated_at,
        d.indexed_at,
    )


def _document(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        site_id=row["site_id"],
        type=row["type"],
        title=row["title"],
        category=row["category"],
        status=row["status"],
        content=row["content"],
        question=row["question"],
        answer=row["answer"],
        filename=row["filename"],
        content_type=row["content_type"],
        size_bytes=int(row["size_bytes"]),
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
        indexed_at=float(row["indexed_at"]),
    )


def _session(row: sqlite3.Row) -> Session:
    return Session(
        site_id=row["site_id"],
        session_id=row["session_id"],
        status=row["status"],
        email=row["email"],
        created_at=float(row["created_at"]),
        last_message_at=None if row["last_message_at"] is None else float(row["last_message_at"]),
        closed_at=None if row["closed_at"] is None else float(row["closed_at"]),
        messages=int(row["messages"]),
    )


def _chat_request(row: sqlite3.Row) -> ChatRequest:
    return ChatRequest(
        id=row["id"],
        site_id=row["site_id"],
        tenant_id=row["tenant_id"],
        session_id=row["session_id"],
        email=row["email"],
        mode=row["mode"],
        created_at=float(row["created_at"]),
        complete_at=float(row["complete_at"]),
        failed=bool(row["failed"]),
        answer=row["answer"],
        confidence_score=float(row["confidence_score"]),
        confidence_level=row["confidence_level"],
        document_id=row["document_id"],
        feedback=row["feedback"],
        feedback_at=None if row["feedback_at"] is None else float(row["feedback_at"]),
    )
