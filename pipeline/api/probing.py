"""What `kbsync probe` needs of the api layer beyond the client's typed methods.

The probe checks Uppzy's answers against what kbsync assumes, through the same client and wire
module as sync. For that it needs a few things sync never looks at: the raw body, status code
and headers of an answer (:class:`Exchange`, recorded by :meth:`UppzyClient.recording`), how a
listing turned out to page (:class:`pipeline.api.listing.Listing`), the requests that draw Uppzy's documented
error answers (:func:`documented_error_calls`), and a few wire facts read from raw bodies
(a document's status word, the words an error message offers, the rate-limit headers). They
live here so that no request body or wire detail is written outside `pipeline.api`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.api import uppzy
from pipeline.api.models import JsonObject

RATE_LIMIT_HEADERS = (
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
"""The rate-limit headers kbsync reads (Retry-After on a 429; pacing on Remaining/Reset)."""
_RATE_LIMIT_PREFIXES = ("x-ratelimit-", "ratelimit", "x-rate-limit-")
_QUOTED = re.compile(r"""['"`\u2018\u201c]([^'"`\u2019\u201d\s]{1,40})['"`\u2019\u201d]""")


@dataclass(frozen=True)
class Exchange:
    """One answer the client received: which endpoint, its HTTP status, headers and body.

    `body` is the decoded JSON (None when empty or not JSON); it holds values, so it stays in
    memory: the probe keeps only its shape.
    """

    endpoint: str
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: Any = field(repr=False)


class Recording:
    """The exchanges of one :meth:`UppzyClient.recording` block, oldest first."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def of(self, endpoint: str) -> list[Exchange]:
        """The exchanges of `endpoint` (a name in the wire module's endpoint table)."""
        return [item for item in self.exchanges if item.endpoint == endpoint]

    def last(self, endpoint: str) -> Exchange | None:
        found = self.of(endpoint)
        return found[-1] if found else None


@dataclass(frozen=True)
class DocumentedError:
    """An error answer Uppzy documents, and the request that draws it."""

    name: str
    """What is tested (`wrong API key`, …)."""
    status: int
    error: str
    call: uppzy.Call = field(repr=False)
    wrong_key: bool = False
    """Sent with a deliberately wrong API key instead of the environment's."""

    @property
    def endpoint(self) -> str:
        return self.call.endpoint.name

    @property
    def body(self) -> JsonObject:
        """The documented body, exactly."""
        return {"error": self.error}


WRONG_KEY = "kbsync-probe-deliberately-wrong-key"
"""The key sent to draw `401 invalid_api_key` (no real key looks like it)."""
UNKNOWN_REQUEST_ID = "req_00000000000000000000000000000000"
"""A well-formed request id no chat request has (Uppzy's ids are `req_` and 32 hex digits)."""


def documented_error_calls(tenant_id: str, site_id: str, session_id: str) -> list[DocumentedError]:
    """One request per documented error answer (API.md, "Errors"); none changes anything.

    - `401 invalid_api_key`: the limits read (Uppzy's own key check) with a wrong key;
    - `400 session_id is required`: closing a session without naming it;
    - `400 feedback must be 'good' or 'bad'`: a rating that is neither;
    - `404 request not found`: rating a request that does not exist.
    """
    site = {"site_id": site_id}
    return [
        DocumentedError(
            "wrong API key",
            401,
            "invalid_api_key",
            uppzy.tenant_call("limits", tenant_id),
            wrong_key=True,
        ),
        DocumentedError(
            "session close without session_id",
            400,
            "session_id is required",
            uppzy.Call(uppzy.ENDPOINTS["close_session"], site, json={}),
        ),
        DocumentedError(
            "feedback neither good nor bad",
            400,
            "feedback must be 'good' or 'bad'",
            uppzy.feedback_call(site_id, session_id, UNKNOWN_REQUEST_ID, "neutral"),
        ),
        DocumentedError(
            "feedback on an unknown request",
            404,
            "request not found",
            uppzy.feedback_call(site_id, session_id, UNKNOWN_REQUEST_ID, "good"),
        ),
    ]


def document_id(body: Any) -> str | None:
    """The id of the document a create answered with, however it is wrapped; None if none."""
    try:
        return uppzy.object_id(uppzy.unwrap_object(body))
    except uppzy.ShapeError:
        return None


def status_word(body: Any) -> str | None:
    """The raw status word of a document object (before `status_words` maps it)."""
    try:
        value = uppzy.unwrap_object(body).get("status")
    except uppzy.ShapeError:
        return None
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def listed_status_words(bodies: list[Any]) -> dict[str, str]:
    """Document id → raw status word, over listing answers."""
    words: dict[str, str] = {}
    for body in bodies:
        try:
            items = uppzy.unwrap_list(body)
        except uppzy.ShapeError:
            continue
        for item in items:
            doc_id, word = uppzy.object_id(item), status_word(item)
            if doc_id is not None and word is not None:
                words[doc_id] = word
    return words


def listed_items(body: Any) -> list[JsonObject] | None:
    """The objects of one listing answer, bare or wrapped; None when it holds no list."""
    try:
        return uppzy.unwrap_list(body)
    except uppzy.ShapeError:
        return None


def quoted_words(text: str | None) -> list[str]:
    """Words an error message quotes (`status must be 'inactive' or 'published'`), in order."""
    return list(dict.fromkeys(_QUOTED.findall(text or "")))


def rate_limit_headers(headers: Mapping[str, str]) -> list[str]:
    """The rate-limit headers among `headers` (Retry-After, X-RateLimit-*, RateLimit-*)."""
    found = []
    for name in headers:
        lowered = name.lower()
        if lowered == "retry-after" or lowered.startswith(_RATE_LIMIT_PREFIXES):
            found.append(_canonical(name))
    return found


def _canonical(name: str) -> str:
    for known in RATE_LIMIT_HEADERS:
        if known.lower() == name.lower():
            return known
    return "-".join(part[:1].upper() + part[1:] for part in name.lower().split("-"))
