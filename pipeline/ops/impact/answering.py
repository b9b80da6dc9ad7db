"""The answering `kbsync impact` asks its questions of, as the CLI passes it in.

Impact answers every question with the answering the `local` environment uses (the sandbox's
:class:`pipeline.sandbox.answering.Answerer`), but ops never imports the sandbox: these
Protocols say what impact needs of it, and the CLI adapts the sandbox's answerer to them
(:func:`pipeline.cli.impact_cmd.local_answering`). Tests can pass any answering that fits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol, Self, TypeVar


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


AnswerT = TypeVar("AnswerT", bound=GivenAnswer)
"""The answer type of one answering: its books take back only answers they gave."""


class Scorer(Protocol):
    def score(self, key: str, question: str) -> float:
        """The document `key` alone scored for `question` (0 when absent or unmatched)."""
        ...


class Book(Scorer, Protocol[AnswerT]):
    """Answers from one fixed set of documents (the sandbox's `Answerer`).

    Generic in its answer type: :meth:`unmoved` is given an answer of another book of the
    same answering (the sandbox reads what its search kept in it), never a foreign one.
    """

    def answer(self, question: str) -> AnswerT: ...

    def unmoved(
        self, before: Self, question: str, given: AnswerT, changed: Collection[str]
    ) -> AnswerT | None:
        """This book's answer worked out from `before`'s answer `given`, or None: ask."""
        ...


@dataclass(frozen=True)
class AskedDocument:
    """A document as the assistant reads it, keyed by its kbsync id."""

    key: str
    title: str
    type: str
    question: str
    body: str


class Answering(Protocol[AnswerT]):
    """Builds a :class:`Book` over documents: `pipeline.sandbox.answering.Answerer`, adapted."""

    def __call__(
        self, documents: Sequence[AskedDocument], like: Book[AnswerT] | None = None
    ) -> Book[AnswerT]:
        """A book over `documents`; `like`, one of this answering's books over mostly the same
        documents, lets it reuse the work on the documents both share (same answers)."""
        ...
