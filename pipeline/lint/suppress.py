"""Inline suppression: explicit and visible in the file itself.

    <!-- kbsync-disable-next-line RULE[, RULE] -->   the next line only
    <!-- kbsync-disable RULE -->                      from here ...
    <!-- kbsync-enable RULE -->                       ... to here (or the end of the file)

RULE is a rule id or a family (`pii`, `internal.marker`); without one, every rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.corpus import Item
from pipeline.lint.findings import Finding
from pipeline.lint.selection import matches

_DIRECTIVE = re.compile(
    r"<!--\s*kbsync-(disable-next-line|disable|enable)\b([^>]*?)-->", re.I | re.S
)
EVERY_RULE = "*"


@dataclass(frozen=True)
class Suppression:
    """Rules `patterns` are off from `first_line` to `last_line` (inclusive)."""

    patterns: tuple[str, ...]
    first_line: int
    last_line: int

    def covers(self, finding: Finding) -> bool:
        if not self.first_line <= finding.line <= self.last_line:
            return False
        return any(
            p == EVERY_RULE or matches(finding.rule, finding.category, p) for p in self.patterns
        )

    def to_list(self) -> list[object]:
        return [list(self.patterns), self.first_line, self.last_line]

    @classmethod
    def from_list(cls, data: list[object]) -> Suppression:
        patterns, first, last = data
        assert isinstance(patterns, list) and isinstance(first, int) and isinstance(last, int)
        return cls(tuple(str(p) for p in patterns), first, last)


def parse_suppressions(item: Item) -> list[Suppression]:
    """Every suppression the file's directives set."""
    found: list[Suppression] = []
    open_ranges: dict[str, int] = {}
    last_line = len(item.source.line_starts)
    for span in item.comment_spans:
        match = _DIRECTIVE.fullmatch(item.text, span.start, span.end)
        if match is None:
            continue
        kind = match.group(1).lower()
        patterns = tuple(p.strip() for p in match.group(2).split(",") if p.strip()) or (EVERY_RULE,)
        end_line = item.position(span.end - 1).line
        if kind == "disable-next-line":
            found.append(Suppression(patterns, end_line + 1, end_line + 1))
        elif kind == "disable":
            for pattern in patterns:
                open_ranges.setdefault(pattern, item.position(span.start).line)
        else:
            for pattern in patterns:
                keys = list(open_ranges) if pattern == EVERY_RULE else [pattern]
                for key in keys:
                    if key in open_ranges:
                        found.append(Suppression((key,), open_ranges.pop(key), end_line))
    for pattern, first in open_ranges.items():
        found.append(Suppression((pattern,), first, last_line))
    return found


def apply(
    findings: Iterable[Finding], suppressions: dict[str, list[Suppression]]
) -> tuple[list[Finding], int]:
    """Findings not suppressed, and how many were."""
    kept: list[Finding] = []
    dropped = 0
    for finding in findings:
        rules = suppressions.get(finding.path, ())
        if any(s.covers(finding) for s in rules):
            dropped += 1
        else:
            kept.append(finding)
    return kept, dropped
