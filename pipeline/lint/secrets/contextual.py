"""Credentials known by what stands before them: a key word, an `Authorization` header, a URL.

These are ours rather than detect-secrets', because its plugins for them misfire on Markdown:

- `KeywordDetector` reports *any* value after a key word, random or not, so prose and examples
  (`password: at least 12 characters`, `token: ${{ secrets.TOKEN }}`) become findings; in its
  quotes-required mode it misses `.env` lines and headers, and it knows neither `token` nor
  hyphenated header names (`X-API-Key`). Ours takes `api_key = "…"`, `password: …`,
  `X-API-Key: …`, `token=…` and `--password …`, and keeps only values that look machine-made
  (:func:`~pipeline.lint.secrets.placeholders.looks_random`, entropy as detect-secrets computes
  it, against `[lint.secrets] entropy_threshold`).
- detect-secrets has no plugin for `Authorization: Bearer …` headers.
- `BasicAuthDetector`'s expression is used for URLs with a password, but documentation is full
  of `postgres://postgres:postgres@localhost` and `https://user:password@example.com`: a
  password equal to the user name, a stock word, or a host under a reserved example domain
  (RFC 2606/6761) is an example, not a leak. `Authorization: Basic …` headers are decoded and
  judged the same way.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from pipeline.lint.secrets.detection import Detection, Family
from pipeline.lint.secrets.placeholders import is_placeholder, looks_random

_STEMS = (
    r"api[_.-]?key|access[_.-]?key|secret|passw(?:or)?d|passphrase|pass\b|pwd|token"
    r"|auth[_.-]?key|private[_.-]?key|credentials?|signing[_.-]?key|encryption[_.-]?key"
    r"|master[_.-]?key|client[_.-]?key|app[_.-]?key|license[_.-]?key"
)
_VALUE = r"(?P<quote>[\"'`]?)(?P<value>[^\s\"'`,;&<>|]+)"
# A scan finds the key words; each hit is then widened backwards to the whole name and tried
# for an assignment or a flag's value after it. That is cheaper than trying every word start,
# and it runs on the lower-cased text, as IGNORECASE makes `re` about eight times slower.
_KEY_WORD = re.compile(rf"(?:{_STEMS})[\w.-]*")
_KEY_WORD_ANY_CASE = re.compile(_KEY_WORD.pattern, re.IGNORECASE)
_ASSIGNED = re.compile(rf"[\"'\]]{{0,2}}[ \t]*(?::=|=>|==?|:)[ \t]*{_VALUE}")
_FLAG_VALUE = re.compile(rf"(?:[ \t]+|=){_VALUE}")
_NAME_CHARS = frozenset("_.-")
_KEY_HINTS = ("key", "secret", "pass", "pwd", "token", "credential")
_NOT_A_SECRET_KEY = re.compile(
    r"(?:^|[_.-])(?:public|publishable|pub|site)(?:[_.-]|key)"
    r"|(?:id|ids|name|type|url|uri|path|file|dir|env|var|header|field|length|len|size|ttl"
    r"|expiry|expires|expiration|endpoint|count|limit|format|prefix|ref|store|provider|policy"
    r"|mode|enabled|required|hint|location|source|version|hash|digest|fingerprint|rotation"
    r"|_at|max|min|timeout|label|description|usage)$",
    re.IGNORECASE,
)
_TRAILING = ").]}:!?"

_AUTH_HEADER = re.compile(
    r"authorization[\"']?[ \t]*[:=][ \t]*[\"'`]?(?P<scheme>bearer|token|basic)[ \t]+"
    r"(?P<value>[A-Za-z0-9\-._~+/]+=*)",
    re.IGNORECASE,
)
_EXAMPLE_HOST = re.compile(
    r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$", re.IGNORECASE
)
_STOCK_PASSWORDS = frozenset(
    {
        "admin", "changeit", "default", "demo", "guest", "letmein", "mysql", "pass", "pat",
        "postgres", "rabbitmq", "redis", "root", "test", "user", "username", "x-oauth-basic",
    }
)  # fmt: skip


def find_assignments(text: str, lowered: str, threshold: float) -> Iterator[Detection]:
    """Random-looking values assigned to key-like names (`api_key = "…"`, `--token …`)."""
    if not any(hint in lowered for hint in _KEY_HINTS):
        return
    # Lower-casing keeps offsets unless a character changes length (`İ`): then match as is.
    same = len(lowered) == len(text)
    source, key_word = (lowered, _KEY_WORD) if same else (text, _KEY_WORD_ANY_CASE)
    for hit in key_word.finditer(source):
        key_start, key_end = hit.span()
        while key_start > 0 and _is_name_char(text[key_start - 1]):
            key_start -= 1
        key = text[key_start:key_end]
        match = _ASSIGNED.match(text, key_end)
        if match is None and key.startswith("-") and text[key_start - 1 : key_start].isspace():
            match = _FLAG_VALUE.match(text, key_end)
        if match is None:
            continue
        key = key.lstrip("-")
        if _NOT_A_SECRET_KEY.search(key):
            continue
        start, end = match.span("value")
        if not match.group("quote"):
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
        value = text[start:end]
        if looks_random(value, threshold):
            yield Detection(
                Family.HIGH_ENTROPY, f"random-looking value of '{key}'", start, end, value,
                text[key_start : match.end()],
            )  # fmt: skip


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch in _NAME_CHARS


def find_auth_headers(text: str, lowered: str, threshold: float) -> Iterator[Detection]:
    """`Authorization: Bearer …` / `Token …` (random-looking) and `Basic …` (decoded) headers."""
    if "authorization" not in lowered:
        return
    for match in _AUTH_HEADER.finditer(text):
        start, end = match.span("value")
        if text[end - 1] == "." and text[end - 2] != ".":
            end -= 1  # the full stop of a sentence
        value = text[start:end]
        if match.group("scheme").lower() == "basic":
            password = _basic_header_password(value)
            if password is not None and _is_real_password(password, "", ""):
                yield Detection(
                    Family.BASIC_AUTH, "Basic authentication header", start, end, value,
                match.group(),
            )  # fmt: skip
        elif looks_random(value, threshold):
            bearer = match.group("scheme").lower() == "bearer"
            label = "Bearer token" if bearer else "token in an Authorization header"
            yield Detection(Family.BEARER_TOKEN, label, start, end, value, match.group())


def find_basic_auth_urls(text: str) -> Iterator[Detection]:
    """URLs that carry a real-looking password (`https://user:password@host`)."""
    if "://" not in text:
        return
    from detect_secrets.plugins.basic_auth import BasicAuthDetector

    pattern: re.Pattern[str] = next(iter(BasicAuthDetector.denylist))
    for match in pattern.finditer(text):
        start, end = match.span(1)
        user = text[match.start() + 3 : match.start(1) - 1]
        host = re.split(r"[/:?#\s\"'`)\]>]", text[end + 1 : end + 256], maxsplit=1)[0]
        password = match.group(1)
        if _is_real_password(password, user, host):
            url_start = _scheme_start(text, match.start())
            yield Detection(
                Family.BASIC_AUTH, "password in a URL", start, end, password,
                text[url_start : end + 1 + len(host)],
            )  # fmt: skip


def _is_real_password(password: str, user: str, host: str) -> bool:
    if len(password) < 6 or is_placeholder(password):
        return False
    if password.lower() in _STOCK_PASSWORDS or password.lower() == user.lower():
        return False
    return not (host and _EXAMPLE_HOST.search(host.rstrip(".")))


def _basic_header_password(value: str) -> str | None:
    """The password of a `Basic` header's `user:password`, or None if it does not decode."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon:
        return None
    return password if password.lower() != user.lower() else ""


def _scheme_start(text: str, colon_slash: int) -> int:
    """The start of the URL scheme before `://` at `colon_slash`."""
    start = colon_slash
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "+.-"):
        start -= 1
    return start
