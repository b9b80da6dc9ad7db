"""The content model and its loader (see :mod:`pipeline.corpus.model`)."""

from __future__ import annotations

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
from pipeline.corpus.parse import parse_item, slugify

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
