"""`freshness.*`: content that is overdue for review, expired, or dated in the future.

These are dated rules (:class:`~pipeline.lint.rule.DatedRule`): the dates and their lines are
cached with each file, and the comparison with today runs on every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from pipeline.corpus import Item
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.rule import DatedRule


def dated_field(item: Item, key: str, value: dt.date | None) -> list[Any] | None:
    """`[ISO date, line, line length]` of a frontmatter date: a dated rule's extract."""
    if value is None:
        return None
    line = item.key_line(key)
    return [value.isoformat(), line, len(item.source.line_text(line))]


class _DateRule(DatedRule):
    """Shared by the freshness rules: each looks at one frontmatter date."""

    key = ""

    def extract(self, item: Item) -> Any:
        return dated_field(item, self.key, getattr(item, self.key))

    def check_dated(self, path: str, extract: Any) -> Iterator[Finding]:
        if not extract:
            return
        iso, line, length = extract
        message = self.problem(dt.date.fromisoformat(iso))
        if message:
            yield self.on_line(path, line, length, message)

    def problem(self, date: dt.date) -> str | None:
        raise NotImplementedError


class ReviewOverdue(_DateRule):
    """The last review (`reviewed`) is older than `max_review_age_days` (default 365).

    An assistant repeats what its documents say, so stale content becomes wrong answers. Review
    the content, correct it, and set `reviewed` to today's date.
    """

    id = "freshness.review-overdue"
    severity = Severity.WARNING
    key = "reviewed"

    def options(self) -> Mapping[str, Any]:
        return {"max_review_age_days": self.context.settings.lint.max_review_age_days}

    def problem(self, date: dt.date) -> str | None:
        limit = self.context.settings.lint.max_review_age_days
        age = (self.context.today - date).days
        if age <= limit:
            return None
        due = date + dt.timedelta(days=limit)
        return (
            f"last reviewed {age} days ago ({date.isoformat()}); reviews are due "
            f"every {limit} days (was due {due.isoformat()}): review it and update 'reviewed'"
        )


class Expired(_DateRule):
    """The content's `expires` date has passed.

    Expired content is stale by its own account: update it and move `expires`, or set
    `status: draft` so the next sync removes it from the assistant.
    """

    id = "freshness.expired"
    key = "expires"

    def problem(self, date: dt.date) -> str | None:
        if date >= self.context.today:
            return None
        return (
            f"expired on {date.isoformat()}: update it and move 'expires', "
            "or set 'status: draft' to take it off the assistant"
        )


class ReviewedInFuture(_DateRule):
    """`reviewed` is a date in the future, which is a typo and hides overdue reviews."""

    id = "freshness.reviewed-in-future"
    key = "reviewed"

    def problem(self, date: dt.date) -> str | None:
        if date <= self.context.today:
            return None
        return (
            f"'reviewed' is {date.isoformat()}, after today "
            f"({self.context.today.isoformat()}): use the date of the last review"
        )


RULES: tuple[type[DatedRule], ...] = (ReviewOverdue, Expired, ReviewedInFuture)
"""Every dated rule kbsync has. The engine runs these from the cache without building the
other rules, so a dated rule in another family must be listed here too (a test checks)."""
