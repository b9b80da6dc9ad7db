"""Is a span the model tagged PERSON a person's name? The checks that make `pii.person` usable.

On technical text the small spaCy model tags headings, UI labels and product names as people
(`JSON`, `Convert`, `Dart Sass`, `/blog/:year/`). A span is kept only when it *looks like a name*
and a *second signal* agrees:

Looks like a name — every word is capitalised like a name (`Maria`, `O'Brien`, `Jean-Luc`,
`McDonald`; initials `P.` and particles `van`, `de` between), so code-like tokens (`enableEmoji`,
`JSON`, paths, digits) fail; no word is a glossary term; no word is written in lower case in the
file's code (`hugo`, `git`: the name of a command is not a person); at most four words.

Second signal — one of:

- a title right before it (`Ms. Gonzalez`, `Dr. Rao`);
- it starts with a known given name and every other word is a surname-like word (not a common
  English word, or a known surname: `John Smith`, `Maria Gonzalez`);
- it has two or more words and none is a common English word (`Priya Raghunathan`);
- it is a lone given name next to a word that goes with people (`contact Maria`, `Maria said`).

Common words are the model's own lexicon (the lemmatizer's word index) plus spaCy's stop words.
The same rules, minus the lexicon, decide cheaply which prose segments are worth sending to the
model at all (:func:`worth_ner`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from pipeline.lint.pii.names import (
    GIVEN_NAMES,
    HONORIFICS,
    NAME_PARTICLES,
    PERSON_CONTEXT,
    SURNAMES,
)

_NAME_WORD = regex.compile(r"^(?:Mc|Mac|O['’]|D['’])?\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)*$")
_INITIAL = regex.compile(r"^\p{Lu}\.$")
_NAME_PREFIX = regex.compile(r"^(?:Mc|Mac|O['’]|D['’])\p{Lu}")
_EDGE = '*_~`[](){}<>\\,;:!?"“”‘’-'
_SPACED = regex.compile(r"\S+")
_NAMEISH = r"(?<!\S)[^\s\p{L}]{0,3}\p{Lu}[\p{Ll}'’]"
_GATE = regex.compile(
    # Cheap superset of what worth_ner looks for: two name-like words close together, a title,
    # or a word that goes with people.
    _NAMEISH + r"\S*\s+(?:\S{1,4}\s+){0,3}" + _NAMEISH
    + r"|(?i:(?<![\w.])(?:" + "|".join(sorted(HONORIFICS | PERSON_CONTEXT)) + r")(?!\w))"
)  # fmt: skip
MAX_NAME_WORDS = 4
CONTEXT_BEFORE = 5
CONTEXT_AFTER = 3


@dataclass(frozen=True)
class NameWord:
    """One word of a candidate name and where it is in the span."""

    text: str
    kind: str
    """`name`, `initial` or `particle`."""
    start: int
    end: int


def clean_word(word: str) -> str:
    """A word without surrounding punctuation, a possessive `'s` or a sentence's full stop."""
    word = word.strip(_EDGE)
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            word = word[: -len(suffix)]
            break
    if word.endswith(".") and not _INITIAL.match(word):
        word = word.rstrip(".")
    return word


def name_words(span: str) -> list[NameWord] | None:
    """The span's words if every one could be part of a name, else None."""
    raw = []
    for match in _SPACED.finditer(span):
        clean = clean_word(match.group())
        if clean:
            at = match.start() + match.group().find(clean)
            raw.append((clean, at))
    words: list[NameWord] = []
    for index, (word, at) in enumerate(raw):
        if _INITIAL.match(word):
            kind = "initial"
        elif 0 < index < len(raw) - 1 and word in NAME_PARTICLES:
            kind = "particle"
        elif _NAME_WORD.match(word):
            kind = "name"
        else:
            return None
        words.append(NameWord(word, kind, at, at + len(word)))
    if not any(w.kind == "name" for w in words):
        return None
    return words


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_given_name(word: str) -> bool:
    """A known given name (`Maria`, `Bjørn`; `Jean-Luc` by its first part)."""
    lower = word.lower()
    first = lower.split("-", 1)[0]
    return any(w in GIVEN_NAMES or _fold(w) in GIVEN_NAMES for w in {lower, first})


