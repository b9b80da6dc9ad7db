"""The payload gate's check: the `secrets.*` and `pii.*` rules on the exact text that leaves.

Lint reads the Markdown as written; sync sends it normalised (comments, tags and emphasis
removed, code spans unwrapped), and normalising can join what the source kept apart:
`ghp_9gK3…**qR6s…**` is no token to a scanner of the source, but `ghp_9gK3…qR6s…` in the
payload is. :class:`OutboundChecker` runs the same detectors, with the same allow lists,
placeholders, rule selection and in-file suppressions, on an
:class:`~pipeline.corpus.outbound.OutboundText` and reports each finding, masked, on the
source line the text came from.

Cost (budget: +15% on a full plan): the secrets scan runs on the whole text (it is cheap). The
pii rules look only at what normalising made new, since lint's own pii rules read the source
and `sync` runs lint first: Presidio's pattern recognizers (e-mail, phone, card, IBAN, …) run
on a line only for a candidate value (a digit run, an `@…`) that the source file does not hold
verbatim, and the spaCy model, which finds names, only on lines holding a capitalised word
that is not a word of the source file, i.e. one that markup split (`**Jo**hn` → `John`).

Invisible characters (Unicode's format characters: zero-width spaces and joiners, soft hyphens,
word joiners, direction marks — written as such or as entities like `&shy;`) are removed from
the text before it is checked: a token they split reads whole to the assistant and to whoever
copies it, so `AKIA\u200bZQ7…` is the key, not two harmless words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

from pipeline.config import CONFIG_FILE, Settings
from pipeline.corpus import Document, Item, SourceFile
from pipeline.corpus.outbound import OutboundFinding, OutboundText
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.pii.entities import ENTITIES
from pipeline.lint.pii.regions import Region
from pipeline.lint.pii.scanner import scanner_for
from pipeline.lint.pii.settings import PiiSettings, resolve
from pipeline.lint.rules.secrets import RULES as SECRET_RULES
from pipeline.lint.secrets import shared_scanner
from pipeline.lint.secrets.detection import Detection
from pipeline.lint.secrets.scanner import SecretScanner, scan_text
from pipeline.lint.selection import is_selected
from pipeline.lint.suppress import Suppression, parse_suppressions

_WORD = re.compile(r"[^\W_]+")
_INVISIBLE = regex.compile(r"\p{Cf}+")
"""Format characters: invisible, so a token they split still reads (and copies) whole."""
_JOIN = regex.compile(r"[^\W_](?:[*_~`\p{Cf}]+|<!--.*?-->|<[^<>]*>|&#?\w+;)+[^\W_]", regex.S)
"""Markup, an entity or an invisible character inside a word (`Jo**hn**`, `Mi<b>ke</b>`,
`J&#111;hn`): only its removal makes a word the source does not hold, so a file without it
needs no name check on its payload."""
_HINT = re.compile(r"[\d@]|::|:[0-9a-f]{1,4}:|-[0-9a-f]{4}-", re.I)
"""Every pii candidate expression needs one of these (URL, off by default, has none)."""
_PREFIX = 6
"""Characters of a found value looked for in the source lines to name the exact line."""
WHERE = "in the text kbsync sends for this item (Markdown removed)"


class Detectors:
    """One configuration's selected secrets and pii detectors: the scanner with its allow
    list, the `secrets.*` rules selected (with their remedies), the resolved pii settings and
    the entities whose rules are selected. Resolved once per command and shared by the payload
    gate (:class:`OutboundChecker`) and the report masker (:class:`pipeline.lint.redact.TextMasker`)."""

    def __init__(self, settings: Settings) -> None:
        lint = settings.lint
        where = settings.source or settings.root / CONFIG_FILE
        self.secrets: SecretScanner = shared_scanner(
            lint.secrets.entropy_threshold, tuple(lint.secrets.allow), where
        )
        self.secret_rules: dict[str, str] = {
            rule.id: rule.remedy
            for rule in SECRET_RULES
            if is_selected(rule.id, "secrets", lint.select, lint.ignore)
        }
        self.pii: PiiSettings = resolve(lint.pii, where)
        self.entities: list[str] = sorted(
            name
            for name in self.pii.entities
            if is_selected(ENTITIES[name].rule_id, "pii", lint.select, lint.ignore)
        )

    def secrets_in(self, text: str) -> Iterator[Detection]:
        """The secrets in `text` that a selected rule reports and the allow list does not."""
        if not text or not self.secret_rules:
            return
        for detection in scan_text(text, self.secrets.entropy_threshold):
            rule = f"secrets.{detection.family.value}"
            if rule in self.secret_rules and not self.secrets.allow.allows(detection):
                yield detection


def prose_document(source: SourceFile, prose: str) -> Document:
    """A body-only document over `source` whose prose (what pii detectors read) is `prose`."""
    return Document(kind="doc", source=source, meta={}, meta_lines={}, body_start=0, prose=prose)


class OutboundChecker:
    """Checks outbound texts with one configuration's secrets and pii rules.

    Built once per command (it resolves the configuration and, on first need, loads the spaCy
    model); called once per item read.
    """

    def __init__(self, settings: Settings) -> None:
        self.detectors = Detectors(settings)
        self._remedies = self.detectors.secret_rules
        self._pii: PiiSettings = self.detectors.pii
        self._entities = self.detectors.entities
        self._candidates = {
            name: ENTITIES[name].candidate
            for name in sorted(self._pii.pattern_entities)
            if name in self._entities
        }
        patterns = [c.pattern for c in self._candidates.values() if c is not None]
        everything = any(c is None for c in self._candidates.values()) or not patterns
        self._any_candidate = re.compile(
            ".|\n" if everything else "|".join(f"(?:{p})" for p in patterns), re.I
        )

    def __call__(self, item: Item, outbound: OutboundText) -> list[OutboundFinding]:
        """Every secret and personal datum in `outbound`, not suppressed in `item`'s file."""
        outbound, hidden = _visible(outbound)
        found = [
            *self._secret_findings(item, outbound),
            *self._pii_findings(item, outbound, hidden),
        ]
        if not found:
            return []
        suppressions = parse_suppressions(item)
        kept = [f for f in found if not _suppressed(f, suppressions)]
        return sorted(set(kept), key=lambda f: (f.line, f.rule, f.message))

    def _secret_findings(self, item: Item, outbound: OutboundText) -> Iterator[OutboundFinding]:
        if not self._remedies:
            return
        text = outbound.text
        for detection in self.detectors.secrets_in(text):
            rule = f"secrets.{detection.family.value}"
            line = _source_line(item, outbound, detection.start, detection.value)
            message = f"{detection.label} ({detection.masked}) {WHERE}: {self._remedies[rule]}"
            yield OutboundFinding(rule, item.path, line, message)

    def _pii_findings(
        self, item: Item, outbound: OutboundText, hidden: frozenset[int]
    ) -> Iterator[OutboundFinding]:
        """`hidden`: lines that held invisible characters (lint's view of them proves nothing)."""
        if not self._entities:
            return
        text, source = outbound.text, item.text
        lines = text.split("\n")
        # A line its source lines hold verbatim can hold no value lint did not see.
        changed = [
            line if line.strip() and line not in _origin_text(item, outbound, index) else ""
            for index, line in enumerate(lines)
        ]
        if not any(changed):
            return
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        regions = self._novel_regions(text, starts, changed, source, hidden)
        joined = _JOIN.search(source, item.body_start) is not None
        ner_lines = _new_name_lines(changed, source) if joined else [""] * len(changed)
        if not regions and not any(ner_lines):
            return
        sent = prose_document(
            SourceFile(item.path, text, tuple(starts)),
            "\n".join(k or " " * len(line) for k, line in zip(ner_lines, lines, strict=True)),
        )
        scanner = scanner_for(self._pii)
        plan = scanner.plan(sent)
        plan.pattern_regions = regions
        if not any(ner_lines):
            plan.ner_segments = []
        for entity in self._entities:
            spec = ENTITIES[entity]
            if not scanner.needs(sent, entity):
                continue
            for _, detection in scanner.detections([sent], entity):
                value = text[detection.start : detection.end]
                number = _source_line(item, outbound, detection.start, value)
                message = (
                    f"{spec.label} '{detection.masked}' {WHERE} looks like personal data: "
                    f"remove it or use {spec.instead}"
                )
                yield OutboundFinding(spec.rule_id, item.path, number, message)

    def _novel_regions(
        self, text: str, starts: list[int], changed: list[str], source: str, hidden: frozenset[int]
    ) -> list[Region]:
        """One region per changed line (with the line before, for context words) holding a
        candidate value of some entity that the source does not hold verbatim (on a `hidden`
        line, any candidate: an invisible character may have split the value lint saw)."""
        if not self._candidates:
            return []
        regions: list[Region] = []
        for index, line in enumerate(changed):
            if not line or not _HINT.search(line) or not self._any_candidate.search(line):
                continue
            entities = frozenset(
                name
                for name, candidate in self._candidates.items()
                if _has_new_candidate(line, candidate, "" if index in hidden else source)
            )
            if entities:
                lo = starts[max(index - 1, 0)]
                hi = starts[index] + len(line)
                regions.append(Region(text[lo:hi], ((0, lo),), None, entities))
        return regions


