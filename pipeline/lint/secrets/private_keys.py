"""Private key blocks (`-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----`).

detect-secrets' `PrivateKeyDetector` supplies the header expressions (we add PKCS#8
`ENCRYPTED PRIVATE KEY` and PuTTY's version 3 files), but it reports a header on its own.
Documentation often shows a header with the body elided (`...`, `<your key>`), so the body is
read here: only a block with a real body (enough random base64, no elision, template or
masking) is a finding. The finding covers the block from header to footer; its masked form is
that of the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pipeline.lint.secrets.detection import Detection, Family

MIN_BODY = 64
"""Fewer base64 characters than this cannot be a key (an Ed25519 key has about 400)."""
MAX_LINES = 200

_FOOTER = re.compile(r"-{4,5} ?END [A-Z0-9 ]*(?:PRIVATE KEY|KEY BLOCK)[A-Z ]*?-{4,5}")
_ARMOR_FIELD = re.compile(r"^[A-Za-z-]+: .*$")
_QUOTE_PREFIX = re.compile(r"^[\s>]*(?:[#;*]|//)?\s*")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")
_MASKED = re.compile(r"x{4,}|X{4,}")
"""Runs such as `AAAAAAAA` are normal in a key (OpenSSH keys hold many zero bytes), so only
masking marks count here; elisions and templates are not base64 and fail on that already."""
MIN_DISTINCT = 20
"""A body of fewer distinct characters (`MIIB…AAAA` padding, `abcabc…`) is not random data."""


@lru_cache(maxsize=1)
def _headers() -> tuple[re.Pattern[str], ...]:
    from detect_secrets.plugins.private_key import PrivateKeyDetector

    ours = (r"BEGIN ENCRYPTED PRIVATE KEY", r"PuTTY-User-Key-File-3")
    return (*PrivateKeyDetector.denylist, *(re.compile(pattern) for pattern in ours))


def find_private_keys(text: str, lowered: str) -> Iterator[Detection]:
    """Private key blocks with a real body."""
    if "private key" not in lowered and "putty-user-key-file" not in lowered:
        return
    seen: set[int] = set()
    for header in _headers():
        for match in header.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            if line_start in seen:
                continue
            seen.add(line_start)
            detection = _block(text, line_start, match)
            if detection is not None:
                yield detection


def _block(text: str, line_start: int, header: re.Match[str]) -> Detection | None:
    """The block whose header `header` is on the line at `line_start`, if its body is real."""
    header_end = text.find("\n", header.end())
    header_end = len(text) if header_end < 0 else header_end
    marker = text.find("-----BEGIN", line_start, header_end)
    start = marker if marker >= 0 else header.start()
    putty = header.group().startswith("PuTTY")
    collecting = not putty  # a PuTTY file's secret part follows `Private-Lines:`
    body: list[str] = []
    end = header_end
    position = header_end + 1
    for _ in range(MAX_LINES):
        if position > len(text):
            break
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        line = _QUOTE_PREFIX.sub("", text[position:line_end]).rstrip()
        footer = _FOOTER.search(text, position, line_end)
        if footer is not None:
            end = footer.end()
            break
        if line.startswith(("```", "~~~")) or (not line and body):
            break
        if putty and line.startswith("Private-MAC:"):
            end = line_end
            break
        if putty and line.startswith("Private-Lines:"):
            collecting = True
        elif collecting and line and not _ARMOR_FIELD.match(line):
            body.append(line)
        end = line_end
        position = line_end + 1
    joined = "".join(body)
    if len(joined) < MIN_BODY or _NOT_BASE64.search(joined) or _MASKED.search(joined):
        return None  # an elided, templated, masked or prose body: an example, not a key
    if len(set(joined)) < MIN_DISTINCT:
        return None
    return Detection(
        Family.PRIVATE_KEY, _label(header.group()), start, end, joined, text[start:end]
    )


def _label(header: str) -> str:
    """`BEGIN RSA PRIVATE KEY` → `RSA private key`."""
    if header.startswith("PuTTY"):
        return "PuTTY private key"
    kind = header.replace("BEGIN", "").split("PRIVATE KEY")[0].strip()
    return f"{kind} private key".strip()
