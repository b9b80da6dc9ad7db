"""What of a file the pii rules analyse, as :class:`Region` s that map back to file offsets.

Two views of one file:

- *pattern regions* — for Presidio's pattern recognizers: lines of the whole body (prose, code
  blocks, comments: customer data pasted into an example is still customer data) on which a
  cheap candidate regex of an enabled entity matches, with the line before for context words;
  plus the frontmatter values readers see (`title`, `question`, `alternates`);
- *prose segments* — for the spaCy NER: paragraphs, list items, table rows and headings of the
  prose view, with Markdown markup removed and blanks collapsed so the model reads sentences.
  Lines that are code the parser did not mark (unfenced configuration, template calls, CSV rows)
  are left out: names are searched in prose only.

Frontmatter values are found in the file's text when they are written there verbatim; otherwise a
finding falls back to the key's line.

A long region is analysed in overlapping :func:`windows`, far below spaCy's limit of 1,000,000
characters per text (a 1.2 MB table of numbers is one pattern region). Each window *keeps* only
what starts in its own stretch of the region; the overlap around that stretch is context, and is
long enough that a value starting near the cut is seen whole, so it is found exactly once.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.corpus import Item

SHOWN_KEYS = ("title", "question", "alternates")
"""Frontmatter keys whose values readers see."""

MAX_SEGMENT = 20_000
"""Longer prose runs are analysed in overlapping windows of this size (one spaCy call each)."""
MAX_PATTERN_REGION = 100_000
"""Longer pattern regions are analysed in overlapping windows of this size."""
OVERLAP = 500
"""Characters of context a window has on each side of the stretch it keeps: more than any
value a recognizer reports (an IBAN is at most 42 characters written out, a name a few words)
plus the context words before it."""


@dataclass(frozen=True)
class Region:
    """A text to analyse and where its characters are in the file.

    `anchors` are (offset in `text`, offset in the file) pairs at every jump; between two anchors
    characters are contiguous. A region of a frontmatter value not found in the file has `key`
    set and no anchors: its findings go on the key's line.
    """

    text: str
    anchors: tuple[tuple[int, int], ...]
    key: str | None = None
    entities: frozenset[str] = frozenset()
    """For pattern regions: the entities whose candidate regex matched."""
    keep: tuple[int, int] | None = None
    """For a window of a longer region: the stretch of `text` whose results are its own (a
    result starting outside it belongs to the neighbouring window)."""

    @property
    def located(self) -> bool:
        return bool(self.anchors)

    def keeps(self, start: int) -> bool:
        """Whether a result starting at `start` of `text` is this region's to report."""
        return self.keep is None or self.keep[0] <= start < self.keep[1]

    def part(self, start: int, end: int, keep: tuple[int, int]) -> Region:
        """Characters `start`..`end` of this region, keeping `keep` (offsets in the part)."""
        anchors: tuple[tuple[int, int], ...] = ()
        if self.located:
            inside = [(i - start, o) for i, o in self.anchors if start < i < end]
            anchors = ((0, self.file_offset(start)), *inside)
        return Region(self.text[start:end], anchors, self.key, self.entities, keep)

    def file_offset(self, index: int) -> int:
        """The file offset of character `index` of `text`."""
        at = max(bisect.bisect_right(self.anchors, index, key=lambda a: a[0]) - 1, 0)
        local, offset = self.anchors[at]
        return offset + index - local

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        return self.file_offset(start), self.file_offset(max(start, end - 1)) + 1


