"""A baseline: findings accepted as they are, so only new ones fail a run.

Entries match on rule, path and the text of the finding's line (not its number), so they
survive edits elsewhere in the file. Each entry is used once: a second identical problem on
another line with the same text is still reported.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.lint.findings import Finding

VERSION = 1


def _line_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def entry_key(finding: Finding, line_text: str) -> tuple[str, str, str]:
    return (finding.rule, finding.path, _line_hash(line_text))


def load(path: Path) -> Counter[tuple[str, str, str]]:
    """The baseline's entries (a missing file is an empty baseline)."""
    if not path.exists():
        return Counter()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["findings"]
        return Counter((e["rule"], e["path"], e["line_hash"]) for e in entries)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"not a kbsync baseline file ({exc.__class__.__name__}: {exc})",
            path=path,
            hint="regenerate it with: kbsync lint --update-baseline --baseline FILE",
        ) from None


def filter_findings(
    findings: Iterable[Finding],
    baseline: Counter[tuple[str, str, str]],
    line_text: Callable[[Finding], str],
) -> tuple[list[Finding], int]:
    """Findings not in the baseline, and how many were."""
    remaining = Counter(baseline)
    kept: list[Finding] = []
    accepted = 0
    for finding in findings:
        key = entry_key(finding, line_text(finding))
        if remaining[key] > 0:
            remaining[key] -= 1
            accepted += 1
        else:
            kept.append(finding)
    return kept, accepted


def write(path: Path, findings: Iterable[Finding], line_text: Callable[[Finding], str]) -> int:
    """Write every finding into the baseline at `path`; returns how many."""
    entries = [
        {"rule": f.rule, "path": f.path, "line_hash": entry_key(f, line_text(f))[2],
         "message": f.message}
        for f in findings
    ]  # fmt: skip
    entries.sort(key=lambda e: (e["path"], e["rule"], e["line_hash"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n", encoding="utf-8"
    )
    return len(entries)
