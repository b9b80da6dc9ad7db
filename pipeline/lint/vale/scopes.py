"""The text a wording rule sees in one file, by Vale scope.

A rule searches *blocks*: pieces of one of two views of the file, each the same length as the file
so that a match's offset is the file offset:

- the **prose view** (`text` and every other scope but `raw`) is the item's prose, except that
  what the parser blanked inside the body (code, inline code, URLs, link brackets, HTML tags and
  comments, shortcodes) reads `*` rather than spaces, as in Vale: `Run `make` now` becomes
  `Run ****** now`, so a rule about double spaces or words around a gap does not fire on
  removed markup, and nothing removed can match a word;
- the **raw view** (`scope: raw`) is the file's own text after the frontmatter, markup and code
  included, for rules written against Markdown syntax.

Scopes, best-effort for Markdown (a scope may be a list: any of them; `a & b`: both; `~a`: the
text outside `a`; a format suffix such as `.md` is ignored):

- `text`, `paragraph`, `sentence` and any scope not listed here: the whole prose view as one block
  (`^` and `$` match at every line);
- `heading`, `heading.h1`…`heading.h6`: each heading's text, without its `#` markers;
- `list`, `blockquote`, `table`, `table.header`, `table.cell`: the lines of those blocks;
- `summary`: the prose view outside headings and tables;
- `raw`: the raw view as one block.

A rule that counts (Vale's `occurrence`) counts in *units* (:meth:`ItemViews.units`): with
`sentence` each sentence of the prose, with `paragraph` each paragraph, otherwise each block.
Paragraphs end at a blank line, the marker of a list item or a definition (`:`), a line of only
hidden markup (a code block), a setext underline, a table cell's `|` and around a heading; a
sentence also ends at the space after `.`, `!` or `?` (and any closing quote, bracket or
emphasis), unless the next word starts in lower case or the period ends `e.g.`, `i.e.`, `vs.`
or `cf.`. Markers (`#`, `-`, `1.`) are not part of a unit, and a unit without a letter or digit
(a table's delimiter row) is none. This is simpler than Vale's sentence splitter, and costs one
regex scan of the file.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import regex
from markdown_it import MarkdownIt

from pipeline.corpus import Item
from pipeline.lint.vale.regex import Literal

PLACEHOLDER = "*"
_MD = MarkdownIt("commonmark").enable("table")
_ATX_OPEN = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"(?:[ \t]+#+)?[ \t]*$")
_FORMATS = frozenset({"md", "markdown", "mdx", "html", "rst", "adoc", "asciidoc", "org", "txt"})
_BLOCK_TOKENS = {
    "list": ("bullet_list_open", "ordered_list_open"),
    "blockquote": ("blockquote_open",),
    "table": ("table_open",),
    "table.header": ("thead_open",),
    "table.cell": ("tbody_open",),
}
_CACHE_SIZE = 16
_WORD = re.compile(r"\w+")
_HAS_WORD = re.compile(r"\w")
_PROSE_SCOPES = ("text", "raw", "sentence", "paragraph")
"""Scopes that see the whole view (sentences and paragraphs are only units for counting)."""

_PARAGRAPH_BREAKS = (
    r"\n[ \t\r>]*(?=\n)"  # a blank line (a lone `>` in a quote too)
    r"|\n[ \t]*(?:=+|-+|\*[* \t]*)(?=\r?\n|\Z)"  # a setext underline or rule; only hidden markup
    r"|\n[ \t>]*(?:[-+*:]|\d{1,9}[.)]|#{1,6})[ \t]+"  # the marker of a list item, term, heading
    r"|\|"  # between table cells
)
_SENTENCE_END = (
    r"(?:(?<!\b(?i:e\.g|i\.e|vs|cf))\.|[!?])"  # end punctuation, not of an abbreviation
    r"[\"'”’)\]*_]*\K"  # and what closes around it
    r"(?:[ \t]+|(?=\r?\n))(?!\s*\p{Ll})"  # the space after, if no word in lower case follows
)
_BREAKS = {
    "paragraph": regex.compile(_PARAGRAPH_BREAKS),
    "sentence": regex.compile(f"{_PARAGRAPH_BREAKS}|{_SENTENCE_END}"),
}
"""Where units end, one regex each (a single scan per file, with literal first characters)."""

Span = tuple[int, int]


@dataclass(frozen=True)
class ScopePart:
    """One named scope, perhaps negated (`~heading`)."""

    name: str
    level: int = 0
    negated: bool = False


@dataclass(frozen=True)
class Scope:
    """A rule's `scope`: any of `alternatives`, each the intersection of its parts."""

    alternatives: tuple[tuple[ScopePart, ...], ...]

    @property
    def raw(self) -> bool:
        return any(p.name == "raw" for alt in self.alternatives for p in alt)

    @property
    def whole(self) -> bool:
        """True when the rule sees the whole view as one block."""
        return all(
            len(alt) == 1 and not alt[0].negated and alt[0].name in _PROSE_SCOPES
            for alt in self.alternatives
        )

    @property
    def unit(self) -> str | None:
        """What a counting rule counts in: `sentence`, `paragraph`, or None (each block)."""
        named = {p.name for alt in self.alternatives for p in alt if not p.negated}
        return next((name for name in ("sentence", "paragraph") if name in named), None)

    @classmethod
    def parse(cls, values: tuple[str, ...]) -> Scope:
        alternatives = []
        for value in values or ("text",):
            parts = tuple(_part(p) for p in value.split("&") if p.strip())
            alternatives.append(parts or (ScopePart("text"),))
        if any(p.name == "raw" for alt in alternatives for p in alt):
            return cls(((ScopePart("raw"),),))
        return cls(tuple(alternatives))


