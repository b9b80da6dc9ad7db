"""How an answer is made from a site's documents: retrieval, then the text it shows.

One pure function of the documents, shared by the sandbox's chat endpoints and by
`kbsync impact` (which passes it to :mod:`pipeline.ops.impact` as a callable), so a question
asked of a pull request's two sides is answered exactly as the `local` environment would
answer it after a sync. It also exposes what Uppzy's chat response does not: the ranked top
sources with their scores.

The answer is the best document's text: a Q&A entry's answer, a document's first sentences
(:func:`~pipeline.sandbox.retrieval.summarize`), or a pointer to its title; below medium
confidence it is the fallback sentence, as Uppzy does when it is unsure.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pipeline.sandbox.retrieval import FALLBACK_ANSWER, Bm25Index, Hit, Passage, Retrieval
from pipeline.sandbox.retrieval import summarize as summarize_body


@dataclass(frozen=True)
class Source:
    """A document as the assistant reads it: Uppzy's fields, keyed by the caller's id."""

    key: str
    title: str
    type: str
    """`qa` or `text` (a file document counts as text)."""
    question: str = ""
    body: str = ""
    """A Q&A entry's answer, a document's content."""


@dataclass(frozen=True)
class Answer:
    """An answer, its retrieval confidence and the ranked sources behind it."""

    text: str
    confidence_score: float
    confidence_level: str
    key: str | None
    """The document the answer is drawn from; None for the fallback sentence."""
    hits: tuple[Hit, ...]
    """The top sources, best first (key, BM25 score, share of the question's terms)."""
    retrieval: Retrieval


class Answerer:
    """Answers questions from one fixed set of documents (indexed once)."""

    def __init__(self, sources: Sequence[Source], like: Answerer | None = None) -> None:
        """`like`: an answerer over mostly the same sources (a site before an edit), whose
        work on the sources both share is reused (:class:`Bm25Index`); the answers are the
        same as without it."""
        self._sources = {s.key: s for s in reversed(sources)}
        self.index: Bm25Index = Bm25Index(
            [Passage(key=s.key, title=s.title, question=s.question, body=s.body) for s in sources],
            like=like.index if like is not None else None,
        )

    def answer(self, question: str) -> Answer:
        """The answer to `question`, as the chat endpoints give it."""
        return self._compose(self.index.search(question))

    def score(self, key: str, question: str) -> float:
        """The document `key` alone scored for `question` (0 when absent or unmatched)."""
        return self.index.score(key, question)

    def unmoved(
        self, before: Answerer, question: str, given: Answer, changed: Collection[str]
    ) -> Answer | None:
        """This set's answer worked out from `before`'s answer `given` without a search,
        when only the documents keyed in `changed` differ between the two sets; None when
        that cannot be sure and the question must be asked
        (:meth:`~pipeline.sandbox.retrieval.Bm25Index.rescored`)."""
        found = self.index.rescored(before.index, question, given.retrieval, changed)
        return None if found is None else self._compose(found)

    def _compose(self, result: Retrieval) -> Answer:
        best = result.best
        if best is None or result.confidence_level == "low":
            return Answer(
                FALLBACK_ANSWER, result.confidence_score, "low", None, result.hits, result
            )
        source = self._sources[best.key]
        if source.type == "qa":
            text = source.body
        elif source.body:
            text = summarize_body(source.body)
        else:
            text = f"The answer is in the document \u201c{source.title}\u201d."
        return Answer(
            text or FALLBACK_ANSWER,
            result.confidence_score,
            result.confidence_level,
            best.key,
            result.hits,
            result,
        )


def answer_question(sources: Sequence[Source], question: str) -> Answer:
    """The answer to `question` from `sources` (one question: index, search, compose)."""
    return Answerer(sources).answer(question)
