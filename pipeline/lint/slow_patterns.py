"""Spot user patterns that can take exponential time, so they are flagged when rules load.

A backtracking engine is slow when an unbounded repetition holds another one (`(a+)+`,
`(\\w+\\s?)*`) or alternatives that can match the same text (`(a|a)+`, `(\\w|\\d)*`): on a line
that almost matches it tries every way to split the text. This is the "star height" check of
ReDoS linters, read straight from the pattern's text (so it works for `re`, `regex` and Vale's
RE2 syntax alike); it is a warning, and the time limit (:mod:`pipeline.lint.limits`) is what
keeps such a pattern from hanging a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_INLINE_FLAGS = re.compile(r"\(\?[a-zA-Z]*(?:-[a-zA-Z]+)?\)")
_ANY_START = "\0any"
"""The first-character marker of an atom that can start with many characters (class, `.`)."""


@dataclass
class _Group:
    branches: list[list[str]] = field(default_factory=lambda: [[]])
    """The first-character markers of each alternative (one marker per alternative)."""
    inner_unbounded: bool = False
    """An unbounded repetition can start an iteration of this group (it comes before anything
    the current alternative must match), so two iterations can split text many ways."""
    anchored: bool = False
    """The current alternative has already matched something it cannot skip."""


@dataclass(frozen=True)
class SlowPattern:
    """A pattern of a rule file that can backtrack exponentially, and where it is."""

    line: int | None
    pattern: str
    reason: str

    def message(self) -> str:
        return (
            f"pattern {self.pattern!r} can take exponential time: {self.reason}; rewrite it "
            "(e.g. `(a+)+` as `a+`, `(a|a)+` as `a+`) or it may run out of time on some files"
        )


def risk(pattern: str) -> str | None:
    """Why `pattern` can backtrack exponentially, or None when it cannot in this simple way.

    `(?:[.,]\\d+)*` is fine: each iteration starts with a separator the inner `\\d+` cannot
    match. `(?:,?\\w+)*` is not: the optional comma leaves `\\w+` first.
    """
    stack: list[_Group] = [_Group()]
    i = 0
    n = len(pattern)
    atom_group: _Group | None = None  # the group the last atom belongs to (a quantifier may follow)
    closed: _Group | None = None  # the last atom, when it is a group
    while i < n:
        char = pattern[i]
        if char in "*+?{" and atom_group is not None:
            quantifier = _quantifier(pattern, i)
            if quantifier is not None:
                unbounded, optional, i = quantifier
                if unbounded:
                    if closed is not None and (reason := _group_risk(closed)) is not None:
                        return reason
                    for group in stack:
                        if not group.anchored:
                            group.inner_unbounded = True
                if not optional:
                    atom_group.anchored = True
                atom_group = closed = None
                continue
        if atom_group is not None:  # the last atom had no quantifier: it must match
            atom_group.anchored = True
            atom_group = closed = None
        if char == "\\":
            first = pattern[i + 1 : i + 2]
            i += 2
            if first.isalpha() and first.lower() in "wdsbpxuna":
                if first in "pPxuN" and i < n and pattern[i] == "{":
                    i = pattern.find("}", i) + 1 or n
                first = _ANY_START
            atom = first
        elif char == "[":
            i = _class_end(pattern, i)
            atom = _ANY_START
        elif char == "(" and (flags := _INLINE_FLAGS.match(pattern, i)) is not None:
            i = flags.end()  # `(?i)`: no group, no atom
            continue
        elif char == "(":
            stack.append(_Group())
            i += 1
            if pattern.startswith("?", i):
                i = _skip_group_prefix(pattern, i)
            continue
        elif char == ")" and len(stack) > 1:
            closed = stack.pop()
            i += 1
            atom = closed.branches[0][0] if closed.branches[0] else _ANY_START
        elif char == "|":
            stack[-1].branches.append([])
            stack[-1].anchored = False
            i += 1
            continue
        elif char in "^$":
            i += 1
            continue
        else:
            i += 1
            atom = _ANY_START if char == "." else char.lower()
        branch = stack[-1].branches[-1]
        if not branch:
            branch.append(atom)
        atom_group = stack[-1]
    return None


def _group_risk(group: _Group) -> str | None:
    if group.inner_unbounded:
        return "a repeated group holds another unbounded repetition (nested quantifiers)"
    firsts = [b[0] if b else "" for b in group.branches]
    if len(firsts) > 1:
        seen: set[str] = set()
        for first in firsts:
            if first == _ANY_START or first in seen:
                return "a repeated group has alternatives that can match the same text"
            seen.add(first)
        if _ANY_START in seen:
            return "a repeated group has alternatives that can match the same text"
    return None


def _class_end(pattern: str, i: int) -> int:
    """The index after the character class starting at `i`."""
    j = i + 1
    if pattern.startswith("^", j):
        j += 1
    if pattern.startswith("]", j):
        j += 1
    depth = 1
    while j < len(pattern) and depth:
        if pattern[j] == "\\":
            j += 2
            continue
        if pattern[j] == "[":
            depth += 1  # `regex` allows nested sets
        elif pattern[j] == "]":
            depth -= 1
        j += 1
    return j


def _skip_group_prefix(pattern: str, i: int) -> int:
    """Past `?:`, `?P<name>`, `?<name>`, `?=`, `?!`, `?<=`, `?<!`, `?i:` and the like."""
    j = i + 1
    if pattern.startswith("P<", j) or (
        pattern.startswith("<", j) and pattern[j + 1 : j + 2] not in ("=", "!")
    ):
        return pattern.find(">", j) + 1 or len(pattern)
    while j < len(pattern) and pattern[j] not in ":)=!<>":
        j += 1
    if pattern.startswith("<", j):
        j += 1
    return j + 1 if j < len(pattern) and pattern[j] != ")" else j


def _quantifier(pattern: str, i: int) -> tuple[bool, bool, int] | None:
    """Whether the quantifier at `i` is unbounded and whether it may match nothing, and the
    index after it (and a lazy `?` or possessive `+`); None for a literal brace."""
    char = pattern[i]
    if char == "{":
        end = pattern.find("}", i)
        body = pattern[i + 1 : end].replace(" ", "") if end > 0 else ""
        low, comma, high = body.partition(",")
        if (
            end < 0
            or not (low or high)
            or not (low or "0").isdigit()
            or not (high or "0").isdigit()
        ):
            return None
        unbounded = bool(comma) and not high
        optional = not low or int(low) == 0
        i = end + 1
    else:
        unbounded = char in "*+"
        optional = char in "*?"
        i += 1
    if i < len(pattern) and pattern[i] in "?+":
        i += 1
    return unbounded, optional, i
