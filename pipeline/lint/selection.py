"""`--select` / `--ignore`: which rules run, by id or family (as ruff does)."""

from __future__ import annotations

from collections.abc import Sequence


def matches(rule_id: str, category: str, pattern: str) -> bool:
    """A pattern names a rule id, a family (`schema`), or an id prefix (`GitLab`)."""
    pattern = pattern.strip()
    if not pattern:
        return False
    if pattern.upper() == "ALL":
        return True
    return rule_id == pattern or category == pattern or rule_id.startswith(pattern + ".")


def is_selected(rule_id: str, category: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Selected when `select` is empty or names it, and `ignore` does not."""
    if select and not any(matches(rule_id, category, p) for p in select):
        return False
    return not any(matches(rule_id, category, p) for p in ignore)
