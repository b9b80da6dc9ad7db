"""The retry policy: API.md's classes, backoff bounds, Retry-After cap, attempts and deadline."""

from __future__ import annotations

import random

import pytest

from pipeline.api import uppzy
from pipeline.api.errors import ApiError, TransportError, error_for_status
from pipeline.api.retry import Deadline, RetryPolicy, RetryState, run_with_retries
from pipeline.config import HttpConfig

READ = uppzy.ENDPOINTS["list_documents"]
PATCH = uppzy.ENDPOINTS["update_document"]
CREATE = uppzy.ENDPOINTS["create_text_document"]
CHAT = uppzy.ENDPOINTS["chat"]


def policy(**overrides: float) -> RetryPolicy:
    settings = {"backoff_initial": 0.5, "backoff_max": 8.0, "retry_after_cap": 60.0}
    settings.update(overrides)
    return RetryPolicy(HttpConfig(**settings), rng=random.Random(7))  # type: ignore[arg-type]


def status(code: int, retry_after: float | None = None) -> ApiError:
    return error_for_status(code, endpoint="x", error=None, retry_after=retry_after)


def transport(kind: str, uncertain: bool) -> TransportError:
    return TransportError("t", kind=kind, uncertain=uncertain, endpoint="x")


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 413, 422])
@pytest.mark.parametrize("endpoint", [READ, PATCH, CREATE, CHAT])
def test_client_errors_are_never_retried(code: int, endpoint: uppzy.Endpoint) -> None:
    decision = policy().decide(
        status(code), endpoint=endpoint, retry_uncertain=True, attempt=1, remaining=100
    )
    assert not decision.retry
    assert decision.reason == "not_retryable"


@pytest.mark.parametrize("endpoint", [READ, PATCH, CREATE, CHAT])
def test_429_is_retried_everywhere_because_nothing_was_done(endpoint: uppzy.Endpoint) -> None:
    decision = policy().decide(
        status(429), endpoint=endpoint, retry_uncertain=False, attempt=1, remaining=100
    )
    assert decision.retry and decision.reason == "rate_limited"


@pytest.mark.parametrize(
    ("endpoint", "retry_uncertain", "retried"),
    [
        (READ, False, True),
        (PATCH, False, True),
        (CREATE, False, False),
        (CHAT, False, False),
        (CHAT, True, True),
    ],
)
@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_5xx_only_for_safely_repeatable_calls(
    code: int, endpoint: uppzy.Endpoint, retry_uncertain: bool, retried: bool
) -> None:
    decision = policy().decide(
        status(code), endpoint=endpoint, retry_uncertain=retry_uncertain, attempt=1, remaining=100
    )
    assert decision.retry is retried


@pytest.mark.parametrize("kind", ["connect", "connect_timeout", "pool_timeout"])
@pytest.mark.parametrize("endpoint", [READ, CREATE, CHAT])
def test_connect_failures_are_always_retried(kind: str, endpoint: uppzy.Endpoint) -> None:
    decision = policy().decide(
        transport(kind, uncertain=False),
        endpoint=endpoint,
        retry_uncertain=False,
        attempt=1,
        remaining=100,
    )
    assert decision.retry


@pytest.mark.parametrize("kind", ["read_timeout", "reset", "write_timeout"])
@pytest.mark.parametrize(
    ("endpoint", "retry_uncertain", "retried"),
    [(READ, False, True), (PATCH, False, True), (CREATE, False, False), (CHAT, False, False)],
)
def test_timeouts_and_resets_only_for_safely_repeatable_calls(
    kind: str, endpoint: uppzy.Endpoint, retry_uncertain: bool, retried: bool
) -> None:
    decision = policy().decide(
        transport(kind, uncertain=True),
        endpoint=endpoint,
        retry_uncertain=retry_uncertain,
        attempt=1,
        remaining=100,
    )
    assert decision.retry is retried


def test_an_invalid_url_is_not_retried() -> None:
    decision = policy().decide(
        transport("invalid_url", uncertain=False),
        endpoint=READ,
        retry_uncertain=False,
        attempt=1,
        remaining=100,
    )
    assert not decision.retry


def test_attempts_are_bounded() -> None:
    p = RetryPolicy(HttpConfig(max_attempts=3))
    assert p.decide(
        status(503), endpoint=READ, retry_uncertain=False, attempt=2, remaining=99
    ).retry
    last = p.decide(status(503), endpoint=READ, retry_uncertain=False, attempt=3, remaining=99)
    assert (last.retry, last.reason) == (False, "attempts_exhausted")


def test_a_wait_that_would_outlast_the_deadline_stops_the_retries() -> None:
    decision = policy().decide(
        status(429, retry_after=5), endpoint=READ, retry_uncertain=False, attempt=1, remaining=4
    )
    assert (decision.retry, decision.reason, decision.wait) == (False, "deadline", 5)


def test_retry_after_is_honoured_and_capped() -> None:
    p = policy(retry_after_cap=2.0)
    assert p.wait_for(status(429, retry_after=1.5), 1) == 1.5
    assert p.wait_for(status(429, retry_after=600), 1) == 2.0
    assert p.wait_for(status(429, retry_after=0), 3) == 0


def test_backoff_is_full_jitter_below_an_exponential_ceiling() -> None:
    p = policy(backoff_initial=0.5, backoff_max=3.0)
    for retry_number, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        waits = [p.backoff(retry_number) for _ in range(300)]
        assert all(0.0 <= wait <= ceiling for wait in waits)
        # Full jitter: the waits spread over the whole range, not just its top.
        assert min(waits) < ceiling * 0.2 and max(waits) > ceiling * 0.8


def test_run_with_retries_counts_attempts_and_stops_on_a_final_decision() -> None:
    p = policy(backoff_initial=0.001, backoff_max=0.002)
    calls: list[int] = []

    def attempt(number: int, state: RetryState) -> str:
        calls.append(number)
        exc = status(503)
        state.decision = p.decide(
            exc, endpoint=READ, retry_uncertain=False, attempt=number, remaining=10
        )
        raise exc

    with pytest.raises(ApiError):
        run_with_retries(attempt, policy=p, deadline=Deadline(10))
    assert calls == [1, 2, 3, 4]


def test_run_with_retries_returns_the_first_success() -> None:
    p = policy(backoff_initial=0.001, backoff_max=0.002)

    def attempt(number: int, state: RetryState) -> int:
        if number < 3:
            exc = status(429)
            state.decision = p.decide(
                exc, endpoint=CREATE, retry_uncertain=False, attempt=number, remaining=10
            )
            raise exc
        return number

    result, state = run_with_retries(attempt, policy=p, deadline=Deadline(10))
    assert (result, state.attempt) == (3, 3)


def test_an_unexpected_exception_is_not_retried() -> None:
    calls: list[int] = []

    def attempt(number: int, state: RetryState) -> None:
        calls.append(number)
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run_with_retries(attempt, policy=policy(), deadline=Deadline(10))
    assert calls == [1]


def test_deadline_counts_down() -> None:
    now = [100.0]
    deadline = Deadline(5, clock=lambda: now[0])
    assert deadline.remaining() == 5
    now[0] = 103.5
    assert (deadline.remaining(), deadline.elapsed(), deadline.expired) == (1.5, 3.5, False)
    now[0] = 106
    assert (deadline.remaining(), deadline.expired) == (0.0, True)
