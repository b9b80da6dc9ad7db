"""Pacing on X-RateLimit-Remaining/-Reset: the client waits for the reset instead of a 429."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.api import SyncASGITransport, UppzyClient
from pipeline.api.pacing import RateLimitPacer
from pipeline.config import AsyncConfig
from pipeline.sandbox import Sandbox, Scope
from tests.api.conftest import LOCAL_ENV, SITE


@pytest.fixture
def limited() -> Iterator[Sandbox]:
    with Sandbox(None, open_scope=Scope.local(), rate_limit="4/300ms") as box:
        yield box


def test_the_client_paces_before_it_is_refused(limited: Sandbox) -> None:
    with UppzyClient.for_environment(LOCAL_ENV, transport=SyncASGITransport(limited.app)) as c:
        for _ in range(10):
            c.site(SITE)
        waits = c.pacer.waits
    statuses = [entry.status for entry in limited.request_log()]
    assert statuses == [200] * 10
    assert waits >= 1


def test_without_the_headers_nothing_is_paced() -> None:
    pacer = RateLimitPacer()
    pacer.observe({"Content-Type": "application/json"})
    assert [pacer.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]


def test_an_epoch_reset_and_a_delta_reset_are_both_understood() -> None:
    now = [100.0]
    pacer = RateLimitPacer(clock=lambda: now[0], wall=lambda: 1_800_000_000.0)
    pacer.observe({"x-ratelimit-remaining": "1", "X-RateLimit-Reset": "1800000002"})
    assert pacer.reserve() == 0.0
    assert pacer.reserve() == pytest.approx(2.0)
    now[0] = 102.5
    assert pacer.reserve() == 0.0  # the window is over: unknown again, nothing to wait for
    pacer.observe({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1.5"})
    assert pacer.reserve() == pytest.approx(1.5)


def test_an_answer_arriving_late_cannot_raise_the_allowance_already_spent() -> None:
    pacer = RateLimitPacer(clock=lambda: 10.0, wall=lambda: 0.0)
    pacer.observe({"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": "5"})
    assert pacer.reserve() == 0.0
    pacer.observe({"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "5.1"})  # older answer
    assert pacer.reserve() == pytest.approx(5.0)


def test_async_polling_defaults_follow_uppzys_example() -> None:
    defaults = AsyncConfig()
    assert (defaults.poll_interval, defaults.deadline) == (2.5, 45.0)
