"""Things that only look like personal data: Presidio's patterns match them, a reader would not.

Technical content is full of them: `module/path@v1.2.3` and `git@host:repo` look like e-mail
addresses, `0.164.0`, `12345.6789` and Unix timestamps look like phone numbers, a timestamp in
microseconds passes the card checksum, `192.168.12.50` fits the phone pattern, `2.5.4.3` in
`urn:oid:2.5.4.3` and `4.1.0.2` in `release 4.1.0.2` are dotted quads, and a UUID in an image's
URL names the image. Each check sees the matched value and a little of the text around it
(`before`, `after`), because most of these are recognised by what they are part of.
"""

from __future__ import annotations

import ipaddress
import re

_DATE_OR_TIME = re.compile(
    r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$|\d{1,2}:\d{2}"
)
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_TEMPLATE_LOCAL = re.compile(r"^[A-Z][A-Z_]+$")
_ASSET_SCALE = re.compile(r"^\d+(?:\.\d+)?x$", re.IGNORECASE)
_NHS_SHAPE = re.compile(r"^\d{3}([ -]?)\d{3}\1\d{4}$")
_NHS_WORDS = re.compile(r"\bNHS\b|\bnational health\b|\bhealth (?:service|authority)\b", re.I)
_PHONE_WORDS = re.compile(
    r"\b(?:call|phone|tel|telephone|mobile|cell|fax|dial|text|sms|whatsapp|helpline|hotline)\b",
    re.I,
)
_DIALLING_PREFIX = re.compile(r"(?:\+\d{1,3}|\(\s*\d{0,4}\s*\)?|\b1)[\s.-]*$")
_OID_BEFORE = re.compile(r"(?:^|[^a-z])oids?\b[^\n]*$", re.I)
"""`urn:oid:2.5.4.3`, `OID 2.5.4.10`, `subject_oids: ["2.5.4.3", "2.5.4.10"]`: an object
identifier's arcs (the word `oid` earlier on the same line)."""
_VERSION_BEFORE = re.compile(
    r"(?:\b(?:ver|version|versions|release|build|rev|revision|firmware|patch|hotfix)\.?"
    r"|==|>=|<=|~=|[\^~])\s*$",
    re.I,
)
"""Words and operators a version number follows: `version 3.10.2.15`, `pkg==1.2.3.4`."""
_RECORD_WORDS = re.compile(
    r"\b(?:account|customer|user|order|member|subscriber|patient|contact|profile|employee|"
    r"invoice|ticket|case|person)(?:s|[_-]?ids?)?\b[^\n]*$",
    re.I,
)
"""Words saying whose record a bare UUID names (`Order <uuid>`, `her account id is <uuid>`)."""
_PATH_AFTER = re.compile(r"^(?:[/\\?#&]|\.[A-Za-z][A-Za-z0-9]{0,4}\b)")


def is_lookalike(entity: str, value: str, before: str, after: str, score: float) -> bool:
    """True when the match is part of something else (a path, a version, a longer number)."""
    if entity == "EMAIL_ADDRESS":
        return _email_lookalike(value, before, after)
    if entity == "PHONE_NUMBER":
        return _inside_token(before, after) or _ip_address(value) or _phone_lookalike(value, score)
    if entity == "CREDIT_CARD":
        digits = re.sub(r"\D", "", value)
        return (
            _inside_token(before, after) or digits[:1] not in "23456" or digits.endswith("000000")
        )
    if entity == "UK_NHS":
        return _inside_token(before, after) or not _nhs_number(value, before, after)
    if entity == "IP_ADDRESS":
        return _inside_token(before, after) or _dotted_number(value, before)
    if entity == "UUID":
        return (
            _inside_token(before, after)
            or _in_url_or_path(before, after)
            or not _RECORD_WORDS.search(before)
        )
    if entity in ("US_SSN", "US_ITIN", "US_BANK_NUMBER", "US_PASSPORT"):
        return _inside_token(before, after)
    return False


def _ip_address(value: str) -> bool:
    """A valid IPv4 or IPv6 address is never a phone number (`192.168.12.50`)."""
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return True


