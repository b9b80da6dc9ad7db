"""Masked forms of sensitive values: enough to find the place, never enough to reuse it.

No report, log line or error message may carry a detected personal-data value or secret; rules
put these masked forms in their messages instead.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^(?P<local>[^@\s]+)@(?P<domain>[^@\s]+)$")


def mask_secret(value: str) -> str:
    """`sk_live_51Hx…7fG` → `sk_l…7fG`: four characters, an ellipsis, the last three."""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}…{value[-3:]}"


def mask_email(value: str) -> str:
    """`jane.doe@acme.com` → `j***@a***.com`: first letters and the top-level domain only."""
    match = _EMAIL.match(value.strip())
    if not match:
        return mask_text(value)
    local, domain = match.group("local"), match.group("domain")
    name, _, tld = domain.rpartition(".")
    stars = "*" * max(len(name) - 1, 3)
    masked_domain = f"{name[:1]}{stars}.{tld}" if name else "***"
    return f"{local[:1]}***@{masked_domain}"


def mask_digits(value: str, keep: int = 2) -> str:
    """Numbers keep their shape and last `keep` digits: `+1 415 555 2671` → `+* *** *** **71`."""
    digits = sum(ch.isdigit() for ch in value)
    seen = 0
    out = []
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else "*")
        elif ch.isalpha():
            out.append("*")
        else:
            out.append(ch)
    return "".join(out)


def mask_text(value: str) -> str:
    """Words keep their first letter: `Jane Doe` → `J*** D**`."""
    return re.sub(r"\w+", lambda m: m.group()[0] + "*" * (len(m.group()) - 1), value.strip())
