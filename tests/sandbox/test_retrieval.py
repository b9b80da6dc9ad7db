"""BM25 retrieval and the confidence it reports."""

from __future__ import annotations

from pipeline.sandbox.retrieval import Bm25Index, Passage, confidence_level, summarize, tokenize

PASSAGES = [
    Passage("hours", "Support hours", "Support is available Monday to Friday, 9 to 6."),
    Passage("returns", "Returns", "Return items within 30 days.", question="How do I return?"),
    Passage("delivery", "Delivery", "We deliver same-day in most cities.", "Same-day delivery?"),
    Passage("contact", "Contact", "Email support or call the hotline."),
]


def test_tokenize_lowercases_drops_stop_words_and_folds_plurals() -> None:
    assert tokenize("What are THE Support Hours for policies and classes?") == [
        "support",
        "hour",
        "policy",
        "class",
    ]
    assert tokenize("") == []
    assert tokenize("the and of") == []


def test_the_document_holding_the_question_terms_ranks_first() -> None:
    index = Bm25Index(PASSAGES)
    assert index.search("When is support available?").best.key == "hours"  # type: ignore[union-attr]
    assert index.search("how to return an item").best.key == "returns"  # type: ignore[union-attr]
    assert index.search("same day delivery").best.key == "delivery"  # type: ignore[union-attr]


def test_titles_count_more_than_bodies() -> None:
    index = Bm25Index(
        [Passage("body", "Other", "returns returns policy"), Passage("title", "Returns", "policy")]
    )
    assert [hit.key for hit in index.search("returns").hits] == ["title", "body"]


def test_confidence_reflects_coverage_and_lead() -> None:
    index = Bm25Index(PASSAGES)
    full = index.search("same-day delivery")
    assert full.confidence_level == "high"
    assert 0.8 <= full.confidence_score <= 1.0
    alone = Bm25Index(PASSAGES[:1]).search("support hours")
    assert (alone.confidence_level, alone.confidence_score) == ("high", 1.0)
    partial = index.search("delivery on mars with rockets")
    assert partial.best is not None and partial.best.key == "delivery"
    assert partial.confidence_level == "low"
    assert 0 < partial.confidence_score < 0.45
    nothing = index.search("xyzzy")
    assert (nothing.hits, nothing.confidence_score, nothing.confidence_level) == ((), 0.0, "low")
    assert Bm25Index([]).search("support").confidence_score == 0.0


def test_confidence_levels() -> None:
    assert [confidence_level(s) for s in (0.0, 0.44, 0.45, 0.74, 0.75, 1.0)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_summarize_takes_the_first_sentences_of_the_prose() -> None:
    markdown = (
        "# Title\n\nSupport is **open** daily. See [the page](https://x.test) for more!"
        " Third sentence.\n"
    )
    assert summarize(markdown) == "Support is open daily. See the page for more!"
    assert summarize("word " * 200, limit=20) == "word word word word…"


def test_an_index_built_like_another_answers_as_one_built_alone() -> None:
    """Reused term counts: only for the same key with the same text (an edited passage, a
    passage whose key moved to other text, a new one are tokenized), and no score moves."""
    before = Bm25Index(PASSAGES)
    edited = [
        Passage("hours", "Support hours", "Support is available every day, 8 to 8."),
        PASSAGES[1],
        Passage("contact", "Delivery", "We deliver same-day in most cities.", "Same-day delivery?"),
        Passage("new", "Holidays", "Support is closed on public holidays."),
    ]
    alone, like = Bm25Index(edited), Bm25Index(edited, like=before)
    for query in ("When is support available?", "how to return", "same day delivery", "holiday"):
        assert like.search(query) == alone.search(query)
        for passage in edited:
            assert like.score(passage.key, query) == alone.score(passage.key, query)
    assert like.search("every day 8").best.key == "hours"  # type: ignore[union-attr]
    assert like.search("Email hotline").hits == ()
