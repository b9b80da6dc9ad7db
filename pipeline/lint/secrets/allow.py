"""`[lint.secrets] allow`: values that are known not to be secrets (test keys, fixtures).

An entry is an exact value, or a regular expression written between slashes (`/^sk_test_/`),
searched for in the value. A detection is allowed when its value, or the whole text it was
found in (the URL, the header), matches an entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.errors import ConfigError
from pipeline.lint.limits import LimitedPattern, allow_match, compile_limited
from pipeline.lint.secrets.detection import Detection


@dataclass(frozen=True)
class AllowList:
    exact: frozenset[str]
    patterns: tuple[LimitedPattern, ...]

    @classmethod
    def parse(cls, entries: Sequence[str], where: Path | str | None = None) -> AllowList:
        """Raises ConfigError naming the entry when a `/regex/` does not compile."""
        exact: set[str] = set()
        patterns: list[LimitedPattern] = []
        for index, entry in enumerate(entries):
            if len(entry) >= 2 and entry.startswith("/") and entry.endswith("/"):
                try:
                    patterns.append(compile_limited(entry[1:-1]))
                except regex.error as exc:
                    raise ConfigError(
                        f"lint.secrets.allow[{index}]: {entry!r} is not a valid regular "
                        f"expression ({exc})",
                        path=where,
                        hint="write an exact value, or a Python regular expression between "
                        "slashes such as '/^sk_test_/'",
                    ) from None
            else:
                exact.add(entry)
        return cls(frozenset(exact), tuple(patterns))

    def allows(self, detection: Detection) -> bool:
        candidates = {detection.value, detection.context} - {""}
        if candidates & self.exact:
            return True
        return allow_match(self.patterns, candidates)