def _dotted_number(value: str, before: str) -> bool:
    """Dotted numbers that are not addresses: an OID's arcs, a version number, or a segment of
    a URL's or file's path (`downloads.acme.dev/2.4.1.3/`, `client/3.1.0.4`; a host comes right
    after `//` or `@`)."""
    if ":" in value:
        return False  # IPv6 has no version or OID look-alike
    if before.endswith("/") and not before.endswith("//"):
        return True
    return bool(_OID_BEFORE.search(before) or _VERSION_BEFORE.search(before))


def _in_url_or_path(before: str, after: str) -> bool:
    """The value is a segment of a URL or file path (`/uploads/<uuid>/shot.png`, `<uuid>.png`):
    it names a file or page, not a person's record."""
    token = re.split(r"[\s(<\"'`\[\]]", before)[-1]
    return "/" in token or "\\" in token or bool(_PATH_AFTER.match(after))


def nhs_checksum(digits: str) -> bool:
    """The NHS number's modulus 11 check digit (the tenth digit)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def _nhs_number(value: str, before: str, after: str) -> bool:
    """An NHS number is written `943 476 5919` (or with dashes, or without separators), passes
    its checksum and is said to be one nearby; one in ten phone numbers passes the checksum, so
    the words around it decide, and a number written or introduced as a phone number is one."""
    text = value.strip()
    if not _NHS_SHAPE.match(text) or not nhs_checksum(re.sub(r"\D", "", text)):
        return False
    if _DIALLING_PREFIX.search(before) or after.lstrip()[:1] == ")":
        return False  # `+1 415 839 2225`, `(415) 839-2209`, `1-415-839-2217`
    said = [m.end() for m in _NHS_WORDS.finditer(before)]
    phone = [m.end() for m in _PHONE_WORDS.finditer(before)]
    if said:
        return not phone or phone[-1] < said[-1]  # the nearer word says what it is
    return not phone and _NHS_WORDS.search(after) is not None


def _inside_token(before: str, after: str) -> bool:
    """The match continues a longer word or number (`v1.2.3.4`, `ab1234567`, `1.2.3.4.5`,
    `tidewater_2.4.1.3_linux`)."""
    prev = before[-1:]
    nxt = after[:1]
    if prev.isalnum() or nxt.isalnum() or "_" in (prev, nxt):
        return True
    if prev in ".-" and before[-2:-1].isalnum():
        return True
    return nxt in ".-" and after[1:2].isdigit()


def _email_lookalike(value: str, before: str, after: str) -> bool:
    local, _, domain = value.rpartition("@")
    token_before = "" if not before or before[-1].isspace() else before.split()[-1]
    if "/" in local or token_before.endswith("/") or "://" in token_before:
        return True  # a module path (`github.com/a/b@v1.2.3`) or a URL's user part
    if after[:1] == ":" and after[1:2] not in ("", " ", "\t", "\n"):
        return True  # an SSH/SCP target: `deploy@host:/var/www`
    labels = domain.split(".")
    if not labels[-1].isalpha() or len(labels[-1]) < 2:
        return True  # `pkg@1.2.3`, `tool@v2.1`
    if _ASSET_SCALE.match(labels[0]):
        return True  # `logo@2x.png`
    return bool(_TEMPLATE_LOCAL.match(local) and labels[0].isupper())  # `USER@HOST.com`


def _phone_lookalike(value: str, score: float) -> bool:
    text = value.strip()
    if _DATE_OR_TIME.search(text):
        return True
    if "." in text:
        groups = [re.sub(r"\D", "", g) for g in text.split(".")]
        if len(groups) < 3 or not all(2 <= len(g) <= 4 for g in groups[1:]):
            return True  # a version (`0.164.0`) or a decimal (`12345.6789`)
    groups = [g for g in _PHONE_SEPARATORS.split(text.lstrip("+")) if g]
    if len(groups) > 1 and any(len(g) > 8 for g in groups):
        return True  # `0-20190427180251`: a pseudo-version or an id, not a number to dial
    bare = len(groups) == 1 and not text.startswith("+")
    return bare and score < 0.5  # digits alone are ids and timestamps unless context says phone
