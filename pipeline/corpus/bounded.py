"""A matcher for user patterns with one time budget: the model's own, small time limit.

A regular expression written by a user can take exponential time on one short string
(`^(a+)+$` on thirty `a`s and a `/`). Lint runs its user patterns under
:mod:`pipeline.lint.limits` (a budget per rule and file, `lint.rule-timeout` findings), but the
model imports no part and sync must not import lint, and both resolve links through the model's
:class:`pipeline.corpus.links.LinkIndex` (`[lint.links] unchecked`). So the model has this
matcher for them: its patterns are compiled once, every call on one matcher shares `seconds`
(a call made once they are spent still gets :data:`MINIMUM_CALL`, so a sound pattern keeps
matching short strings), and a call that gives up raises :class:`TimeoutError` and is
remembered in `gave_up`, for the caller to say so. Lint passes its own limited matcher instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

DEFAULT_SECONDS = 2.0
"""What one matcher's calls may spend together unless told (`[lint] pattern_timeout`'s default)."""
MINIMUM_CALL = 0.001
"""Seconds one call still gets once the budget is spent."""


class BoundedMatcher:
    """Whether any of `patterns` is found in a string, within a shared time budget."""

    def __init__(self, patterns: Sequence[str], seconds: float = DEFAULT_SECONDS) -> None:
        import regex  # only when there are patterns: most runs never load it

        self.patterns = tuple(patterns)
        self._compiled: list[Any] = [regex.compile(pattern) for pattern in self.patterns]
        self.seconds = seconds
        self._left = seconds
        self.gave_up: list[tuple[str, str]] = []
        """(pattern, string) of every search that ran out of time, in order."""

    def __call__(self, text: str) -> bool:
        """True when a pattern is found in `text`; raises :class:`TimeoutError` when none is
        and one of them ran out of time (the caller cannot tell whether it matches)."""
        timed_out = False
        for pattern, compiled in zip(self.patterns, self._compiled, strict=True):
            start = time.monotonic()
            try:
                if compiled.search(text, timeout=max(self._left, MINIMUM_CALL)) is not None:
                    return True
            except TimeoutError:
                self.gave_up.append((pattern, text))
                timed_out = True
            finally:
                self._left -= time.monotonic() - start
        if timed_out:
            raise TimeoutError("a [lint.links] unchecked pattern ran out of time")
        return False
