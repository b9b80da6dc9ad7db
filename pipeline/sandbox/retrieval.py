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
from collections.abc import Sequence
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

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class Bm25Index:
    """An in-memory BM25 index over a handful to a few thousand passages."""

    def __init__(self, passages: Sequence[Passage], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._keys = [p.key for p in passages]
        self._terms: list[Counter[str]] = []
        for passage in passages:
            boosted = tokenize(passage.title) * 2 + tokenize(passage.question) * 2
            self._terms.append(Counter(boosted + tokenize(passage.body)))
        self._lengths = [sum(counts.values()) for counts in self._terms]
        count = len(passages)
        self._average_length = (sum(self._lengths) / count) if count else 0.0
        frequency: Counter[str] = Counter()
        for counts in self._terms:
            frequency.update(counts.keys())
        self._idf = {
            term: math.log(1.0 + (count - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }

    def search(self, query: str, limit: int = 3) -> Retrieval:
        terms = list(dict.fromkeys(tokenize(query)))
        ranked: list[tuple[float, int, Hit]] = []
        if terms:
            for index, counts in enumerate(self._terms):
                score = self._score(terms, counts, self._lengths[index])
                if score > 0:
                    found = sum(1 for term in terms if term in counts)
                    ranked.append(
                        (-score, index, Hit(self._keys[index], score, found / len(terms)))
                    )
        ranked.sort(key=lambda item: (item[0], item[1]))
        top = tuple(hit for _, _, hit in ranked[:limit])
        score = _confidence(top)
        return Retrieval(top, score, confidence_level(score))

    def _score(self, terms: list[str], counts: Counter[str], length: int) -> float:
        norm = 1 - self.b + self.b * (length / self._average_length if self._average_length else 0)
        total = 0.0
        for term in terms:
            tf = counts.get(term, 0)
            if tf:
                total += self._idf[term] * tf * (self.k1 + 1) / (tf + self.k1 * norm)
        return total


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