def windows(region: Region, size: int, overlap: int = OVERLAP) -> list[Region]:
    """`region` as overlapping windows of at most `size` characters (itself when short).

    The kept stretches are cut at a blank where there is one, and cover the region once.
    """
    text = region.text
    if len(text) <= size:
        return [region]
    step = size - 2 * overlap
    cuts = [0]
    while len(text) - cuts[-1] > step:
        target = cuts[-1] + step
        blank = max(
            text.rfind(" ", target - step // 2, target),
            text.rfind("\n", target - step // 2, target),
        )
        cuts.append(blank + 1 if blank > cuts[-1] else target)
    cuts.append(len(text))
    parts = []
    for lo, hi in itertools.pairwise(cuts):
        start, end = max(lo - overlap, 0), min(hi + overlap, len(text))
        parts.append(region.part(start, end, (lo - start, hi - start)))
    return parts


# --- frontmatter ---------------------------------------------------------------------------------


def shown_values(item: Item) -> Iterator[tuple[str, str, int | None]]:
    """(key, value, file offset or None) for each shown frontmatter value."""
    text = item.text
    for key in SHOWN_KEYS:
        raw = item.meta.get(key)
        values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        if key not in item.meta_lines:
            continue
        lo = item.source.offset(item.meta_lines[key])
        hi = _next_key_offset(item, item.meta_lines[key])
        for value in values:
            if not isinstance(value, str) or not value.strip():
                continue
            found = text.find(value, lo, hi)
            if found >= 0:
                lo = found + len(value)
            yield key, value, found if found >= 0 else None


def _next_key_offset(item: Item, line: int) -> int:
    later = [n for n in item.meta_lines.values() if n > line]
    return item.source.offset(min(later)) if later else item.body_start


# --- pattern regions -----------------------------------------------------------------------------


def pattern_regions(item: Item, candidates: dict[str, re.Pattern[str] | None]) -> list[Region]:
    """Body lines where some entity's candidate regex matches, and matching shown values."""
    regions: list[Region] = []
    if not candidates:
        return regions
    for key, value, offset in shown_values(item):
        hits = frozenset(
            name
            for name, pattern in candidates.items()
            if (pattern.search(value) if pattern is not None else value.strip())
        )
        if hits:
            anchors = ((0, offset),) if offset is not None else ()
            regions.append(Region(value, anchors, key=key, entities=hits))
    text = item.text
    starts = item.source.line_starts
    first = bisect.bisect_right(starts, item.body_start) - 1
    by_line: dict[int, set[str]] = {}
    for name, pattern in candidates.items():
        if pattern is None:
            lines = (i for i in range(first, len(starts)) if _line(text, starts, i, item).strip())
        else:
            lines = (
                bisect.bisect_right(starts, m.start()) - 1
                for m in pattern.finditer(text, item.body_start)
            )
        for index in lines:
            by_line.setdefault(index, set()).add(name)
    run: list[int] = []
    for index in sorted(by_line):
        if run and index != run[-1] + 1:
            regions.append(_pattern_region(item, run, by_line, first))
            run = []
        run.append(index)
    if run:
        regions.append(_pattern_region(item, run, by_line, first))
    return regions


def _pattern_region(item: Item, run: list[int], by_line: dict[int, set[str]], first: int) -> Region:
    """Lines `run` (consecutive) and the line before them, for context words."""
    starts = item.source.line_starts
    lo = max(starts[max(run[0] - 1, first)], item.body_start)
    hi = _line_end(item.text, starts, run[-1])
    entities = frozenset(name for index in run for name in by_line[index])
    return Region(item.text[lo:hi], ((0, lo),), entities=entities)


def _line(text: str, starts: tuple[int, ...], index: int, item: Item) -> str:
    return text[max(starts[index], item.body_start) : _line_end(text, starts, index)]


def _line_end(text: str, starts: tuple[int, ...], index: int) -> int:
    end = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
    return end - 1 if end > 0 and text[end - 1 : end] == "\r" else end


# --- prose segments ------------------------------------------------------------------------------

_BLOCK_START = re.compile(r"^\s{0,3}(?:[-*+]\s|\d{1,9}[.)]\s|#{1,6}\s|\||>)")
_HARD_BREAK = re.compile(r"(?:\\|  )$")
_MARKUP = re.compile(
    r"^\s{0,3}(?:>\s?)*(?:[-*+]\s+|\d{1,9}[.)]\s+|#{1,6}\s+)?"  # quote, list or heading markers
    r"|[*_~]{1,3}(?=\S)|(?<=\S)[*_~]{1,3}"  # emphasis
    r"|[|\\\[\]]"  # table pipes, escapes, bracket remains of links
    r"|\s#+\s*$"  # closing heading hashes
    r"|^\s*:?-{3,}:?(?:\s*\|\s*:?-{3,}:?)*\s*$"  # table delimiter rows
)
_WORD = re.compile(r"\S+")
_CODE_LINE = re.compile(
    r"^\s*(?:"
    r"[A-Za-z_][\w.-]*\s*=\s*\S"  # key = value (TOML, INI, shell)
    r"|\[\[?[\w. \"'-]+\]\]?\s*$"  # [table]
    r"|-?\s*[a-z_][\w.-]*:(?:\s|$)"  # yaml key: value
    r"|[{}]|\[\s*$|\]"  # JSON
    r"|\"[^\"]*\"\s*[:,;]"  # "key": …, CSV
    r"|[A-Z][A-Z0-9_-]*[;:=]\S"  # KEY:value, KEY;param= (vCard, iCalendar, env files)
    r"|\$\s"  # shell prompt
    r"|[#/]{2}\s"  # comments
    r")"
    r"|\{\{|\{%|<%|[;{]\s*$"
)


def prose_segments(item: Item, wanted: Callable[[str], bool] | None = None) -> list[Region]:
    """Sentences-in-context for the NER, with Markdown removed; code-like lines left out.

    `wanted` sees each cleaned segment's text first; segments it refuses are not built.
    """
    prose = item.prose
    starts = item.source.line_starts
    segments: list[Region] = []
    block: list[tuple[int, int]] = []

    def flush_block() -> None:
        lines = [(lo, hi) for lo, hi in block if prose[lo:hi].strip()]
        block.clear()
        code = [_CODE_LINE.search(prose[lo:hi]) is not None for lo, hi in lines]
        if any(code) and sum(code) * 2 >= len(lines):
            return  # mostly code (unfenced configuration, template calls): no prose here
        current: list[tuple[int, int]] = []
        for (lo, hi), is_code in zip(lines, code, strict=True):
            line = prose[lo:hi]
            if is_code or (current and _BLOCK_START.match(line)):
                segments.extend(_segment(prose, current, wanted))
                current = []
            if is_code:
                continue
            current.append((lo, hi))
            if _HARD_BREAK.search(item.text[lo:hi]) or line.lstrip().startswith("#"):
                segments.extend(_segment(prose, current, wanted))
                current = []
        segments.extend(_segment(prose, current, wanted))

    first = bisect.bisect_right(starts, item.body_start) - 1
    for index in range(first, len(starts)):
        lo = max(starts[index], item.body_start)
        hi = _line_end(prose, starts, index)
        if prose[lo:hi].strip():
            block.append((lo, hi))
        else:
            flush_block()
    flush_block()
    for key, value, offset in shown_values(item):
        base = offset if offset is not None else -1
        segments.extend(_segment(value, [(0, len(value))], wanted, key=key, base=base))
    return segments


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _segment(
    source: str,
    lines: list[tuple[int, int]],
    wanted: Callable[[str], bool] | None,
    *,
    key: str | None = None,
    base: int = 0,
) -> Iterator[Region]:
    """One cleaned segment (or a few, for a very long run) from `lines` of `source`."""
    if not lines:
        return
    cleaned = [(lo, _MARKUP.sub(_blank, source[lo:hi])) for lo, hi in lines]
    if wanted is not None and not wanted(" ".join(" ".join(c.split()) for _, c in cleaned)):
        return
    words: list[str] = []
    anchors: list[tuple[int, int]] = []
    length = 0
    for lo, line in cleaned:
        for match in _WORD.finditer(line):
            if words:
                length += 1
            anchors.append((length, lo + match.start()))
            words.append(match.group())
            length += len(match.group())
    if words:
        yield from windows(_region(words, anchors, key, base), MAX_SEGMENT)


def _region(words: list[str], anchors: list[tuple[int, int]], key: str | None, base: int) -> Region:
    if base < 0:
        return Region(" ".join(words), (), key=key)
    return Region(" ".join(words), tuple((i, base + o) for i, o in anchors), key=key)
