"""When a span the model calls PERSON is a name (the lexicon is a fixed set here)."""

from __future__ import annotations

import pytest

from pipeline.lint.pii.person import PersonFilter, clean_word, is_given_name, name_words, worth_ner

COMMON = frozenset(
    [
        "settings",
        "billing",
        "convert",
        "remote",
        "page",
        "json",
        "format",
        "runner",
        "mode",
        "sass",
        "dart",
        "linux",
        "smith",
        "brown",
        "contact",
        "customer",
        "please",
        "lima",
        "search",
        "functions",
        "maria",
    ]
)
FILTER = PersonFilter(glossary=frozenset({"parcelly", "hugo pipes"}), is_common=COMMON.__contains__)


def keep(span: str, before: str = "", after: str = "", code: frozenset[str] = frozenset()) -> bool:
    return FILTER.name_in(span, before.split(), after.split(), code) is not None


@pytest.mark.parametrize(
    ("span", "before", "after"),
    [
        ("Maria Gonzalez", "Please contact", "about the refund."),
        ("John Smith", "Customer", "reported a broken label."),
        ("Priya Raghunathan", "Ask", "in finance."),
        ("Gonzalez", "Ms.", "called."),
        ("Maria", "Please contact", "about the refund."),
        ("Sarah", "", "said the locker was full."),
        ("Siobhan O'Brien", "I spoke with", "from billing."),
        ("Jean-Luc Picard", "", "wants his money back."),
        ("Brian P. Hogan", "Author:", ""),
        ("Ludwig van Beethoven", "", "wrote it."),
        ("Bjørn Pedersen's", "", "order"),
    ],
)
def test_names_are_kept(span: str, before: str, after: str) -> None:
    assert keep(span, before, after)


@pytest.mark.parametrize(
    ("span", "before", "after", "code"),
    [
        ("JSON", "", "output", frozenset()),
        ("Convert", "The", "button", frozenset()),
        ("Settings", "Go to", "and select", frozenset()),
        ("Page Resources", "", "", frozenset()),
        ("Dart Sass", "Install", "", frozenset()),
        ("/blog/:year/:month/:slug/", "", "", frozenset()),
        ("enableEmoji", "", "", frozenset()),
        ("GitHub", "", "", frozenset()),
        ("Emacs Org Mode", "", "", frozenset()),
        ("Grace", "The", "period ends today", frozenset()),  # a lone given name needs context
        ("Ana Lima", "", "", frozenset()),  # `Lima` is a common word and not a known surname
        ("Parcelly Gonzalez", "", "", frozenset()),  # glossary term
        ("Hugo Pipes", "", "", frozenset()),  # multi-word glossary term
        ("Maria Gonzalez", "", "", frozenset({"gonzalez"})),  # written in lower case in code
        ("Alpha Beta Gamma Delta Epsilon", "", "", frozenset()),  # too long for a name
    ],
)
def test_non_names_are_dropped(span: str, before: str, after: str, code: frozenset[str]) -> None:
    assert not keep(span, before, after, code)


def test_common_words_the_model_took_in_move_to_the_context() -> None:
    span = "Contact Maria Gonzalez"
    assert FILTER.name_in(span, [], [], frozenset()) == (8, 22)


def test_name_words_and_clean_word() -> None:
    assert clean_word("**Gonzalez's**,") == "Gonzalez"
    assert clean_word("P.") == "P."
    assert clean_word("Smith.") == "Smith"
    words = name_words("Brian P. Hogan")
    assert words is not None
    assert [(w.text, w.kind) for w in words] == [
        ("Brian", "name"),
        ("P.", "initial"),
        ("Hogan", "name"),
    ]
    assert name_words("hugo mod - Manage") is None
    assert is_given_name("Jean-Luc") and is_given_name("Bjørn") and not is_given_name("Hugo")


@pytest.mark.parametrize(
    ("text", "worth"),
    [
        ("Please contact Maria Gonzalez about the refund.", True),
        ("Customer John reported a broken label.", True),
        ("Dear Ms. Okafor, your parcel is here.", True),
        ("Hugo uses Goldmark to render Markdown.", False),
        ("Go to **Settings → Security** and select Enable.", False),  # arrow between the words
        ("Run the command and check the output.", False),
        ("Parcelly Pro includes pickup points.", False),  # glossary words are not names
    ],
)
def test_worth_ner(text: str, worth: bool) -> None:
    assert worth_ner(text, frozenset({"parcelly", "pro"}), frozenset()) is worth
