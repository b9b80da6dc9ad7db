"""The entity catalogue: every Presidio entity kbsync can report, and how.

Each :class:`EntitySpec` says what a finding calls the value, how it is masked, what to write
instead, the default minimum score, where it is searched (pattern recognizers see the whole body
and the shown frontmatter; the spaCy NER sees prose only) and a cheap regex that any value
Presidio could report must match, so that Presidio runs only on the lines that need it.

The set is Presidio's English recognizers loaded by default plus the spaCy NER entities. Off by
default are those that are noise in support content (`DATE_TIME`, `NRP`, `LOCATION`, `URL`,
`ORGANIZATION`, `US_DRIVER_LICENSE`, as `pipeline.config.DEFAULT_PII_EXCLUDED` lists them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.config import DEFAULT_PII_EXCLUDED
from pipeline.lint.masking import mask_digits, mask_email, mask_text


@dataclass(frozen=True)
class EntitySpec:
    """One Presidio entity as kbsync reports it."""

    name: str
    """Presidio's entity name (`EMAIL_ADDRESS`); the rule id is `pii.` + its lower case."""
    label: str
    """What a finding calls the value (`e-mail address`)."""
    summary: str
    """One line for `kbsync rules`."""
    instead: str
    """What to write instead."""
    threshold: float
    """Default minimum Presidio score."""
    mask: Callable[[str], str]
    pattern: bool = True
    """Found by Presidio's pattern recognizers (searched in prose, code and shown frontmatter)."""
    ner: bool = False
    """Found by the spaCy model (searched in prose and shown frontmatter only)."""
    candidate: re.Pattern[str] | None = None
    """A regex every value the pattern recognizers report contains; None: any non-blank line."""

    @property
    def rule_id(self) -> str:
        return "pii." + self.name.lower()

    @property
    def default_on(self) -> bool:
        return self.name not in DEFAULT_PII_EXCLUDED


