"""The content model: what one Markdown file of the knowledge base is, once parsed.

A file is a :class:`SourceFile` (its text and a line table); its parsed form is a
:class:`Document` (under `docs/`) or a :class:`QAEntry` (under `qa/`). Both keep the raw
frontmatter with the line of every key, and a *prose view* of the file: the text with everything
that is not prose (frontmatter, code, inline code, HTML tags, URLs, shortcodes) blanked out, the
same length as the file, so a match in the prose view is at the same offset in the file and maps
straight to a line and column.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["doc", "qa"]
STATUSES = ("draft", "approved")
AUDIENCES = ("public", "internal")


@dataclass(frozen=True)
class Position:
    """1-based line and column in a file."""

    line: int
    column: int


@dataclass(frozen=True)
class Span:
    """A half-open range of character offsets in a file's text."""

    start: int
    end: int


@dataclass(frozen=True)
class SourceFile:
    """A file's path (relative to the repository root, with `/`) and decoded text."""

    path: str
    text: str
    line_starts: tuple[int, ...]

    @classmethod
    def from_text(cls, path: str, text: str) -> SourceFile:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
        return cls(path=path, text=text, line_starts=tuple(starts))

    def position(self, offset: int) -> Position:
        """The line and column of character `offset` (1-based)."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return Position(line=index + 1, column=offset - self.line_starts[index] + 1)

    def line_text(self, line: int) -> str:
        """The text of 1-based `line`, without its line ending."""
        if line < 1 or line > len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def offset(self, line: int, column: int = 1) -> int:
        """The offset of a 1-based line and column."""
        return self.line_starts[line - 1] + column - 1


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    slug: str
    line: int


@dataclass(frozen=True)
class Link:
    """A Markdown link `[text](url)`; `span` covers the URL."""

    text: str
    url: str
    span: Span


@dataclass(frozen=True)
class Item:
    """What Documents and Q&A entries share. Field meanings are in DESIGN.md."""

    kind: Kind
    source: SourceFile
    meta: dict[str, Any]
    """The frontmatter as parsed (values unchecked: the schema rules check them)."""
    meta_lines: dict[str, int]
    """The line of each top-level frontmatter key."""
    body_start: int
    """Offset of the first character after the frontmatter."""
    prose: str
    """The file's text with non-prose blanked to spaces (newlines kept); same length."""
    code_spans: tuple[Span, ...] = ()
    """Fenced and indented code blocks (their contents) and inline code."""
    comment_spans: tuple[Span, ...] = ()
    """HTML comments, `<!--` to `-->` inclusive."""
    links: tuple[Link, ...] = ()
    headings: tuple[Heading, ...] = ()
    id: str = ""
    status: str = ""
    audience: str = "public"
    batch: str | None = None
    reviewed: dt.date | None = None
    expires: dt.date | None = None
    category: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def body(self) -> str:
        return self.source.text[self.body_start :]

    @property
    def display_title(self) -> str:
        """What Uppzy shows as the document's title."""
        raise NotImplementedError

    def key_line(self, key: str) -> int:
        """The line of frontmatter `key`, else the frontmatter's first line."""
        return self.meta_lines.get(key, 1)

    def position(self, offset: int) -> Position:
        return self.source.position(offset)

    def is_code(self, offset: int) -> bool:
        return any(span.start <= offset < span.end for span in self.code_spans)


@dataclass(frozen=True)
class Document(Item):
    """A reference document (`content/docs/**.md`), sent to Uppzy as a text document."""

    title: str = ""

    @property
    def display_title(self) -> str:
        return self.title


@dataclass(frozen=True)
class QAEntry(Item):
    """A Q&A entry (`content/qa/**.md`): the question, its other phrasings, and the answer."""

    question: str = ""
    alternates: tuple[str, ...] = ()
    title: str = ""
    """Optional: Uppzy's document title; defaults to the question."""

    @property
    def display_title(self) -> str:
        return self.title or self.question

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question, *self.alternates) if self.question else self.alternates


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be loaded as content: reported as a `schema` finding."""

    path: str
    rule: str
    message: str
    line: int = 1
    column: int = 1


@dataclass
class Corpus:
    """Every item loaded from the content tree, and the files that could not be loaded."""

    items: list[Item] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)

    def by_path(self) -> dict[str, Item]:
        return {item.path: item for item in self.items}

    def by_id(self) -> dict[str, list[Item]]:
        index: dict[str, list[Item]] = {}
        for item in self.items:
            if item.id:
                index.setdefault(item.id, []).append(item)
        return index
