"""Masking free text before a report prints it: every secret and personal datum lint would
find in it replaced by the masked form lint's findings show.

`kbsync impact` prints answers, questions and headings taken from the content, and its
Markdown is posted as a pull-request comment (public on an open-source repository). Lint and
the payload gate keep secrets out of what is *sent*; this keeps them out of what is *shown*,
whatever text the report quotes (an unchanged page, an eval's phrase, an answer cut from a
passage). The detectors, allow lists, placeholders and rule selection are lint's, so a value
lint accepts (an allowed support address, `AKIAIOSFODNN7EXAMPLE`) is shown as written. In-file
suppressions do not apply: a quoted text has left its file.

A quoted text may not hold a secret as its source wrote it: an answer is a summary, and a
summary drops Markdown (`ghp_9gK3…` becomes `ghp9gK3…`, which no detector knows). Given the
texts it was made from (`sources`), the masker also masks every secret found there, as written
and with emphasis and code marks removed, wherever it appears.

Cost: the secrets scan is cheap; Presidio's patterns run only on lines holding a candidate
value, and the spaCy model only on texts that could hold a name (:func:`worth_ner`), all the
texts of one report in one batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.corpus import SourceFile
from pipeline.lint.outbound import Detectors, prose_document
from pipeline.lint.pii.scanner import scanner_for
from pipeline.lint.pii.settings import PiiSettings

Span = tuple[int, int, str]
"""start, end, the masked form."""
_MARKS = re.compile(r"[*_`~]+")
"""Marks a summary of Markdown may drop from inside a value."""
_MIN_KNOWN = 8
"""Shorter forms of a known secret are not looked for (they would hit words)."""


class TextMasker:
    """Masks the secrets and personal data in texts, with one configuration's lint rules."""

    def __init__(self, detectors: Detectors) -> None:
        """`detectors`: the configuration's, as the payload gate resolved them
        (:attr:`pipeline.lint.outbound.OutboundChecker.detectors`)."""
        self._detectors = detectors
        self._pii: PiiSettings = detectors.pii
        self._entities = detectors.entities

    def __call__(self, texts: Sequence[str], sources: Sequence[str] = ()) -> list[str]:
        """`texts`, each with every value found (in it, or as a secret in `sources`) replaced
        by its masked form."""
        known = self._known(sources)
        spans: list[list[Span]] = [self._secret_spans(text, known) for text in texts]
        for index, found in self._pii_spans(texts).items():
            spans[index].extend(found)
        return [_replace(text, found) for text, found in zip(texts, spans, strict=True)]

    def _known(self, sources: Sequence[str]) -> dict[str, str]:
        """Each secret in `sources`, as written and without marks → its masked form."""
        known: dict[str, str] = {}
        for text in sources:
            for start, end, masked in self._secret_spans(text, {}):
                value = text[start:end]
                for form in (value, _MARKS.sub("", value)):
                    if len(form) >= _MIN_KNOWN:
                        known[form] = masked
        return known

    def _secret_spans(self, text: str, known: dict[str, str]) -> list[Span]:
        spans = self._detected(text)
        for form, masked in known.items():
            at = text.find(form)
            while at >= 0:
                spans.append((at, at + len(form), masked))
                at = text.find(form, at + len(form))
        return spans

    def _detected(self, text: str) -> list[Span]:
        return [(d.start, d.end, d.masked) for d in self._detectors.secrets_in(text)]

    def _pii_spans(self, texts: Sequence[str]) -> dict[int, list[Span]]:
        if not self._entities:
            return {}
        documents = {
            i: prose_document(SourceFile.from_text("(quoted text)", text), text)
            for i, text in enumerate(texts)
            if text.strip()
        }
        if not documents:
            return {}
        scanner = scanner_for(self._pii)
        found: dict[int, list[Span]] = {}
        index = {id(d): i for i, d in documents.items()}
        for entity in self._entities:
            wanted = [d for d in documents.values() if scanner.needs(d, entity)]
            if not wanted:
                continue
            for document, detection in scanner.detections(wanted, entity):
                if detection.start >= 0:
                    span = (detection.start, detection.end, detection.masked)
                    found.setdefault(index[id(document)], []).append(span)
        return found


def _replace(text: str, spans: list[Span]) -> str:
    """`text` with each span replaced; overlapping spans merge (the widest masked form kept)."""
    if not spans:
        return text
    merged: list[Span] = []
    for start, end, masked in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if end > last[1]:
                merged[-1] = (last[0], end, last[2])
            continue
        merged.append((start, end, masked))
    out: list[str] = []
    at = 0
    for start, end, masked in merged:
        out.append(text[at:start])
        out.append(masked)
        at = end
    out.append(text[at:])
    return "".join(out)
