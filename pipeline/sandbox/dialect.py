"""Dialects: the ways the sandbox can answer where Uppzy's docs are silent (API.md "assumed").

kbsync must read Uppzy whichever way it turns out to page its document listing and to name
document statuses, so the sandbox can speak each way and tests prove the tolerance end to end:

- `page` (the default, API.md's assumption): ``?page=&per_page=`` (≤100, default 50) →
  ``{"documents": […], "page", "per_page", "total"}``.
- `offset`: ``?offset=&limit=`` (≤100, default 20), ``page`` ignored →
  ``{"data": […], "offset", "limit", "total"}``.
- `cursor`: ``?cursor=&limit=`` (≤100, default 20), ``page`` ignored →
  ``{"data": […], "next_cursor": "<opaque>" | null}`` (no total).

Status words: the documents' ``status`` is written with the dialect's words (e.g. ``published``
/ ``inactive``), and bulk-status, update and create accept only those words.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import UsageError

DIALECTS = ("page", "offset", "cursor")
STATUSES = ("active", "draft")


@dataclass(frozen=True)
class Dialect:
    """How this sandbox pages its listing, and its words for `active` and `draft`."""

    paging: str = "page"
    status_words: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.paging not in DIALECTS:
            raise UsageError(
                f"unknown sandbox dialect {self.paging!r}", hint=f"use one of {', '.join(DIALECTS)}"
            )
        for status, word in self.status_words.items():
            if status not in STATUSES:
                raise UsageError(
                    f"unknown status {status!r} in the sandbox's status words",
                    hint="map active and draft, e.g. active=published,draft=inactive",
                )
            if not word.strip():
                raise UsageError(f"the sandbox's word for {status} is empty")
        if self.word("active") == self.word("draft"):
            raise UsageError("the sandbox's words for active and draft must differ")

    def word(self, status: str) -> str:
        """The wire word for the stored status (`active`, `draft`)."""
        return self.status_words.get(status, status)

    def status_of(self, word: Any) -> str | None:
        """The stored status a wire word means; None when the word is not this dialect's."""
        for status in STATUSES:
            if word == self.word(status):
                return status
        return None

    @property
    def words(self) -> tuple[str, str]:
        return self.word("draft"), self.word("active")


def parse_status_words(spec: str | None) -> dict[str, str]:
    """``active=published,draft=inactive`` → ``{"active": "published", "draft": "inactive"}``."""
    words: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        status, sep, word = part.partition("=")
        if not sep or not word.strip():
            raise UsageError(
                f"--status-words: {part.strip()!r} is not STATUS=WORD",
                hint="e.g. --status-words active=published,draft=inactive",
            )
        words[status.strip()] = word.strip()
    return words


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"kbsync-sandbox:{offset}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> int | None:
    """The offset a cursor stands for; None when it is not one this sandbox issued."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = raw.partition(":")
    if prefix != "kbsync-sandbox" or not number.isdigit():
        return None
    return int(number)
