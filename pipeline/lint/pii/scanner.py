"""Scanning a batch of files for personal data, once for every pii rule.

There is one pii rule per entity (so `--select pii.email_address` and the docs work per id), but
the work is shared: the first rule that asks about a batch runs the *pattern* pass (Presidio's
pattern recognizers on candidate lines) or the *NER* pass (one `nlp.pipe` over the prose
segments of every file in the batch) for all enabled entities of that pass, and the other rules
read the results. Results are kept per item object and dropped when the engine lets go of it.

Every raw result then goes through the filters, in order: the entity's score threshold, the
name checks (`PERSON`), look-alikes (a module path is not an e-mail address), documentation
placeholders (`example.com`, 555-01xx) and the allow list. What survives is a :class:`Detection`
that carries the masked value only.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.corpus import Item
from pipeline.lint import limits
from pipeline.lint.pii.entities import ENTITIES, SPECIFICITY
from pipeline.lint.pii.lookalikes import is_lookalike
from pipeline.lint.pii.person import PersonFilter, worth_ner
from pipeline.lint.pii.placeholders import is_placeholder
from pipeline.lint.pii.regions import (
    MAX_PATTERN_REGION,
    Region,
    pattern_regions,
    prose_segments,
    windows,
)
from pipeline.lint.pii.settings import PiiSettings

if TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult

    from pipeline.lint.pii.analyzer import PiiAnalyzer

PATTERN = "pattern"
NER = "ner"
_AROUND = 40
_CODE_WORD = re.compile(r"(?<![A-Za-z])[a-z]{2,}(?![A-Za-z])")


@dataclass(frozen=True)
class Detection:
    """One reportable value: where it is and its masked form (never the value itself)."""

    entity: str
    start: int
    """File offset; -1 when the value is a frontmatter value not written verbatim (see `key`)."""
    end: int
    key: str | None
    """The shown frontmatter key (`title`, `question`, `alternates`) it was found in, if any."""
    masked: str
    score: float


@dataclass
class ItemPlan:
    """What of one file each pass analyses (worked out when first asked), and what it found.

    It holds no reference to the item, so the item can be collected and the plan with it.
    """

    pattern_regions: list[Region] | None = None
    ner_segments: list[Region] | None = None
    code_terms: frozenset[str] | None = None
    found: dict[str, list[Detection]] = field(default_factory=dict)
    allow_ran_out: set[str] = field(default_factory=set)
    """Entities for which an allow-list regex ran out of time here (so nothing was allowed)."""


def code_terms(item: Item) -> frozenset[str]:
    """Words the file writes in lower case inside code (`hugo`, `git`): names of things."""
    text = item.text
    words: set[str] = set()
    for span in item.code_spans:
        words.update(_CODE_WORD.findall(text, span.start, span.end))
    return frozenset(words)


class PiiScanner:
    """The shared state of the pii rules of one configuration in one process."""

    def __init__(self, settings: PiiSettings) -> None:
        self.settings = settings
        self._plans: dict[int, ItemPlan] = {}
        self._person: PersonFilter | None = None
        self._candidates = {
            name: ENTITIES[name].candidate for name in sorted(settings.pattern_entities)
        }

    # --- planning (no model needed) --------------------------------------------------------------

    def plan(self, item: Item) -> ItemPlan:
        key = id(item)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = ItemPlan()
            weakref.finalize(item, self._plans.pop, key, None)
        return plan

    def pattern_regions(self, item: Item) -> list[Region]:
        plan = self.plan(item)
        if plan.pattern_regions is None:
            plan.pattern_regions = [
                window
                for region in pattern_regions(item, self._candidates)
                for window in windows(region, MAX_PATTERN_REGION)
            ]
        return plan.pattern_regions

    def ner_segments(self, item: Item) -> list[Region]:
        plan = self.plan(item)
        if plan.ner_segments is None:
            ner_entities = self.settings.ner_entities
            if ner_entities == {"PERSON"}:
                glossary, terms = self.settings.glossary, self.code_terms(item)
                plan.ner_segments = prose_segments(
                    item, lambda text: worth_ner(text, glossary, terms)
                )
            else:
                plan.ner_segments = prose_segments(item) if ner_entities else []
        return plan.ner_segments

    def code_terms(self, item: Item) -> frozenset[str]:
        plan = self.plan(item)
        if plan.code_terms is None:
            plan.code_terms = code_terms(item)
        return plan.code_terms

    def needs(self, item: Item, entity: str) -> bool:
        """Could `item` hold a reportable `entity`? (False means: no need to load the model.)"""
        if entity not in self.settings.entities:
            return False
        spec = ENTITIES[entity]
        if spec.pattern and any(entity in r.entities for r in self.pattern_regions(item)):
            return True
        return spec.ner and bool(self.ner_segments(item))

    # --- scanning --------------------------------------------------------------------------------

    def detections(self, items: Sequence[Item], entity: str) -> Iterator[tuple[Item, Detection]]:
        """The reportable values of `entity` in `items` (running the passes they need once)."""
        spec = ENTITIES[entity]
        passes = [name for name, wanted in ((PATTERN, spec.pattern), (NER, spec.ner)) if wanted]
        for name in passes:
            pending = [item for item in items if name not in self.plan(item).found]
            if pending:
                self._run(name, pending)
        for item in items:
            plan = self.plan(item)
            if entity in plan.allow_ran_out:
                limits.note_timeout()  # reported for the rule that asks, file by file
            seen: set[tuple[int, int, str | None]] = set()
            for name in passes:
                for detection in plan.found[name]:
                    where = (detection.start, detection.end, detection.key)
                    if detection.entity == entity and where not in seen:
                        seen.add(where)
                        yield item, detection

    def _run(self, name: str, items: Sequence[Item]) -> None:
        from pipeline.lint.pii.analyzer import analyzer_for

        analyzer = analyzer_for(self.settings.model)
        if name == PATTERN:
            self._pattern_pass(analyzer, items)
        else:
            self._ner_pass(analyzer, items)

    def _pattern_pass(self, analyzer: PiiAnalyzer, items: Sequence[Item]) -> None:
        enabled = self.settings.pattern_entities
        for item in items:
            plan = self.plan(item)
            found: list[Detection] = []
            for region in self.pattern_regions(item):
                entities = region.entities & enabled
                threshold = self.settings.min_threshold(entities)
                results = analyzer.analyze(
                    region.text, entities, analyzer.tokens(region.text), threshold
                )
                found.extend(self._accepted(item, region, results))
            plan.found[PATTERN] = _unique(found)

    def _ner_pass(self, analyzer: PiiAnalyzer, items: Sequence[Item]) -> None:
        entities = self.settings.ner_entities
        threshold = self.settings.min_threshold(entities)
        if self._person is None:
            self._person = PersonFilter(self.settings.glossary, analyzer.common_words)
        work = [(item, segment) for item in items for segment in self.ner_segments(item)]
        found: dict[int, list[Detection]] = {id(item): [] for item in items}
        artifacts = analyzer.ner((segment.text for _, segment in work), entities)
        for (item, segment), artifact in zip(work, artifacts, strict=True):
            results = analyzer.analyze(segment.text, entities, artifact, threshold)
            found[id(item)].extend(self._accepted(item, segment, results))
        for item in items:
            self.plan(item).found[NER] = _unique(found[id(item)])

    # --- filtering -------------------------------------------------------------------------------

    def _accepted(
        self, item: Item, region: Region, results: list[RecognizerResult]
    ) -> Iterator[Detection]:
        for result in results:
            if not region.keeps(result.start):
                continue  # the neighbouring window's (it sees the value whole)
            detection = self._accept(item, region, result)
            if detection is not None:
                yield detection

    def _accept(self, item: Item, region: Region, result: RecognizerResult) -> Detection | None:
        entity = result.entity_type
        if entity not in self.settings.entities:
            return None
        if result.score < self.settings.thresholds[entity]:
            return None
        if region.located:
            start, end = region.file_span(result.start, result.end)
            text, lo, hi = item.text, start, end
        else:
            start, end = -1, -1
            text, lo, hi = region.text, result.start, result.end
        if entity == "PERSON":
            assert self._person is not None
            name = self._person.name_in(
                text[lo:hi],
                region.text[: result.start].split()[-8:],
                region.text[result.end :].split()[:8],
                self.code_terms(item),
            )
            if name is None:
                return None
            lo, hi = lo + name[0], lo + name[1]
            if region.located:
                start, end = lo, hi
        value = text[lo:hi]
        before, after = text[max(0, lo - _AROUND) : lo], text[hi : hi + _AROUND]
        if is_lookalike(entity, value, before, after, result.score):
            return None
        if is_placeholder(entity, value):
            return None
        ran_out = limits.timeouts()
        allowed = self.settings.allow.allows(value)
        if limits.timeouts() > ran_out:
            self.plan(item).allow_ran_out.add(entity)
        if allowed:
            return None
        masked = ENTITIES[entity].mask(value)
        return Detection(entity, start, end, region.key, masked, round(result.score, 2))


def _unique(found: list[Detection]) -> list[Detection]:
    """One detection per value: the best-scoring entity, the more specific one on a tie.

    Presidio reports a value for every entity whose pattern fits (`912-73-4567` is an ITIN and
    SSN-shaped; an NHS number next to the word "number" is also a phone number).
    """
    rank = {name: index for index, name in enumerate(SPECIFICITY)}
    ordered = sorted(found, key=lambda d: (-d.score, rank[d.entity], d.start, -d.end))
    kept: list[Detection] = []
    for detection in ordered:
        if not any(_covers(other, detection) for other in kept):
            kept.append(detection)
    return sorted(kept, key=lambda d: (d.key or "", d.start, d.entity))


def _covers(kept: Detection, other: Detection) -> bool:
    if kept.key != other.key:
        return False
    if kept.start < 0:  # frontmatter values not located: one per entity and key
        return kept.entity == other.entity
    return kept.start <= other.start and other.end <= kept.end


_SCANNERS: dict[tuple[str, ...], PiiScanner] = {}


def scanner_for(settings: PiiSettings) -> PiiScanner:
    """The process's scanner for this configuration (shared by all pii rules)."""
    scanner = _SCANNERS.get(settings.source)
    if scanner is None:
        scanner = _SCANNERS[settings.source] = PiiScanner(settings)
    return scanner
