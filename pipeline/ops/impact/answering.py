"""The answering `kbsync impact` asks its questions of, as the CLI passes it in.

Impact answers every question with the answering the `local` environment uses (the sandbox's
:class:`pipeline.sandbox.answering.Answerer`), but ops never imports the sandbox: these
Protocols say what impact needs of it, and the CLI adapts the sandbox's answerer to them
(:func:`pipeline.cli.impact_cmd.local_answering`). Tests can pass any answering that fits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self


class RankedHit(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def score(self) -> float: ...


class GivenAnswer(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def confidence_score(self) -> float: ...
    @property
    def confidence_level(self) -> str: ...
    @property
    def hits(self) -> Sequence[RankedHit]: ...


class Book(Protocol):
    """Answers from one fixed set of documents (the sandbox's `Answerer`)."""

    def answer(self, question: str) -> GivenAnswer: ...

    def score(self, key: str, question: str) -> float: ...

    def unmoved(
        self, before: Self, question: str, given: Any, changed: Collection[str]
    ) -> GivenAnswer | None:
        """This book's answer worked out from `before`'s top sources, or None: ask."""
        ...


@dataclass(frozen=True)
class AskedDocument:
    """A document as the assistant reads it, keyed by its kbsync id."""

    key: str
    title: str
    type: str
    question: str
    body: str


class Answering(Protocol):
    """Builds a :class:`Book` over documents: `pipeline.sandbox.answering.Answerer`, adapted."""

    def __call__(self, documents: Sequence[AskedDocument]) -> Book: ...
