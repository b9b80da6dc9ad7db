"""Time limits on user patterns, and the load-time check for patterns that backtrack."""

from __future__ import annotations

import pytest

from pipeline.lint import limits
from pipeline.lint.slow_patterns import risk


def test_outside_the_engine_a_call_still_has_a_limit() -> None:
    slow = limits.compile_limited(r"(a|a)+$")
    with limits.budget(0.05) as state, pytest.raises(TimeoutError):
        slow.search("a" * 40 + "b")
    assert state.timed_out
    assert limits.compile_limited("b").search("ab") is not None


def test_finditer_stops_between_matches_when_the_budget_is_spent() -> None:
    many = limits.compile_limited("a")
    with limits.budget(0.0) as state, pytest.raises(TimeoutError):
        list(many.finditer("a" * 10))
    assert state.timed_out


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a|a)+$",
        r"(a+)+",
        r"(?:a*)*",
        r"(\w+\s?)*",
        r"(\w|\d)*",
        r"(?:a{2,})+",
        r"(?P<v>a+)*",
        r"(?:,?\w+)*",
    ],
)
def test_nested_quantifiers_are_flagged(pattern: str) -> None:
    assert risk(pattern) is not None


@pytest.mark.parametrize(
    "pattern",
    [
        r"click here",
        r"parcels? stays? in the locker for (?P<value>\d+ hours?)",
        r"extend the pickup window (?:once|twice|\w+ times),? by (?P<value>\d+ hours?)",
        r"(?:ab|cd)+",
        r"(?:a{2,3})+",
        r"[(]+",
        r"\(a+\)+",
        r"(?i)(a|b)+",
        r"\b(?:e-?mail)s?\b",
        r"(?:x(a+))+",
        r"\$\d+(?:[.,]\d+)*",
        r"a{2}",
        r"x{",
    ],
)
def test_sound_patterns_are_not_flagged(pattern: str) -> None:
    assert risk(pattern) is None
