"""Stable identities for findings: the same problem keeps its identity across unrelated edits.

Like the baseline's matching (:mod:`pipeline.lint.baseline`), an identity is made of the rule,
the path and the text of the finding's line, never its number nor its message (a message
such as "reviewed 400 days ago" changes daily), so lines added above it do not
make GitLab report it as fixed and new again. Identical problems on lines of identical text are
told apart by their order in the file.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable

from pipeline.lint.baseline import entry_key
from pipeline.lint.findings import Finding


def fingerprints(
    findings: Iterable[Finding], line_text: Callable[[Finding], str]
) -> list[tuple[Finding, str]]:
    """Each finding with its fingerprint (hex SHA-256), in the order given."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for finding in findings:
        key = entry_key(finding, line_text(finding))
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\x1f".join((*key, str(occurrence))).encode("utf-8"))
        out.append((finding, digest.hexdigest()))
    return out
