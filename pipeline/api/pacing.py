"""Pacing on `X-RateLimit-Remaining` / `X-RateLimit-Reset`: slow down before being refused.

Uppzy does not document its rate-limit headers (uppzy-docs-notes §1.4). Where a response
carries them, the client spends the remaining allowance one request at a time and, once it is
used up, waits for the window's reset instead of sending requests that would be answered 429.
Where they are absent nothing changes: a 429 is still retried with backoff and `Retry-After`.

`X-RateLimit-Reset` is read as seconds from now, or as epoch seconds when it is that large
(both conventions are common).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping

REMAINING_HEADER = "x-ratelimit-remaining"
RESET_HEADER = "x-ratelimit-reset"
_EPOCH_THRESHOLD = 1_000_000_000.0
_SAME_WINDOW = 0.5
"""Resets this close (seconds) belong to one window: answers arriving out of order in it
cannot raise the allowance already spent."""


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


class RateLimitPacer:
    """The allowance the service last announced, shared by every thread of one client."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._remaining: int | None = None
        self._reset_at: float | None = None
        self.waits = 0
        """How often a request waited for a reset (for tests and telemetry)."""

    def observe(self, headers: Mapping[str, str]) -> None:
        """Takes the allowance a response announced (headers matched case-insensitively)."""
        lowered = {key.lower(): value for key, value in headers.items()}
        remaining = _number(lowered.get(REMAINING_HEADER))
        if remaining is None:
            return
        reset = _number(lowered.get(RESET_HEADER))
        now = self._clock()
        reset_at: float | None = None
        if reset is not None:
            seconds = reset - self._wall() if reset >= _EPOCH_THRESHOLD else reset
            reset_at = now + max(seconds, 0.0)
        with self._lock:
            same_window = (
                reset_at is not None
                and self._reset_at is not None
                and abs(reset_at - self._reset_at) < _SAME_WINDOW
            )
            if same_window and self._remaining is not None:
                self._remaining = min(self._remaining, int(remaining))
            else:
                self._remaining = int(remaining)
                self._reset_at = reset_at

    def reserve(self) -> float:
        """Takes one request of the allowance; the seconds to wait first (0 when none)."""
        with self._lock:
            if self._remaining is None:
                return 0.0
            now = self._clock()
            if self._reset_at is not None and now >= self._reset_at:
                self._remaining, self._reset_at = None, None
                return 0.0
            if self._remaining > 0:
                self._remaining -= 1
                return 0.0
            if self._reset_at is None:
                return 0.0  # used up, but no reset announced: leave it to 429 and Retry-After
            # Every request arriving now waits for the reset; the first answer after it
            # announces the new window.
            self.waits += 1
            return self._reset_at - now
