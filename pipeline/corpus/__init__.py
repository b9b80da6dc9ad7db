"""The content model and its loader (see :mod:`pipeline.corpus.model`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.corpus.loader import decode, discover, kind_of, load_corpus, load_file, relative_path
from pipeline.corpus.model import (
    AUDIENCES,
    STATUSES,
    Corpus,
    Document,
    Heading,
    Item,
    Kind,
    Link,
    LoadProblem,
    Position,
    QAEntry,
    SourceFile,
    Span,
)

if TYPE_CHECKING:
    from pipeline.corpus.parse import parse_item, slugify


def __getattr__(name: str) -> Any:
    """`parse_item` and `slugify` load markdown-it: import them when first asked for, so a
    lint run answered from the cache does not pay for the parser."""
    if name in ("parse_item", "slugify"):
        from pipeline.corpus import parse

        return getattr(parse, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AUDIENCES",
    "STATUSES",
    "Corpus",
    "Document",
    "Heading",
    "Item",
    "Kind",
    "Link",
    "LoadProblem",
    "Position",
    "QAEntry",
    "SourceFile",
    "Span",
    "decode",
    "discover",
    "kind_of",
    "load_corpus",
    "load_file",
    "parse_item",
    "relative_path",
    "slugify",
]