def _part(text: str) -> ScopePart:
    text = text.strip()
    negated = text.startswith("~")
    pieces = [p for p in text.lstrip("~").strip().lower().split(".") if p]
    while len(pieces) > 1 and pieces[-1] in _FORMATS:
        pieces.pop()
    name = pieces[0] if pieces else "text"
    if name == "heading":
        level = int(pieces[1][1:]) if len(pieces) > 1 and re.fullmatch(r"h[1-6]", pieces[1]) else 0
        return ScopePart("heading", level, negated)
    if name == "table" and len(pieces) > 1 and f"table.{pieces[1]}" in _BLOCK_TOKENS:
        name = f"table.{pieces[1]}"
    known = ("raw", "summary", "sentence", "paragraph", *_BLOCK_TOKENS)
    return ScopePart(name if name in known else "text", 0, negated)


@dataclass(frozen=True)
class Block:
    """Text a rule searches: `text[pos:]`, where offset 0 of `text` is file offset `offset`."""

    offset: int
    text: str
    pos: int = 0


@dataclass
class ItemViews:
    """The views of one item, built on first use and shared by every rule."""

    item: Item
    _prose: str | None = None
    _raw: str | None = None
    _folded: dict[bool, str] = field(default_factory=dict)
    _words: dict[bool, frozenset[str]] = field(default_factory=dict)
    _spans: dict[ScopePart, list[Span]] = field(default_factory=dict)
    _markdown: list[tuple[str, int, int]] | None = None
    _units: dict[str, list[Span]] = field(default_factory=dict)

    def view(self, raw: bool) -> str:
        if raw:
            if self._raw is None:
                text = self.item.text
                start = self.item.body_start
                self._raw = _blank(text[:start]) + text[start:]
            return self._raw
        if self._prose is None:
            self._prose = _prose_view(self.item)
        return self._prose

    def folded(self, raw: bool) -> str:
        """The view case-folded, for the rules' substring prefilters."""
        if raw not in self._folded:
            self._folded[raw] = self.view(raw).casefold()
        return self._folded[raw]

    def words(self, raw: bool) -> frozenset[str]:
        """The words of the case-folded view."""
        if raw not in self._words:
            self._words[raw] = frozenset(_WORD.findall(self.folded(raw)))
        return self._words[raw]

    def passes(self, gate: frozenset[Literal], raw: bool) -> bool:
        """Whether the view holds one of `gate`'s literals (its words first: a set lookup)."""
        folded = self.folded(raw)
        words = self.words(raw) if any(literal.words for literal in gate) else frozenset()
        for literal in gate:
            if literal.words and not all(word in words for word in literal.words):
                continue
            if literal.text in folded:
                return True
        return False

    def blocks(self, scope: Scope) -> Iterator[Block]:
        view = self.view(scope.raw)
        if scope.whole:
            yield Block(0, view, self.item.body_start)
            return
        spans: list[Span] = []
        for alternative in scope.alternatives:
            spans = _union(spans, self._alternative(alternative))
        for start, end in spans:
            if start < end:
                yield Block(start, view[start:end])

    def units(self, scope: Scope) -> list[Span]:
        """The spans (file offsets) a counting rule counts in: see the module's docstring."""
        blocks = [(b.offset + b.pos, b.offset + len(b.text)) for b in self.blocks(scope)]
        if scope.unit is None:
            return blocks
        if scope.unit not in self._units:
            self._units[scope.unit] = self._split(_BREAKS[scope.unit])
        return _intersect(self._units[scope.unit], blocks)

    def _split(self, breaks: Any) -> list[Span]:
        """The prose between `breaks` and around headings, trimmed; only pieces with a word."""
        view = self.view(raw=False)
        cuts = [found.span() for found in breaks.finditer(view, self.item.body_start)]
        for start, end in self._part(ScopePart("heading")):
            cuts += [(start, start), (end, end)]
        units: list[Span] = []
        start = self.item.body_start
        for cut_start, cut_end in sorted(cuts):
            units.append((start, cut_start))
            start = max(start, cut_end)
        units.append((start, len(view)))
        trimmed = []
        for start, end in units:
            if _HAS_WORD.search(view, start, end) is None:
                continue
            piece = view[start:end]
            trimmed.append(
                (start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip()))
            )
        return trimmed

    def _alternative(self, parts: tuple[ScopePart, ...]) -> list[Span]:
        spans: list[Span] = [(self.item.body_start, len(self.item.text))]
        for part in parts:
            if part.negated:
                spans = _subtract(spans, self._part(ScopePart(part.name, part.level)))
            else:
                spans = _intersect(spans, self._part(part))
        return spans

    def _part(self, part: ScopePart) -> list[Span]:
        if part not in self._spans:
            self._spans[part] = self._compute(part)
        return self._spans[part]

    def _compute(self, part: ScopePart) -> list[Span]:
        item = self.item
        if part.name in _PROSE_SCOPES:
            return [(item.body_start, len(item.text))]
        if part.name == "summary":
            hidden = _union(self._part(ScopePart("heading")), self._part(ScopePart("table")))
            return _subtract([(item.body_start, len(item.text))], hidden)
        if part.name == "heading":
            return self._headings(part.level)
        wanted = _BLOCK_TOKENS[part.name]
        return _merge(
            [(start, end) for kind, start, end in self._markdown_blocks() if kind in wanted]
        )

    def _headings(self, level: int) -> list[Span]:
        source = self.item.source
        spans = []
        for heading in self.item.headings:
            if level and heading.level != level:
                continue
            line = source.line_text(heading.line)
            start = source.offset(heading.line)
            opening = _ATX_OPEN.match(line)
            if opening is not None:
                closing = _ATX_CLOSE.search(line, opening.end())
                end = closing.start() if closing is not None else len(line)
                spans.append((start + opening.end(), start + max(end, opening.end())))
            else:
                spans.append((start, start + len(line.rstrip())))
        return _merge(spans)

    def _markdown_blocks(self) -> list[tuple[str, int, int]]:
        """(token type, start, end) of the body's block tokens, as file offsets."""
        if self._markdown is None:
            item = self.item
            source = item.source
            body = item.text[item.body_start :].replace("\r\n", "\n")
            first = source.position(item.body_start).line if item.body_start < len(item.text) else 1
            starts = source.line_starts
            blocks = []
            for token in _MD.parse(body):
                if token.map is None or token.nesting != 1:
                    continue
                begin, end = token.map[0] + first, token.map[1] + first
                lo = starts[begin - 1] if begin - 1 < len(starts) else len(item.text)
                hi = starts[end - 1] if end - 1 < len(starts) else len(item.text)
                blocks.append((token.type, lo, hi))
            self._markdown = blocks
        return self._markdown


