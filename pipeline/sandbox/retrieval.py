"""Plain keyword retrieval (Okapi BM25) for the sandbox's chat answers.

Uppzy answers from a site's active, ready documents and reports a confidence from retrieval;
the sandbox does the same with BM25 over titles, questions and bodies, so a sync that put the
right content in the right place answers the evaluation questions, and one that did not, does
not. Tokens are lowercase words with a small stop-word list dropped and plurals folded
("hours" → "hour", "policies" → "policy", "classes" → "class"). Titles and questions count twice.

Confidence (0–1) = coverage × (0.8 + 0.2 × lead), where coverage is the share of the
question's distinct terms the best document contains and lead is how far the best score is
ahead of the runner-up ((best − second) / best; 1 with a single hit): a document holding every
term of the question is at least 0.8, one holding a third of them at most 0.33. Levels: high ≥ 0.75, medium ≥ 0.45,
else low, and a low answer is a fallback sentence instead of document text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

_STOP_WORD_TEXT = """
a about an and any are as at be but by can could did do does for from had has have how i if in
into is it its me my no not of on or our please so that the their them then there these they
this to us was we were what when where which who whom why will with would you your
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())
FALLBACK_ANSWER = (
    "I'm sorry, I couldn't find an answer to that in this site's knowledge base. "
    "Please contact support."
)
HIGH_CONFIDENCE = 0.75
MEDIUM_CONFIDENCE = 0.45
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stop words, plurals folded."""
    return [_fold(word) for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Passage:
    """One searchable document: its key, the boosted fields and the body."""

    key: str
    title: str
    body: str
    question: str = ""


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    coverage: float


@dataclass(frozen=True)
class Retrieval:
    """The outcome of one query: ranked hits and the confidence they justify."""

    hits: tuple[Hit, ...]
    confidence_score: float
    confidence_level: str
    runner_up: float = 0.0
    """The best score of a passage not among `hits` (0 when every match is a hit)."""

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class Bm25Index:
    """An in-memory BM25 index over a handful to a few thousand passages.

    Each passage's term counts are kept with a posting list per term, so a query scores only
    the passages holding one of its terms; every score is the same sum, in the same order, as
    scoring every passage would give (a passage without any query term scores 0 and is no hit).

    Built `like` another index (the same site before an edit), a passage that index holds under
    the same key with the same text takes its term counts from it instead of being tokenized
    again: two indexes over mostly the same content tokenize only what differs. The counts are
    shared, never changed; nothing outlives the indexes that hold them.
    """

    def __init__(
        self,
        passages: Sequence[Passage],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        like: Bm25Index | None = None,
    ) -> None:
        self.k1 = k1
        self.b = b
        self._passages = tuple(passages)
        self._keys = [p.key for p in passages]
        self._position = {key: index for index, key in reversed(list(enumerate(self._keys)))}
        self._terms: list[Counter[str]] = [self._counts(p, like) for p in passages]
        self._lengths = [sum(counts.values()) for counts in self._terms]
        count = len(passages)
        self._average_length = (sum(self._lengths) / count) if count else 0.0
        postings: dict[str, list[int]] = {}
        for index, counts in enumerate(self._terms):
            for term in counts:
                postings.setdefault(term, []).append(index)
        self._postings = postings
        self._idf = {
            term: math.log(1.0 + (count - len(df) + 0.5) / (len(df) + 0.5))
            for term, df in postings.items()
        }

    @staticmethod
    def _counts(passage: Passage, like: Bm25Index | None) -> Counter[str]:
        """`passage`'s term counts: `like`'s for the same key and text, else tokenized."""
        index = like._position.get(passage.key) if like is not None else None
        if like is not None and index is not None and like._passages[index] == passage:
            return like._terms[index]
        return passage_terms(passage.title, passage.question, passage.body)

    def search(self, query: str, limit: int = 3) -> Retrieval:
        terms = list(dict.fromkeys(tokenize(query)))
        ranked: list[tuple[float, int, Hit]] = []
        for index in self._candidates(terms):
            hit = self._hit(terms, index)
            if hit is not None:
                ranked.append((-hit.score, index, hit))
        ranked.sort(key=lambda item: (item[0], item[1]))
        runner_up = ranked[limit][2].score if len(ranked) > limit else 0.0
        return _retrieval(tuple(hit for _, _, hit in ranked[:limit]), runner_up)

    def score(self, key: str, query: str) -> float:
        """The score of the passage `key` alone for `query` (0 when absent or unmatched)."""
        index = self._position.get(key)
        if index is None:
            return 0.0
        terms = list(dict.fromkeys(tokenize(query)))
        return self._score(terms, self._terms[index], self._lengths[index])

    def rescored(
        self,
        before: Bm25Index,
        query: str,
        found: Retrieval,
        changed: Collection[str],
        limit: int = 3,
    ) -> Retrieval | None:
        """This index's retrieval for `query`, worked out from `before`'s retrieval `found`
        without a search, when the only passages that differ between the two are those keyed
        in `changed` (edited, added or removed); None when it cannot be sure.

        Both corpora's statistics differ (document frequencies and average length move with
        any edit), so the passages outside `hits` are bounded, not ignored: an unchanged
        passage scores at most its old score times the largest growth of a query term's idf
        times max(1, new average length / old): each BM25 term weight grows by at most that.
        When that bound for the best passage outside the hits (its old score is `runner_up`)
        stays below every hit's new score, and no changed passage reaches them either, the new
        top is the old hits re-scored and re-ordered — exactly what :meth:`search` returns.
        """
        hits = found.hits
        if any(hit.key in changed for hit in hits) or len(hits) > limit:
            return None
        terms = list(dict.fromkeys(tokenize(query)))
        positions = [self._position.get(hit.key) for hit in hits]
        if any(p is None for p in positions):
            return None
        fresh = [self._hit(terms, p) for p in positions if p is not None]
        if any(h is None for h in fresh):
            return None
        scored = [h for h in fresh if h is not None]
        floor = min((h.score for h in scored), default=0.0) if len(hits) == limit else 0.0
        for key in changed:
            score = self.score(key, query) if key in self._position else 0.0
            if score > 0 and (len(hits) < limit or score >= floor):
                return None
        if found.runner_up > 0 and found.runner_up * self._growth(before, terms) >= floor:
            return None
        order = sorted(zip(scored, positions, strict=True), key=lambda x: (-x[0].score, x[1]))
        return _retrieval(tuple(hit for hit, _ in order), None)

    def _growth(self, before: Bm25Index, terms: Sequence[str]) -> float:
        """An upper bound on how much any unchanged passage's score can grow from `before`
        to this index (with a margin for rounding)."""
        if not before._average_length:
            return math.inf
        idf = [self._idf[t] / before._idf[t] for t in terms if t in self._idf and t in before._idf]
        length = max(1.0, self._average_length / before._average_length)
        return max(idf, default=1.0) * length * (1 + 1e-9)

    def _candidates(self, terms: Sequence[str]) -> list[int]:
        found: set[int] = set()
        for term in terms:
            found.update(self._postings.get(term, ()))
        return sorted(found)

    def _hit(self, terms: Sequence[str], index: int) -> Hit | None:
        counts = self._terms[index]
        score = self._score(terms, counts, self._lengths[index])
        if score <= 0:
            return None
        found = sum(1 for term in terms if term in counts)
        return Hit(self._keys[index], score, found / len(terms))

    def _score(self, terms: Sequence[str], counts: Counter[str], length: int) -> float:
        norm = 1 - self.b + self.b * (length / self._average_length if self._average_length else 0)
        total = 0.0
        for term in terms:
            tf = counts.get(term, 0)
            if tf:
                total += self._idf[term] * tf * (self.k1 + 1) / (tf + self.k1 * norm)
        return total


def passage_terms(title: str, question: str, body: str) -> Counter[str]:
    """A passage's term counts (titles and questions twice)."""
    boosted = tokenize(title) * 2 + tokenize(question) * 2
    return Counter(boosted + tokenize(body))


