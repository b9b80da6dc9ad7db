"""When two questions mean the same thing: normalised tokens, and a join that is not quadratic.

A question becomes a set of tokens: lower case, punctuation dropped, contractions expanded
("can't" → "can not", so negation survives), a short list of stop words removed (articles,
auxiliaries, personal pronouns: "How do I reset my password?" and "How can I reset my password?"
are the same set) and plurals folded ("codes" → "code"). Question words, verbs, nouns, negations
and prepositions stay, so "reset" and "change" keep two questions apart.

Two questions are near-duplicates when the Jaccard similarity of their sets is at least a
threshold and the shorter one has at most a few (by default no) words the longer lacks: adding a
word ("How long does the free trial last?") keeps the question, replacing one ("track" →
"tag") makes another question however long the rest is. :func:`similar_pairs` finds every such pair without comparing every pair: tokens are
ordered rarest first and only a short *prefix* of each set is indexed (the prefix filter of
Chaudhuri et al. and Bayardo et al.'s "AllPairs", keyed by combinations of several rare tokens
rather than one); two sets with similarity ≥ t must share such a combination, so candidates
come from short posting lists and are verified exactly. The result is exact (no false
negatives), unlike MinHash.
"""

from __future__ import annotations

import gc
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence

NORMALIZER_VERSION = "questions-1"
"""Changes whenever tokenisation changes (so cached extracts are recomputed)."""

STOP_WORDS = frozenset(
    {
        # articles
        "a", "an", "the",
        # auxiliaries: "How do I …" = "How can I …"
        "do", "does", "did", "can", "could", "would", "should", "will", "shall", "may", "might",
        "must", "is", "are", "am", "was", "were", "be", "been", "being", "have", "has", "had",
        # personal pronouns and determiners
        "i", "me", "my", "mine", "myself", "you", "your", "yours", "we", "us", "our", "ours",
        "it", "its", "this", "that", "these", "those", "there", "here", "please",
    }
)  # fmt: skip
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_CONTRACTIONS = (
    (re.compile(r"\bcan't\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'(?:s|re|ve|ll|d|m)\b"), ""),
)
_WORD = re.compile(r"[^\W_]+")
_EPSILON = 1e-9


def normalize_question(text: str) -> str:
    """Lower case, contractions expanded, punctuation dropped, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return " ".join(_WORD.findall(text))


def question_tokens(text: str) -> list[str]:
    """The sorted, distinct content tokens of a question (see the module documentation)."""
    words = normalize_question(text).split()
    return sorted({_fold_plural(w) for w in words if w not in STOP_WORDS})


NEGATIONS = frozenset({"not", "no", "never", "cannot", "without", "nothing", "none"})


def is_negated(tokens: Sequence[str]) -> bool:
    """Whether a question is negated ("Why can't I sign in?"): such a question never duplicates
    one that is not, however many words they share."""
    return any(token in NEGATIONS for token in tokens)


def _fold_plural(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    return word


def near_duplicates(
    a: Sequence[str], b: Sequence[str], threshold: float, replaced: int | None = None
) -> bool:
    """The test :func:`similar_pairs` applies to two token sets (for one pair at a time)."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return False
    inter = len(sa & sb)
    if replaced is not None and min(len(sa), len(sb)) - inter > replaced:
        return False
    return jaccard(a, b) >= threshold - _EPSILON


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    inter = len(sa & sb)
    return inter / (len(sa) + len(sb) - inter)


KEY_BUDGET = 40
"""Most index keys one set contributes per size it may match (bounds the index's size)."""


