"""When a failed call is tried again, and after how long: API.md's retry classes, run by stamina.

| failure                                   | retried?                                          |
| ----------------------------------------- | ------------------------------------------------- |
| 400, 401, 403, 404, 409, 413, 422         | never: the request, key or ids must change        |
| 429                                       | always (nothing was done); waits `Retry-After`    |
|                                           | capped at `retry_after_cap`, else backoff         |
| 5xx                                       | safely repeatable calls only (or retry_uncertain) |
| connect failure / connect or pool timeout | always: nothing was sent                          |
| read timeout, reset, protocol error       | safely repeatable calls only (or retry_uncertain) |

Backoff is exponential with full jitter: a wait drawn uniformly from 0 to
`min(backoff_max, backoff_initial * 2**(n-1))` before retry *n*. Every call is bounded by
`max_attempts` and by its deadline (`total_timeout`): a retry whose wait would outlast the
deadline is not made.

The decision is taken by :class:`RetryPolicy` and handed to stamina as the wait of its backoff
hook, so stamina runs the loop (and its instrumentation) while the policy stays in one place.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import stamina

from pipeline.api.errors import (
    ApiError,
    AuthError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from pipeline.api.uppzy import CREATE_ENDPOINTS, ENDPOINTS, Endpoint
from pipeline.config import HttpConfig

T = TypeVar("T")

# stamina logs each scheduled retry to "stamina"; the client logs its own, richer event per
# attempt. Like any library, do not let Python's last-resort handler print stamina's to stderr.
logging.getLogger("stamina").addHandler(logging.NullHandler())

NEVER_RETRIED_TRANSPORT = frozenset({"invalid_url", "unsupported_protocol"})


@dataclass(frozen=True)
class RetryDecision:
    """Whether to try again, after how many seconds, and why (for the log)."""

    retry: bool
    wait: float
    reason: str


class Deadline:
    """A point in monotonic time by which a call must be over."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self.started = clock()
        self.expires = self.started + seconds

    def remaining(self) -> float:
        return max(self.expires - self._clock(), 0.0)

    def elapsed(self) -> float:
        return self._clock() - self.started

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0


class RetryPolicy:
    """API.md's retry classes with the backoff settings of one environment."""

    def __init__(self, http: HttpConfig, *, rng: random.Random | None = None) -> None:
        self.max_attempts = max(http.max_attempts, 1)
        self.backoff_initial = max(http.backoff_initial, 0.0)
        self.backoff_max = max(http.backoff_max, 0.0)
        self.retry_after_cap = max(http.retry_after_cap, 0.0)
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()

    def retry_reason(self, exc: ApiError, endpoint: Endpoint, retry_uncertain: bool) -> str | None:
        """Why `exc` may be retried on `endpoint`, or None if it must not be."""
        repeatable = endpoint.repeatable or retry_uncertain
        if isinstance(exc, RateLimitedError):
            return "rate_limited"
        if isinstance(exc, ServerError):
            return "server_error" if repeatable else None
        if isinstance(exc, TransportError):
            if exc.kind in NEVER_RETRIED_TRANSPORT:
                return None
            if not exc.uncertain:
                return exc.kind
            return exc.kind if repeatable else None
        return None

    def backoff(self, retry_number: int) -> float:
        """Full-jitter exponential backoff before retry `retry_number` (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** max(retry_number - 1, 0))
        with self._rng_lock:
            return self._rng.uniform(0.0, ceiling)

    def wait_for(self, exc: ApiError, retry_number: int) -> float:
        """The wait before retry `retry_number`: `Retry-After` (capped) when given, else backoff."""
        if exc.retry_after is not None:
            return min(exc.retry_after, self.retry_after_cap)
        return self.backoff(retry_number)

    def decide(
        self,
        exc: ApiError,
        *,
        endpoint: Endpoint,
        retry_uncertain: bool,
        attempt: int,
        remaining: float,
    ) -> RetryDecision:
        """Whether attempt `attempt`, which failed with `exc`, is followed by another."""
        reason = self.retry_reason(exc, endpoint, retry_uncertain)
        if reason is None:
            return RetryDecision(False, 0.0, "not_retryable")
        if attempt >= self.max_attempts:
            return RetryDecision(False, 0.0, "attempts_exhausted")
        wait = self.wait_for(exc, attempt)
        if wait >= remaining:
            return RetryDecision(False, wait, "deadline")
        return RetryDecision(True, wait, reason)


class RetryState:
    """What the current call's attempts decided; read by the stamina hook between attempts."""

    def __init__(self) -> None:
        self.attempt = 0
        self.decision: RetryDecision | None = None
        self.last_error: ApiError | None = None
        """The failure of the latest attempt: what a deadline that strikes between attempts
        reports as the cause."""

    def hook(self, exc: Exception) -> bool | float:
        """stamina's backoff hook: False to stop, or the seconds to wait before the next try."""
        if isinstance(exc, ApiError):
            self.last_error = exc
        decision = self.decision
        if decision is None or not decision.retry or not isinstance(exc, ApiError):
            return False
        return float(decision.wait)