def _re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_DIGITS_ONLY = _re(r"\d")

ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            "CREDIT_CARD",
            "payment card number",
            "Payment card numbers (checksum-valid) in content.",
            "a published test card number such as 4242 4242 4242 4242",
            0.5,
            mask_digits,
            candidate=_re(r"\d(?:[ -]?\d){12,}"),
        ),
        EntitySpec(
            "CRYPTO",
            "crypto wallet address",
            "Bitcoin wallet addresses (checksum-valid) in content.",
            "a made-up placeholder, or describe the wallet without its address",
            0.5,
            mask_digits,
            candidate=_re(r"(?:bc1|[13])[a-zA-HJ-NP-Z0-9]{25}"),
        ),
        EntitySpec(
            "EMAIL_ADDRESS",
            "e-mail address",
            "E-mail addresses of people in content.",
            "an address at example.com (or a role address such as support@…)",
            0.5,
            mask_email,
            candidate=_re(r"@\w[\w-]*\.\w"),
        ),
        EntitySpec(
            "IBAN_CODE",
            "IBAN",
            "Bank account numbers in IBAN form (checksum-valid) in content.",
            "the standard example GB82 WEST 1234 5698 7654 32",
            0.5,
            mask_digits,
            candidate=_re(r"(?<=[A-Za-z]{2})\d{2}[ -]?[A-Za-z0-9]{4}"),
        ),
        EntitySpec(
            "IP_ADDRESS",
            "IP address",
            "Public IP addresses in content.",
            "a documentation address: 192.0.2.x, 198.51.100.x, 203.0.113.x or 2001:db8::/32",
            0.5,
            mask_digits,
            candidate=_re(r"\d\.\d{1,3}\.\d{1,3}\.\d|::|:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:"),
        ),
        EntitySpec(
            "MAC_ADDRESS",
            "MAC address",
            "Network hardware (MAC) addresses in content.",
            "an address from the documentation range 00:00:5E:00:53:00–FF (RFC 7042)",
            0.5,
            mask_digits,
            candidate=_re(
                r"[:-][0-9a-f]{2}[:-][0-9a-f]{2}[:-]|\.[0-9a-f]{4}\.[0-9a-f]{4}", re.IGNORECASE
            ),
        ),
        EntitySpec(
            "MEDICAL_LICENSE",
            "medical licence number",
            "US medical (DEA) licence numbers (checksum-valid) in content.",
            "a placeholder such as XX0000000",
            0.5,
            mask_digits,
            candidate=_re(r"\d{7}"),
        ),
        EntitySpec(
            "PERSON",
            "name of a person",
            "Names of people in prose and shown frontmatter.",
            "a role such as 'the customer' or 'your account manager'",
            0.5,
            mask_text,
            pattern=False,
            ner=True,
        ),
        EntitySpec(
            "PHONE_NUMBER",
            "phone number",
            "Phone numbers of people in content.",
            "a number from a fiction range, such as +1 415 555 0100 or 020 7946 0000",
            0.4,
            mask_digits,
            candidate=_re(r"\d(?:[\s().\-/]{0,3}\d){5,}"),
        ),
        EntitySpec(
            "UK_NHS",
            "NHS number",
            "UK NHS numbers in content: checksum-valid, said to be one (NHS nearby), never a "
            "phone number.",
            "a placeholder such as XXX XXX XXXX",
            0.5,
            mask_digits,
            candidate=_re(r"\d{3}[- ]?\d{3}[- ]?\d{4}"),
        ),
        EntitySpec(
            "US_BANK_NUMBER",
            "US bank account number",
            "US bank account numbers (8–17 digits next to words such as 'account') in content.",
            "a placeholder such as XXXXXXXX1234",
            0.4,
            mask_digits,
            candidate=_re(r"\d{8}"),
        ),
        EntitySpec(
            "US_ITIN",
            "US taxpayer number (ITIN)",
            "US individual taxpayer identification numbers in content.",
            "a placeholder such as 9XX-XX-XXXX",
            0.5,
            mask_digits,
            candidate=_re(r"9\d{2}[- ]?\d{2}[- ]?\d{4}"),
        ),
        EntitySpec(
            "US_PASSPORT",
            "US passport number",
            "US passport numbers (next to words such as 'passport') in content.",
            "a placeholder such as XXXXXXXXX",
            0.4,
            mask_digits,
            candidate=_re(r"\d{8}"),
        ),
        EntitySpec(
            "US_SSN",
            "US social security number",
            "US social security numbers in content.",
            "a placeholder such as XXX-XX-XXXX",
            0.5,
            mask_digits,
            candidate=_re(r"\d{3}[- .]?\d{2}[- .]?\d{4}"),
        ),
        EntitySpec(
            "UUID",
            "UUID",
            "UUIDs (identifiers that may name a customer's records) in content.",
            "the nil UUID 00000000-0000-0000-0000-000000000000 or a made-up one",
            0.5,
            mask_digits,
            candidate=_re(r"-[0-9a-f]{4}-[0-9a-f]{4}-", re.IGNORECASE),
        ),
        # Off by default: noise in support content.
        EntitySpec(
            "DATE_TIME",
            "date or time",
            "Dates and times in content (off by default).",
            "a relative description ('last week')",
            0.5,
            mask_digits,
            ner=True,
            candidate=_DIGITS_ONLY,
        ),
        EntitySpec(
            "LOCATION",
            "place",
            "Places (cities, countries, addresses) in prose (off by default).",
            "a general description ('a city in Germany')",
            0.5,
            mask_text,
            pattern=False,
            ner=True,
        ),
        EntitySpec(
            "NRP",
            "nationality, religious or political group",
            "Nationalities, religious and political groups in prose (off by default).",
            "a neutral description",
            0.5,
            mask_text,
            pattern=False,
            ner=True,
        ),
        EntitySpec(
            "ORGANIZATION",
            "organisation",
            "Names of organisations in prose (off by default).",
            "a description ('a partner company')",
            0.5,
            mask_text,
            pattern=False,
            ner=True,
        ),
        EntitySpec(
            "URL",
            "URL",
            "URLs in content (off by default).",
            "an address at example.com",
            0.5,
            mask_text,
        ),
        EntitySpec(
            "US_DRIVER_LICENSE",
            "US driver's licence number",
            "US driver's licence numbers in content (off by default).",
            "a placeholder such as XXXXXXXX",
            0.5,
            mask_digits,
            candidate=_DIGITS_ONLY,
        ),
    )
}
"""Every entity kbsync knows, by Presidio name."""

DEFAULT_ENTITIES = frozenset(name for name, spec in ENTITIES.items() if spec.default_on)
"""Reported unless `[lint.pii] entities` says otherwise."""

SPECIFICITY = (
    "CREDIT_CARD", "IBAN_CODE", "UK_NHS", "MEDICAL_LICENSE", "CRYPTO", "EMAIL_ADDRESS", "US_ITIN",
    "US_SSN", "US_PASSPORT", "UUID", "MAC_ADDRESS", "IP_ADDRESS", "PHONE_NUMBER",
    "US_DRIVER_LICENSE", "US_BANK_NUMBER", "DATE_TIME", "URL", "PERSON", "LOCATION", "NRP",
    "ORGANIZATION",
)  # fmt: skip
"""Most specific first: when two entities fit one value equally well, the first is reported."""
