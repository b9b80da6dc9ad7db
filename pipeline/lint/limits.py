"""Time limits on patterns that come from users (Vale rules, facts, allow lists).

A regular expression written by a user can take exponential time on a short line (`(a|a)+$`
on thirty `a`s); without a limit one such pattern hangs `kbsync lint`, `plan` and `sync`. Every
user pattern is compiled with :func:`compile_limited`, whose result passes a `timeout` to the
`regex` module on every call. The engine opens a :func:`budget` around each rule's work on one
file: all the rule's calls on that file share it, and one that runs out raises
:class:`TimeoutError`, which the engine turns into one `lint.rule-timeout` finding. Outside a
budget (a caller that is not the engine) each call gets :data:`DEFAULT_SECONDS` on its own.

Allow lists catch the error themselves and treat the value as not allowed (a secret is
reported rather than let through); the budget's `timed_out` still tells the engine.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import regex

DEFAULT_SECONDS = 2.0
"""The default `[lint] pattern_timeout`: what one rule's user patterns may spend on one file."""
_MINIMUM_CALL = 0.001


@dataclass
class _Budget:
    deadline: float
    timed_out: bool = False
    count: int = 0
    """How many limited calls ran out (allow lists carry on after one)."""


_CURRENT: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "kbsync_pattern_budget", default=None
)


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[_Budget]:
    """Share `seconds` between every limited call made inside the block."""
    state = _Budget(time.monotonic() + seconds)
    token = _CURRENT.set(state)
    try:
        yield state
    finally:
        _CURRENT.reset(token)


def _remaining() -> float:
    state = _CURRENT.get()
    if state is None:
        return DEFAULT_SECONDS
    return max(state.deadline - time.monotonic(), _MINIMUM_CALL)


def _ran_out() -> TimeoutError:
    note_timeout()
    return TimeoutError("a user pattern ran out of time")


def note_timeout() -> None:
    """Record in the current budget that a user pattern ran out of time.

    For work whose result was kept from an earlier run out (a cached scan), so that the rule
    asking for it now is still reported.
    """
    state = _CURRENT.get()
    if state is not None:
        state.timed_out = True
        state.count += 1


def timeouts() -> int:
    """How many limited calls have run out in the current budget (0 outside one)."""
    state = _CURRENT.get()
    return state.count if state is not None else 0


def _expired() -> bool:
    state = _CURRENT.get()
    return state is not None and time.monotonic() > state.deadline


class LimitedPattern:
    """A compiled `regex` pattern whose every search runs under the current time budget.

    It offers the calls the rules make (`search`, `match`, `fullmatch`, `finditer`, `sub`) with
    the `re` signatures; anything else (`pattern`, `groups`, `groupindex`) is the pattern's own.
    """

    __slots__ = ("_compiled",)

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_compiled":  # copy/pickle probing a bare instance
            raise AttributeError(name)
        return getattr(self._compiled, name)

    def __getstate__(self) -> Any:
        return self._compiled

    def __setstate__(self, state: Any) -> None:
        self._compiled = state

    def __repr__(self) -> str:
        return f"LimitedPattern({self._compiled.pattern!r})"

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._compiled, method)(*args, timeout=_remaining())
        except TimeoutError:
            raise _ran_out() from None

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self._call("search", string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self._call("match", string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self._call("fullmatch", string, pos, endpos)

    def sub(self, replacement: Any, string: str, count: int = 0) -> Any:
        return self._call("sub", replacement, string, count)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[Any]:
        """Each match; the budget is checked between matches as well as inside each search."""
        found = self._call("finditer", string, pos, endpos)
        while True:
            try:
                match = next(found)
            except StopIteration:
                return
            except TimeoutError:
                raise _ran_out() from None
            yield match
            if _expired():
                raise _ran_out()


def compile_limited(pattern: str, flags: int = 0) -> LimitedPattern:
    """`regex.compile(pattern, flags)` under the time limit (raises `regex.error`)."""
    return LimitedPattern(regex.compile(pattern, flags))


def allow_match(patterns: Iterable[LimitedPattern], texts: Iterable[str]) -> bool:
    """Whether any of an allow list's `patterns` is found in any of `texts`.

    A pattern that runs out of time allows nothing (the finding is reported rather than a
    secret let through); the current budget records it, so the engine still warns.
    """
    candidates = list(texts)
    for pattern in patterns:
        for text in candidates:
            try:
                if pattern.search(text) is not None:
                    return True
            except TimeoutError:
                break
    return False
