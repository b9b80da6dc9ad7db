"""One scan of a file for every kind of credential, shared by all `secrets.*` rules.

The rules are one per family so each can be selected, ignored and documented on its own, but
the file is scanned once: :meth:`SecretScanner.scan` keeps the result for the last item it saw,
and the engine runs every file rule on one item before the next. The pass is cheap where there
is nothing to find: one `str.lower()` and substring tests decide which expressions run at all.

Where detections overlap, the more specific wins (a GitHub token after `Authorization: Bearer`
is a `vcs-token`, not a `bearer-token`; an AWS key after `api_key =` is a `cloud-key`).

Invisible characters (Unicode format characters: zero-width spaces and joiners, soft hyphens,
word joiners) are skipped: `AKIA\u200bZQ7…` is the key to whoever reads or copies it. A text
holding some is scanned without them and each detection placed back on the text as written.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import regex

from pipeline.corpus import Item
from pipeline.lint.secrets.allow import AllowList
from pipeline.lint.secrets.contextual import (
    find_assignments,
    find_auth_headers,
    find_basic_auth_urls,
)
from pipeline.lint.secrets.detection import Detection, Family
from pipeline.lint.secrets.formats import find_formats
from pipeline.lint.secrets.placeholders import is_placeholder
from pipeline.lint.secrets.private_keys import find_private_keys

_INVISIBLE = regex.compile(r"\p{Cf}")


def scan_text(text: str, entropy_threshold: float) -> list[Detection]:
    """Every credential in `text`, placeholders left out, overlaps resolved, in file order;
    invisible characters do not split a credential (its offsets are in `text` as written)."""
    if _INVISIBLE.search(text) is None:
        return _scan_visible(text, entropy_threshold)
    kept = [i for i, char in enumerate(text) if _INVISIBLE.match(char) is None]
    visible = "".join(text[i] for i in kept)
    return [
        dataclasses.replace(d, start=kept[d.start], end=kept[d.end - 1] + 1)
        for d in _scan_visible(visible, entropy_threshold)
        if d.end > d.start
    ]


def _scan_visible(text: str, entropy_threshold: float) -> list[Detection]:
    lowered = text.lower()
    formats = [d for d in find_formats(text, lowered) if not is_placeholder(d.value)]
    found = [
        *find_private_keys(text, lowered),
        *formats,
        *find_basic_auth_urls(text),
        *find_auth_headers(text, lowered, entropy_threshold),
        *find_assignments(text, lowered, entropy_threshold),
    ]
    return _most_specific(found)


def _most_specific(found: Iterable[Detection]) -> list[Detection]:
    """Drop every detection that overlaps one of a more specific family (or an earlier one)."""
    starts: list[int] = []  # the kept spans never overlap, so sorted by start = sorted by end
    kept: list[Detection] = []
    for detection in sorted(found, key=lambda d: (d.family.precedence, d.start, -d.end)):
        index = bisect.bisect_left(starts, detection.end)
        if index and kept[index - 1].end > detection.start:
            continue
        starts.insert(index, detection.start)
        kept.insert(index, detection)
    return kept


class SecretScanner:
    """Scans items with one configuration; remembers the last item's result."""

    def __init__(self, entropy_threshold: float, allow: AllowList) -> None:
        self.entropy_threshold = entropy_threshold
        self.allow = allow
        self._last: tuple[Item, tuple[Detection, ...]] | None = None

    def scan(self, item: Item) -> tuple[Detection, ...]:
        if self._last is not None and self._last[0] is item:
            return self._last[1]
        detections = tuple(
            d for d in scan_text(item.text, self.entropy_threshold) if not self.allow.allows(d)
        )
        self._last = (item, detections)
        return detections

    def of_family(self, item: Item, family: Family) -> list[Detection]:
        return [d for d in self.scan(item) if d.family is family]


@lru_cache(maxsize=8)
def shared_scanner(
    entropy_threshold: float, allow: tuple[str, ...], where: Path | None = None
) -> SecretScanner:
    """The scanner every rule of one configuration shares (so a file is scanned once)."""
    return SecretScanner(entropy_threshold, AllowList.parse(allow, where))
