"""What flows between the API client and its callers, independent of any one service's wire format.

Texts (a document's content, a Q&A answer, a chat message or answer) are kept out of `repr()`, so a
stray `log.debug("%r", doc)` cannot leak them.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any, Literal

JsonObject = dict[str, Any]
"""A JSON object whose shape Uppzy does not document (usage, statistics): passed through as is."""

DocumentStatus = Literal["active", "draft"]
Feedback = Literal["good", "bad"]

ACTIVE: DocumentStatus = "active"
DRAFT: DocumentStatus = "draft"


@dataclass(frozen=True)
class TextDocument:
    """A text document to create: article-like content."""

    title: str
    content: str = field(repr=False)
    category: str | None = None

    @property
    def type(self) -> str:
        return "text"


@dataclass(frozen=True)
class QaDocument:
    """A Q&A document to create: a short, deterministic answer to one question."""

    title: str
    question: str = field(repr=False)
    answer: str = field(repr=False)
    category: str | None = None

    @property
    def type(self) -> str:
        return "qa"


@dataclass(frozen=True)
class FileDocument:
    """A file to upload (PDF, Word or plain text); Uppzy titles it after the file name."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str | None = None

    @property
    def type(self) -> str:
        return "file"

    @property
    def title(self) -> str:
        return self.filename

    @property
    def media_type(self) -> str:
        guessed, _ = mimetypes.guess_type(self.filename)
        return self.content_type or guessed or "application/octet-stream"


NewDocument = TextDocument | QaDocument | FileDocument


@dataclass(frozen=True)
class DocumentPatch:
    """Fields to change on one document; `None` leaves a field as it is."""

    title: str | None = None
    content: str | None = field(default=None, repr=False)
    question: str | None = field(default=None, repr=False)
    answer: str | None = field(default=None, repr=False)
    category: str | None = None
    status: DocumentStatus | None = None

    @property
    def is_empty(self) -> bool:
        return all(
            value is None
            for value in (
                self.title,
                self.content,
                self.question,
                self.answer,
                self.category,
                self.status,
            )
        )


@dataclass(frozen=True)
class RemoteDocument:
    """A document as Uppzy holds it. `ready` is None when the service does not say."""

    id: str
    type: str
    title: str
    category: str | None
    status: str
    ready: bool | None
    content: str | None = field(repr=False)
    question: str | None = field(repr=False)
    answer: str | None = field(repr=False)
    created_at: str | None
    updated_at: str | None

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class Quota:
    """Used and allowed amounts of one resource; None where the service does not say."""

    used: int | None
    limit: int | None

    @property
    def remaining(self) -> int | None:
        if self.used is None or self.limit is None:
            return None
        return max(self.limit - self.used, 0)


@dataclass(frozen=True)
class Limits:
    """A tenant's limits: read before a sync so a plan over quota is refused before it writes."""

    documents: Quota
    storage_bytes: Quota
    messages: Quota
    max_upload_bytes: int | None
    raw: JsonObject = field(repr=False)


@dataclass(frozen=True)
class TenantInfo:
    id: str
    name: str | None
    plan: str | None
    raw: JsonObject = field(repr=False)


@dataclass(frozen=True)
class SiteInfo:
    id: str
    tenant_id: str | None
    name: str | None
    raw: JsonObject = field(repr=False)


@dataclass(frozen=True)
class SiteStatistics:
    chats: int | None
    sessions: int | None
    feedback_good: int | None
    feedback_bad: int | None
    documents: int | None
    raw: JsonObject = field(repr=False)


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    status: str | None
    created_at: str | None
    last_message_at: str | None


@dataclass(frozen=True)
class ChatAnswer:
    """A sync chat answer. `confidence_level == "low"` is Uppzy's cue for a fallback."""

    session_id: str
    request_id: str
    answer: str = field(repr=False)
    confidence_level: str | None
    confidence_score: float | None


AsyncState = Literal["pending", "completed", "failed"]


@dataclass(frozen=True)
class AsyncStatus:
    """An async chat request: `pending` until it ends `completed` (with answer) or `failed`."""

    session_id: str | None
    request_id: str
    status: AsyncState
    answer: str | None = field(repr=False)
    error: str | None
    confidence_level: str | None = None
    confidence_score: float | None = None
    raw_status: str = ""

    @property
    def done(self) -> bool:
        return self.status != "pending"


@dataclass(frozen=True)
class FeedbackResult:
    """Uppzy's receipt for feedback; no `submitted_at` means it was already recorded before."""

    status: str
    request_id: str
    feedback: str
    submitted_at: str | None

    @property
    def repeated(self) -> bool:
        return self.submitted_at is None


@dataclass(frozen=True)
class BulkResult:
    """A chunked bulk call: ids sent, what the service reports done (None if it did not say)."""

    requested: int
    affected: int | None
    chunks: int


@dataclass(frozen=True)
class CreateOutcome:
    """The document a create produced, and whether it was adopted after an uncertain failure.

    `patched` means the adopted document's fields differed from the payload and were updated.
    """

    document: RemoteDocument
    adopted: bool
    patched: bool = False
    creates_sent: int = 1
