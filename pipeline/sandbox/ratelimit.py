"""A fixed-window rate limit for the sandbox, announced the way many APIs do.

Uppzy documents no numbers and no headers (uppzy-docs-notes §1.4); kbsync paces on
`X-RateLimit-Remaining`/`-Reset` where they appear, and the sandbox can send them so that
pacing is tested end to end: every answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining`
and `X-RateLimit-Reset` (seconds until the window resets, with decimals); a request past the
limit is `429 rate limit exceeded` with `Retry-After`.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.errors import UsageError

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*")


@dataclass(frozen=True)
class RateLimit:
    """`requests` per `window` seconds."""

    requests: int
    window: float


def parse_rate_limit(spec: str | None) -> RateLimit | None:
    """``120/60s`` (also ``5/500ms``, ``100/1m``) → RateLimit; None for None or empty."""
    if spec is None or not spec.strip():
        return None
    match = _SPEC.fullmatch(spec)
    if match is None or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise UsageError(
            f"--rate-limit {spec!r} is not REQUESTS/WINDOW",
            hint="e.g. --rate-limit 120/60s (also 5/500ms, 100/1m)",
        )
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(3)]
    return RateLimit(int(match.group(1)), float(match.group(2)) * scale)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]
    retry_after: float


class RateLimiter:
    """Counts requests per fixed window (thread-safe)."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = clock()
        self._used = 0
        self.refused = 0

    def take(self) -> Verdict:
        with self._lock:
            now = self._clock()
            if now - self._window_start >= self.limit.window:
                elapsed = now - self._window_start
                self._window_start += self.limit.window * math.floor(elapsed / self.limit.window)
                self._used = 0
            reset = max(self._window_start + self.limit.window - now, 0.0)
            allowed = self._used < self.limit.requests
            if allowed:
                self._used += 1
            else:
                self.refused += 1
            headers = {
                "X-RateLimit-Limit": str(self.limit.requests),
                "X-RateLimit-Remaining": str(self.limit.requests - self._used),
                "X-RateLimit-Reset": f"{reset:.3f}",
            }
            return Verdict(allowed, headers, reset)