def _prose_view(item: Item) -> str:
    """The prose with what the parser blanked in the body shown as placeholders.

    Position by position: the placeholder where the prose differs from the text (only blanked
    characters do), else the prose. A loop in Python costs a tenth of a second per megabyte;
    as integers over the UTF-32 encodings, each step runs in C: XOR the two encodings, fold
    each character's four bytes into one flag byte, widen the flags into a byte mask, and blend.
    """
    start = item.body_start
    text, prose = item.text[start:], item.prose[start:]
    if text == prose:
        return item.prose
    n = len(text)
    prose_bytes = prose.encode("utf-32-le", "surrogatepass")
    diff = (
        int.from_bytes(text.encode("utf-32-le", "surrogatepass"), "little")
        ^ int.from_bytes(prose_bytes, "little")
    ).to_bytes(4 * n, "little")
    flags = 0
    for lane in range(4):
        flags |= int.from_bytes(diff[lane::4], "little")
    mask = flags.to_bytes(n, "little").translate(_FLAG_TO_MASK)
    wide = bytearray(4 * n)
    for lane in range(4):
        wide[lane::4] = mask
    blend = int.from_bytes(wide, "little")
    keep = int.from_bytes(prose_bytes, "little") & ~blend
    stars = int.from_bytes(_PLACEHOLDER_UTF32 * n, "little") & blend
    view = (keep | stars).to_bytes(4 * n, "little").decode("utf-32-le", "surrogatepass")
    return item.prose[:start] + view


_FLAG_TO_MASK = bytes([0] + [0xFF] * 255)
_PLACEHOLDER_UTF32 = PLACEHOLDER.encode("utf-32-le")


def _blank(text: str) -> str:
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _union(a: list[Span], b: list[Span]) -> list[Span]:
    return _merge([*a, *b])


def _intersect(a: list[Span], b: list[Span]) -> list[Span]:
    out = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                out.append((start, end))
    return _merge(out)


def _subtract(a: list[Span], b: list[Span]) -> list[Span]:
    out = []
    for start, end in a:
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            out.append((cursor, end))
    return out


class ViewCache:
    """The views of the last few items (the engine checks one item with every rule in turn)."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[int, ItemViews] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, item: Item) -> ItemViews:
        key = id(item)
        with self._lock:
            views = self._entries.get(key)
            if views is not None and views.item is item:
                self._entries.move_to_end(key)
                return views
            views = ItemViews(item)
            self._entries[key] = views
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
            return views