def _bare(word: str) -> str:
    return clean_word(word).rstrip(".").lower()


def is_excluded(word: str, glossary: frozenset[str], code_terms: frozenset[str]) -> bool:
    """A glossary term, or a word the file writes in lower case in its code."""
    lower = word.lower()
    return lower in glossary or lower in code_terms


def _glossary_phrase(span: str, glossary: frozenset[str]) -> bool:
    text = " " + " ".join(_bare(w) for w in span.split()) + " "
    return any(" " in term and f" {term} " in text for term in glossary)


class PersonFilter:
    """Decides whether a PERSON span is kept (see the module documentation)."""

    def __init__(self, glossary: frozenset[str], is_common: Callable[[str], bool]) -> None:
        self.glossary = glossary
        self.is_common = is_common

    def name_in(
        self,
        span: str,
        before: Sequence[str],
        after: Sequence[str],
        code_terms: frozenset[str],
    ) -> tuple[int, int] | None:
        """Where in `span` a person's name is, or None (see the module documentation).

        Common words the model took in at the start (`Contact Maria Gonzalez`) are moved to
        the context first.
        """
        words = name_words(span)
        if words is None or _glossary_phrase(span, self.glossary):
            return None
        before = [*before]
        after = [*after]
        while len(words) > 1 and self._plain_word(words[0]):
            before.append(words.pop(0).text)
        while words and words[-1].kind != "name":
            words.pop()
        names = [w.text for w in words if w.kind == "name"]
        if not names or len(names) > MAX_NAME_WORDS:
            return None
        if any(is_excluded(n, self.glossary, code_terms) for n in names):
            return None
        where = (words[0].start, words[-1].end)
        if before and _bare(before[-1]) in HONORIFICS:
            return where
        given = is_given_name(names[0])
        if len(names) >= 2:
            if given and all(self._surname_like(n) for n in names[1:]):
                return where
            if all(is_given_name(n) or self._uncommon(n) for n in names):
                return where
            return None
        return where if given and _has_context(before, after) else None

    def _plain_word(self, word: NameWord) -> bool:
        """A capitalised common word that is neither a given name nor a surname (`Contact`)."""
        lower = word.text.lower()
        return (
            word.kind == "name"
            and self.is_common(lower)
            and not is_given_name(word.text)
            and lower not in SURNAMES
        )

    def _uncommon(self, word: str) -> bool:
        """Not an English word; `O'Brien` and `McKay` never are, whatever the lexicon says."""
        return bool(_NAME_PREFIX.match(word)) or not self.is_common(word.lower())

    def _surname_like(self, word: str) -> bool:
        return word.lower() in SURNAMES or is_given_name(word) or self._uncommon(word)


def _has_context(before: Sequence[str], after: Sequence[str]) -> bool:
    nearby = [*before[-CONTEXT_BEFORE:], *after[:CONTEXT_AFTER]]
    return any(_bare(w) in PERSON_CONTEXT for w in nearby)


def worth_ner(text: str, glossary: frozenset[str], code_terms: frozenset[str]) -> bool:
    """Could the model find a name here that :class:`PersonFilter` keeps? (No model needed.)

    True when the text has two name-like words in a row (initials and particles may stand
    between), a title before a name-like word, or a given name near a word that goes with people.
    """
    if not _GATE.search(text):
        return False
    words = text.split()
    previous_name = False
    for index, word in enumerate(words):
        clean = clean_word(word)
        if _INITIAL.match(clean) or (previous_name and clean in NAME_PARTICLES):
            continue  # keeps `previous_name` across `P.` and `van`
        is_name = bool(_NAME_WORD.match(clean)) and not is_excluded(clean, glossary, code_terms)
        if is_name:
            if previous_name:
                return True
            if index and _bare(words[index - 1]) in HONORIFICS:
                return True
            if is_given_name(clean) and _has_context(
                words[max(0, index - CONTEXT_BEFORE) : index], words[index + 1 :]
            ):
                return True
        previous_name = is_name
    return False