def _retrieval(top: tuple[Hit, ...], runner_up: float | None) -> Retrieval:
    """`runner_up` None: not known (a re-scored retrieval), kept as infinity so that it is
    never used to vouch for another."""
    score = _confidence(top)
    return Retrieval(
        top, score, confidence_level(score), math.inf if runner_up is None else runner_up
    )


def _confidence(hits: Sequence[Hit]) -> float:
    if not hits:
        return 0.0
    best = hits[0]
    lead = 1.0 if len(hits) == 1 else (best.score - hits[1].score) / best.score
    return round(min(1.0, best.coverage * (0.8 + 0.2 * lead)), 3)


def confidence_level(score: float) -> str:
    if score >= HIGH_CONFIDENCE:
        return "high"
    if score >= MEDIUM_CONFIDENCE:
        return "medium"
    return "low"


def summarize(text: str, *, sentences: int = 2, limit: int = 500) -> str:
    """The first sentences of a Markdown body, headings and markup dropped, for an answer."""
    lines = [line.strip() for line in text.splitlines()]
    prose = " ".join(line.lstrip(">*-+ ").strip() for line in lines if line and line[0] != "#")
    prose = re.sub(r"[*_`]+", "", prose)
    prose = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", prose)
    prose = re.sub(r"\s+", " ", prose).strip()
    picked = " ".join(_SENTENCE_END.split(prose)[:sentences])
    if len(picked) > limit:
        picked = picked[: limit - 1].rstrip() + "…"
    return picked
