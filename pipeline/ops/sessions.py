"""Stable, opaque chat session ids from a session strategy (never a raw e-mail).

Uppzy's session id is chosen by the caller. A strategy says what a session stands for:

- `per-visitor` — one anonymous visitor (a browser);
- `per-user` — one signed-in user, across devices;
- `per-thread` — one support thread or ticket;
- `per-channel` — one channel (web, e-mail, chat app) of one user.

The id is `kb-<strategy>-<24 hex>`: a keyed hash of the caller's key (a visitor id, a user's
e-mail, a ticket number), so the same key always gives the same session, and the session id
never reveals the key.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from pipeline.errors import UsageError

STRATEGIES = ("per-visitor", "per-user", "per-thread", "per-channel")
_SHORT = {"per-visitor": "v", "per-user": "u", "per-thread": "t", "per-channel": "c"}


def session_id(strategy: str | None, key: str | None, *, namespace: str = "kbsync") -> str:
    """The session id for `key` under `strategy` (a fresh random visitor when `key` is None)."""
    strategy = strategy or "per-visitor"
    if strategy not in STRATEGIES:
        raise UsageError(
            f"unknown session strategy {strategy!r} (use {', '.join(STRATEGIES)})",
            hint="set session_strategy in the environment's table of kbsync.toml",
        )
    if key is None:
        key = uuid.uuid4().hex
    digest = hmac.new(namespace.encode(), f"{strategy}:{key.strip().lower()}".encode(),
                      hashlib.sha256).hexdigest()  # fmt: skip
    return f"kb-{_SHORT[strategy]}-{digest[:24]}"