def _visible(outbound: OutboundText) -> tuple[OutboundText, frozenset[int]]:
    """`outbound` without invisible characters (none is a line break: lines keep their place),
    and the indexes of the lines that held some."""
    if not _INVISIBLE.search(outbound.text):
        return outbound, frozenset()
    lines = outbound.text.split("\n")
    hidden = frozenset(i for i, line in enumerate(lines) if _INVISIBLE.search(line))
    text = "\n".join(_INVISIBLE.sub("", line) for line in lines)
    return OutboundText(outbound.path, text, outbound.origins), hidden


def _origin_text(item: Item, outbound: OutboundText, index: int) -> str:
    """The source lines line `index` of the outbound text was rendered from."""
    first, last = outbound.origin(index)
    starts = item.source.line_starts
    if not 1 <= first <= len(starts):
        return ""
    end = starts[last] if last < len(starts) else len(item.text)
    return item.text[starts[first - 1] : end]


def _new_name_lines(changed: list[str], source: str) -> list[str]:
    """The changed lines holding a capitalised word the source does not hold as a word.

    Names are capitalised words (the name checks require it): only such a word, made by markup
    removal (`**Jo**hn`), can make a name lint's model did not see in the source.
    """
    source_words: set[str] | None = None
    out: list[str] = []
    for line in changed:
        new = ""
        if line:
            capitalised = [w for w in _WORD.findall(line) if w[0].isupper()]
            if capitalised:
                if source_words is None:
                    source_words = set(_WORD.findall(source))
                if any(w not in source_words for w in capitalised):
                    new = line
        out.append(new)
    return out


def _has_new_candidate(text: str, candidate: re.Pattern[str] | None, source: str) -> bool:
    if candidate is None:
        return any(line.strip() and line.strip() not in source for line in text.split("\n"))
    return any(match.group(0) not in source for match in candidate.finditer(text))


def _source_line(item: Item, outbound: OutboundText, offset: int, value: str) -> int:
    """The source line a value at `offset` of the outbound text came from.

    A paragraph joined from several lines maps to all of them: the line holding the value's
    first characters is named, else the paragraph's first line.
    """
    first, last = outbound.origin(outbound.text.count("\n", 0, offset))
    head = value[:_PREFIX]
    if head and last > first:
        for number in range(first, last + 1):
            if head in item.source.line_text(number):
                return number
    return first


def _suppressed(finding: OutboundFinding, suppressions: list[Suppression]) -> bool:
    probe = Finding(
        rule=finding.rule,
        category=finding.rule.split(".", 1)[0],
        severity=Severity.ERROR,
        path=finding.path,
        line=finding.line,
        column=1,
        end_line=finding.line,
        end_column=1,
        message="",
    )
    return any(s.covers(probe) for s in suppressions)
