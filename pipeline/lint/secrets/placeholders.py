"""Telling a credential from a stand-in for one.

Documentation is full of credential-shaped text that is not a credential: `XXXX`, `<your-key>`,
`${API_KEY}`, `sk_live_...`, `your-api-key-here`, `aaaaaaaa`, `****`, and the vendors' own
published examples (`AKIAIOSFODNN7EXAMPLE`). :func:`is_placeholder` recognises these for every
family; :func:`looks_random` is the extra bar for values found only by their context (a key word
or a header before them), which must also look machine-made.

detect-secrets' heuristic filters (sequential strings, UUIDs, templated values, indirect
references) are pure functions and are reused here; the rest is ours, tuned for Markdown.
"""

from __future__ import annotations

import itertools
import re
import string
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

KNOWN_EXAMPLES = frozenset(
    {
        # AWS's documented example key pair (also caught by the EXAMPLE word).
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        # Stripe's published documentation test keys.
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        # The Azure Storage emulator's (Azurite's) well-known account key.
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        # The OAuth 2.0 RFCs' example tokens, codes and client secret (RFC 6749, RFC 6750).
        "mF_9.B5f-4.1JqM",
        "2YotnFZFEjr1zCsicMWpAA",
        "tGzv3JOkF0XG5Qx2TlKWIA",
        "SplxlOBeZQQYbYS6WxSbIA",
        "7Fjfp0ZBr1KtDRbnfVdmIw",
        "gX1fBat3bV",
    }
)

_PLACEHOLDER_WORDS = re.compile(
    r"example|sample|dummy|fake|placeholder|redacted|change[_-]?me|replace|your|here"
    r"|insert|secret|passw(?:or)?d|token|api[_-]?key|foobar|lorem|todo|notreal|invalid",
    re.IGNORECASE,
)
_TRUNCATED = re.compile(r"\.\.\.|…")
_MASKED = re.compile(r"\*{3,}|x{4,}|X{4,}|#{4,}|_{4,}")
_TEMPLATED = re.compile(r"[<>]|\{\{|\}\}|\$\{|\$\(|^\{.*\}$|^\[.*\]$|^%\w+%$|^\$\w+$")
_REPEATED = re.compile(r"(.)\1{4,}")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_REFERENCE = re.compile(
    r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$"  # process.env.API_KEY, settings.SECRET_KEY
    r"|^[\w.$]+[(\[]"  # os.getenv(…), os.environ[…]
)
_PATH = re.compile(
    r"^(?:\.{1,2}|~)/|://"
    r"|\.(?:pem|key|crt|cer|der|p12|pfx|jks|keystore|json|ya?ml|toml|ini|env|txt|asc|gpg)$",
    re.IGNORECASE,
)
_HEX = frozenset(string.hexdigits)


def is_placeholder(value: str) -> bool:
    """True for a stand-in: masked, truncated, templated, a stock example, too regular."""
    if not value or value in KNOWN_EXAMPLES:
        return True
    marks = (_TRUNCATED, _MASKED, _TEMPLATED, _REPEATED, _PLACEHOLDER_WORDS)
    return any(mark.search(value) for mark in marks) or _too_regular(value)


def looks_random(value: str, threshold: float) -> bool:
    """True when a value found by its context alone looks machine-made, not like a word or name.

    It must be long enough (12 characters, 16 for hex), mix letters and digits, be neither an
    environment variable's name, a reference (`process.env.KEY`), a path or a URL, nor a UUID,
    and reach `threshold` bits of Shannon entropy per character (hex values, at most 4 bits,
    need half a bit less).
    """
    from detect_secrets.filters.heuristic import is_indirect_reference, is_potential_uuid

    hex_only = all(ch in _HEX for ch in value)
    if len(value) < (16 if hex_only else 12):
        return False
    if not any(ch.isalpha() for ch in value) or not any(ch.isdigit() for ch in value):
        return False
    if is_placeholder(value):
        return False
    if _ENV_NAME.match(value) or _REFERENCE.search(value) or _PATH.search(value):
        return False
    if is_potential_uuid(value) or is_indirect_reference(f"x = {value}"):
        return False
    return entropy(value, hex_only=hex_only) >= (threshold - 0.5 if hex_only else threshold)


def entropy(value: str, *, hex_only: bool = False) -> float:
    """Shannon entropy per character, as detect-secrets computes it for its charsets."""
    base64, hexadecimal = _entropy_plugins()
    plugin = hexadecimal if hex_only else base64
    return float(plugin.calculate_shannon_entropy(value))


@lru_cache(maxsize=1)
def _entropy_plugins() -> tuple[HighEntropyStringsPlugin, HighEntropyStringsPlugin]:
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )

    return Base64HighEntropyString(), HexHighEntropyString()


def _too_regular(value: str) -> bool:
    """Sequences (`abcdef…`, `123456…`) and values of very few distinct characters."""
    from detect_secrets.filters.heuristic import is_sequential_string

    core = re.sub(r"^[a-z]{2,6}[_-](?:(?:live|test)_)?", "", value)
    if len(set(core)) <= 3:
        return True
    if is_sequential_string(core):
        return True
    return _has_run(core, 6)


def _has_run(value: str, length: int) -> bool:
    """An ascending run such as `123456` or `abcdef` (never in a random key of this size)."""
    run = 1
    for before, ch in itertools.pairwise(value):
        if ch.isalnum() and before.isalnum() and ord(ch) - ord(before) == 1:
            run += 1
            if run >= length:
                return True
        else:
            run = 1
    return False
