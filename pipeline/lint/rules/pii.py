"""pii: personal data in content, found by Microsoft Presidio with a spaCy model.

One rule per Presidio entity (`pii.email_address`, `pii.person`, …), so each id can be selected,
ignored, suppressed and documented on its own. The rules share one scanner per process
(:mod:`pipeline.lint.pii.scanner`): the first pii rule to see a batch of files runs Presidio for
every enabled entity, the others read its results, and nothing loads spaCy unless some file of
the batch has something worth analysing.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, ClassVar

from pipeline.config import CONFIG_FILE
from pipeline.corpus import Item
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.pii.entities import ENTITIES, EntitySpec
from pipeline.lint.pii.scanner import Detection, PiiScanner, scanner_for
from pipeline.lint.pii.settings import PiiSettings, resolve
from pipeline.lint.rule import BatchRule, LintContext

DETECTOR_REVISION = "2"
"""Bump when a filter changes what is reported, so cached results are recomputed."""

_KEY_NAMES = {"title": "the title", "question": "the question", "alternates": "an alternate"}


class PiiRule(BatchRule):
    """Base of the pii rules (one subclass per entity, built from the catalogue)."""

    entity: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.ERROR

    def __init__(self, context: LintContext) -> None:
        super().__init__(context)
        settings = context.settings
        where = settings.source or settings.root / CONFIG_FILE
        self.settings: PiiSettings = resolve(settings.lint.pii, where)
        self.spec: EntitySpec = ENTITIES[self.entity]

    @property
    def enabled(self) -> bool:
        return self.entity in self.settings.entities

    @property
    def scanner(self) -> PiiScanner:
        return scanner_for(self.settings)

    def options(self) -> Mapping[str, Any]:
        return {
            "entity": self.entity,
            "enabled": self.enabled,
            "threshold": self.settings.thresholds[self.entity],
            "settings": self.settings.source,
            "versions": _versions(self.settings.model),
        }

    def needs_check(self, item: Item) -> bool:
        return self.enabled and self.scanner.needs(item, self.entity)

    def check_many(self, items: Sequence[Item]) -> Iterator[Finding]:
        if not self.enabled:
            return
        for item, detection in self.scanner.detections(items, self.entity):
            yield self._finding(item, detection)

    def _finding(self, item: Item, detection: Detection) -> Finding:
        message = (
            f"{self.spec.label} '{detection.masked}'{_where(item, detection)} looks like "
            f"personal data: remove it or use {self.spec.instead}"
        )
        if detection.start < 0 and detection.key:
            return self.at_key(item, detection.key, message)
        return self.at(item, detection.start, detection.end, message)


def _where(item: Item, detection: Detection) -> str:
    if detection.key:
        return f" in {_KEY_NAMES.get(detection.key, detection.key)}"
    if item.is_code(detection.start):
        return " in code"
    if any(s.start <= detection.start < s.end for s in item.comment_spans):
        return " in an HTML comment"
    return ""


@lru_cache(maxsize=8)
def _versions(model: str) -> str:
    """Presidio's and the model's versions: an upgrade of either recomputes cached results."""
    found = [f"kbsync-pii {DETECTOR_REVISION}"]
    for dist in ("presidio-analyzer", "spacy", model):
        try:
            found.append(f"{dist} {importlib.metadata.version(dist)}")
        except (importlib.metadata.PackageNotFoundError, ValueError):
            found.append(f"{dist} -")
    return ", ".join(found)


def _documentation(spec: EntitySpec) -> str:
    name = spec.name
    switch = (
        "On by default."
        if spec.default_on
        else f'Off by default: add `"{name}"` to `[lint.pii] extra_entities` to turn it on.'
    )
    paragraphs = [
        spec.summary,
        _where_searched(spec),
        f"{switch} Reported at a Presidio score of {spec.threshold} or more; change it with "
        f"`[lint.pii] thresholds = {{{name} = 0.7}}`.",
        _PERSON_DOC if name == "PERSON" else _NOT_REPORTED.get(name, ""),
        "Values listed in `[lint.pii] allow` (exact, or a regex written `/…/`) are never reported. "
        "Findings show a masked form, never the value. Instead of the real value, use "
        f"{spec.instead}.",
    ]
    return "\n\n".join(p for p in paragraphs if p)


def _where_searched(spec: EntitySpec) -> str:
    shown = "the `title`, `question` and `alternates` readers see"
    pattern = (
        f"Presidio's pattern recognizer for `{spec.name}` runs on every line of the body (prose, "
        "code blocks, comments: customer data pasted into an example is still customer data) "
        f"and on {shown}."
    )
    ner = (
        "The spaCy model's named-entity recognizer (`[lint.pii] model`) runs on prose and on "
        f"{shown}; it does not read code."
    )
    if spec.pattern and spec.ner:
        return f"{pattern} {ner}"
    return pattern if spec.pattern else ner


_PERSON_DOC = (
    "A span the model tags as a person is reported only when it looks like a name (every word "
    "capitalised like a name, no code-like token, path or URL, no term of `[lint.pii] "
    "glossary`, no word the file writes in lower case in its code such as a command name) and "
    "a second signal agrees: a title before it (`Ms.`, `Dr.`), a known given name followed by "
    "surname-like words, two or more words none of which is a common English word, or a lone "
    "given name next to a word that goes with people (`customer`, `contact`, `said`). Names "
    "are searched in prose only, not in code."
)

_NOT_REPORTED = {
    "EMAIL_ADDRESS": (
        "Not reported: addresses at example.com, example.org, example.net and at the reserved "
        "domains `.example`, `.test`, `.invalid`, `.localhost`; placeholders (`your.name@…`) and "
        "role and list addresses (`support@…`, `noreply@…`, `maintainers@…`); things that only look like an address "
        "(`module/path@v1.2.3`, `git@host:repo`, `pkg@1.2.3`, `USER@HOST`)."
    ),
    "PHONE_NUMBER": (
        "Not reported: numbers in fiction ranges (North American 555-0100–555-0199 and "
        "555-1212, the UK's Ofcom drama ranges, Australia's 5550/7010 ranges), dummy sequences "
        "(`1234567`), and numbers that only look like one: versions (`0.164.0`), decimals, dates, "
        "and bare digit runs (ids, timestamps) unless a word such as 'phone' or 'call' is near; "
        "a valid IPv4 or IPv6 address (`192.168.12.50`) is never a phone number."
    ),
    "IP_ADDRESS": (
        "Not reported: addresses that are not globally routable (private RFC 1918, loopback "
        "127/8 and ::1, unspecified 0.0.0.0 and ::, link-local, shared, multicast, reserved) "
        "including the documentation ranges (RFC 5737, RFC 3849), the public DNS resolvers "
        "(8.8.8.8, 1.1.1.1, …), illustrative addresses (`1.2.3.4`, `4.3.2.1`, `10.20.30.40`, "
        "`2.2.2.2`, `123.45.67.89`), and dotted numbers that are not addresses: an OID's arcs "
        "(`urn:oid:2.5.4.3`, `OID 2.5.4.10`), versions (`version 3.10.2.15`, `tool==1.2.3.4`, "
        "`v1.2.3.4`) and path segments (`downloads.acme.dev/2.4.1.3/`, `client/3.1.0.4`; an "
        "address as a URL's host, after `//` or `@`, is reported)."
    ),
    "CREDIT_CARD": (
        "Not reported: published test card numbers (4242 4242 4242 4242, …), numbers made of one "
        "repeated group, and checksum-valid numbers that are not card-shaped (no card network "
        "starts with 0, 1, 7, 8 or 9; timestamps ending in zeros)."
    ),
    "IBAN_CODE": "Not reported: the standard example IBANs (GB82 WEST 1234 5698 7654 32, …).",
    "MAC_ADDRESS": "Not reported: the RFC 7042 documentation range, broadcast and all-zero.",
    "UUID": (
        "Not reported: the nil UUID, RFC 4122's example and other well-known examples, and a UUID "
        "inside a URL or file path (`/uploads/<uuid>/shot.png`, `<uuid>.png`, `?id=<uuid>`): it "
        "names a file or page. A bare UUID (in prose or code) is reported when a word earlier on "
        "its line says whose record it names (account, customer, user, order, member, "
        "subscriber, patient, contact, profile, employee, invoice, ticket, case, person; also "
        "as `customer_id`, `orderId`): a customer's id pasted from a ticket. Any other UUID is "
        "the id of a request, a client or an example, and belongs to nobody."
    ),
}


def _rule_class(spec: EntitySpec) -> type[PiiRule]:
    name = "".join(part.capitalize() for part in spec.name.split("_"))
    namespace = {
        "id": spec.rule_id,
        "entity": spec.name,
        "__doc__": _documentation(spec),
        "__module__": __name__,
        "__qualname__": name,
    }
    return type(name, (PiiRule,), namespace)


RULES: tuple[type[PiiRule], ...] = tuple(_rule_class(spec) for spec in ENTITIES.values())
"""One rule class per entity of the catalogue, in catalogue order."""
