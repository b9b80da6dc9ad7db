"""Question tokens and the near-duplicate join behind `conflicts.duplicate-question`."""

from __future__ import annotations

import random

import pytest

from pipeline.lint.conflicts.questions import (
    is_negated,
    jaccard,
    near_duplicates,
    normalize_question,
    question_tokens,
    similar_pairs,
)

# --- questions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("How do I reset my password?", "How can I reset my password?", True),
        ("How do I reset my password?", "how do i reset my password", True),
        ("Where are my parcels?", "Where is my parcel?", True),
        ("What's the API rate limit?", "What is the API rate limit?", True),
        ("How do I reset my password?", "How do I change my password?", False),
        ("How do I send a parcel to a locker?", "How do I send a parcel from a locker?", False),
    ],
)
def test_question_tokens(a: str, b: str, same: bool) -> None:
    assert (question_tokens(a) == question_tokens(b)) is same


def test_negation_survives_normalisation() -> None:
    assert normalize_question("Why can't I sign in?") == "why can not i sign in"
    assert is_negated(question_tokens("Why doesn’t my code work?"))
    assert not is_negated(question_tokens("Why does my code work?"))


def test_similar_pairs_equals_brute_force() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(40)]
    sets = []
    for _ in range(400):
        base = rng.sample(vocabulary, rng.randint(1, 9))
        sets.append(base)
        if rng.random() < 0.3:  # a near copy
            copy = list(base)
            if rng.random() < 0.5:
                copy.append(rng.choice(vocabulary))
            elif len(copy) > 1:
                copy.pop()
            sets.append(copy)
    owners = [n // 3 for n in range(len(sets))]
    for threshold in (0.3, 0.5, 0.7, 0.8, 0.9, 1.0):
        for replaced in (None, 0, 1):
            fast = {(i, j) for i, j, _ in similar_pairs(sets, owners, threshold, replaced)}
            slow = {
                (i, j)
                for i in range(len(sets))
                for j in range(i + 1, len(sets))
                if owners[i] != owners[j] and near_duplicates(sets[i], sets[j], threshold, replaced)
            }
            assert fast == slow, (threshold, replaced)
            assert slow  # the data has pairs at every setting


def test_near_duplicates_allow_added_words_not_replaced_ones() -> None:
    trial = question_tokens("How long is the free trial?")
    last = question_tokens("How long does the free trial last?")
    assert jaccard(trial, last) == 0.8
    assert near_duplicates(trial, last, 0.8, replaced=0)
    track = question_tokens("What do I need to track this monthly credit note in bulk?")
    tag = question_tokens("What do I need to tag this monthly credit note in bulk?")
    assert jaccard(track, tag) >= 0.8
    assert not near_duplicates(track, tag, 0.8, replaced=0)
    assert near_duplicates(track, tag, 0.8, replaced=1)