def run_with_retries(
    attempt_fn: Callable[[int, RetryState], T],
    *,
    policy: RetryPolicy,
    deadline: Deadline,
) -> tuple[T, RetryState]:
    """Call `attempt_fn(attempt_number, state)` until it returns or its failure is final.

    `attempt_fn` records its own :class:`RetryDecision` in `state.decision` before raising; the
    loop, the waits and stamina's instrumentation are stamina's.
    """
    state = RetryState()
    for attempt in stamina.retry_context(
        on=state.hook,
        attempts=policy.max_attempts,
        timeout=deadline.seconds if deadline.seconds > 0 else None,
        wait_initial=policy.backoff_initial,
        wait_max=policy.backoff_max,
        wait_jitter=0.0,
    ):
        with attempt:
            state.attempt += 1
            state.decision = None
            return attempt_fn(state.attempt, state), state
    raise AssertionError("unreachable")  # pragma: no cover


UNSAFE_TO_REPEAT = CREATE_ENDPOINTS | {"chat", "chat_async"}
"""Endpoints whose repeat may do the work twice: never retried when the outcome is uncertain."""


def _samples() -> list[ApiError]:
    """One error of each class a policy must judge (synthetic: nothing is sent)."""
    where = "audit"
    return [
        AuthError("401", status=401, endpoint=where),
        ForbiddenError("403", status=403, endpoint=where),
        NotFoundError("404", status=404, endpoint=where),
        InvalidRequestError("400", status=400, endpoint=where),
        ServerError("503", status=503, endpoint=where),
        TransportError("reset", kind="reset", uncertain=True, endpoint=where),
        TransportError("read", kind="read_timeout", uncertain=True, endpoint=where),
    ]


def policy_problems(policy: RetryPolicy) -> list[str]:
    """Where `policy` would retry what Uppzy's table says never to, over every endpoint: a 4xx,
    or an uncertain failure of a call that is not safely repeatable (for `kbsync doctor`)."""
    problems: list[str] = []
    for name, endpoint in sorted(ENDPOINTS.items()):
        if name in UNSAFE_TO_REPEAT and endpoint.repeatable:
            problems.append(f"the endpoint table marks {name} safely repeatable")
        for exc in _samples():
            if policy.retry_reason(exc, endpoint, retry_uncertain=False) is None:
                continue
            if exc.status is not None and exc.status < 500:
                problems.append(f"{name} retries a {exc.status}")
            elif exc.uncertain and (name in UNSAFE_TO_REPEAT or not endpoint.repeatable):
                problems.append(f"{name} (not safely repeatable) retries {type(exc).__name__}")
    return list(dict.fromkeys(problems))