def similar_pairs(
    token_sets: Sequence[Sequence[str]],
    owners: Sequence[int],
    threshold: float,
    replaced: int | None = None,
) -> Iterator[tuple[int, int, float]]:
    """Every pair `(i, j, similarity)` (i < j) of sets from different owners whose Jaccard
    similarity is at least `threshold` (0 < threshold ≤ 1) and — unless `replaced` is None —
    where the smaller set has at most `replaced` tokens the larger lacks (words replaced by
    others; the larger set's other extra words are additions). Empty sets never match.

    Sets are visited from small to large, tokens ordered rarest first. A set x of size s can
    only match a set y (no larger) that shares α = ⌈t·s⌉ of its tokens, and then the first
    s − α + k tokens of x and the first |y| − α + k tokens of y share k tokens (the prefix
    filter, generalised from k = 1). So y is indexed, for every size s it could match, under
    each k-token combination of that prefix, and x looks up its own combinations. k is as large
    as :data:`KEY_BUDGET` allows: near α for a high threshold, so a key is most of a question
    and its posting list holds only questions that are nearly the same — even when every word
    on its own is common (a fixed vocabulary over a growing corpus). Candidates are verified
    exactly, so the result is exact.
    """
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    # The join allocates millions of small objects and frees none: the cyclic garbage collector
    # would rescan them over and over (super-linear time) for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        found = _join(token_sets, owners, threshold, replaced)
    finally:
        if collecting:
            gc.enable()
    yield from found


def _join(
    token_sets: Sequence[Sequence[str]],
    owners: Sequence[int],
    threshold: float,
    replaced: int | None,
) -> list[tuple[int, int, float]]:
    found: list[tuple[int, int, float]] = []
    frequency = Counter(token for tokens in token_sets for token in set(tokens))
    rank = {token: n for n, (token, _) in enumerate(sorted(frequency.items(), key=_rarest))}
    records = [sorted({rank[token] for token in tokens}) for tokens in token_sets]
    as_sets = [frozenset(record) for record in records]
    order = sorted(range(len(records)), key=lambda i: len(records[i]))
    plans: dict[int, tuple[int, int]] = {}
    # Posting lists as linked lists in two flat arrays (key → newest posting; posting → record,
    # next posting): millions of keys cost no Python list each.
    heads: dict[int, int] = {}
    posting_record: list[int] = []
    posting_next: list[int] = []
    for x in order:
        record = records[x]
        size = len(record)
        if not size:
            continue
        overlap, k = _plan(size, threshold, plans)
        smallest = threshold * size - _EPSILON
        candidates: set[int] = set()
        for combo in itertools.combinations(record[: size - overlap + k], k):
            posting = heads.get(hash((size, combo)), -1)
            while posting >= 0:
                y = posting_record[posting]
                if owners[y] != owners[x] and len(records[y]) >= smallest:
                    candidates.add(y)
                posting = posting_next[posting]
        for target in range(size, math.floor(size / threshold + _EPSILON) + 1):
            overlap_t, k_t = _plan(target, threshold, plans)
            if overlap_t > size:
                break
            for combo in itertools.combinations(record[: size - overlap_t + k_t], k_t):
                key = hash((target, combo))
                posting_next.append(heads.get(key, -1))
                heads[key] = len(posting_record)
                posting_record.append(x)
        for y in candidates:
            inter = len(as_sets[x] & as_sets[y])
            union = size + len(records[y]) - inter
            if replaced is not None and len(records[y]) - inter > replaced:
                continue  # (x, the larger, lacks at least as many of y's as y lacks of x's)
            if inter >= threshold * union - _EPSILON:
                found.append((min(x, y), max(x, y), inter / union))
    return found


def _plan(size: int, threshold: float, plans: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(α, k) for sets of `size`: the overlap a match needs, and the key width to index."""
    if size not in plans:
        overlap = max(1, math.ceil(threshold * size - _EPSILON))
        slack = size - overlap
        k = 1
        while k < overlap and math.comb(slack + k + 1, k + 1) <= KEY_BUDGET:
            k += 1
        plans[size] = (overlap, k)
    return plans[size]


def _rarest(entry: tuple[str, int]) -> tuple[int, str]:
    token, count = entry
    return (count, token)
