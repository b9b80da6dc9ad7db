"""`freshness.*`: content that is overdue for review, expired, or dated in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from pipeline.corpus import Item
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.rule import FileRule


class ReviewOverdue(FileRule):
    """The last review (`reviewed`) is older than `max_review_age_days` (default 365).

    An assistant repeats what its documents say, so stale content becomes wrong answers. Review
    the content, correct it, and set `reviewed` to today's date.
    """

    id = "freshness.review-overdue"
    severity = Severity.WARNING

    def options(self) -> Mapping[str, Any]:
        return {
            "max_review_age_days": self.context.settings.lint.max_review_age_days,
            "today": self.context.today.isoformat(),
        }

    def check(self, item: Item) -> Iterator[Finding]:
        if item.reviewed is None:
            return
        limit = self.context.settings.lint.max_review_age_days
        age = (self.context.today - item.reviewed).days
        if age > limit:
            due = item.reviewed + dt.timedelta(days=limit)
            yield self.at_key(
                item,
                "reviewed",
                f"last reviewed {age} days ago ({item.reviewed.isoformat()}); reviews are due "
                f"every {limit} days (was due {due.isoformat()}): review it and update 'reviewed'",
            )


class Expired(FileRule):
    """The content's `expires` date has passed.

    Expired content is stale by its own account: update it and move `expires`, or set
    `status: draft` so the next sync removes it from the assistant.
    """

    id = "freshness.expired"

    def options(self) -> Mapping[str, Any]:
        return {"today": self.context.today.isoformat()}

    def check(self, item: Item) -> Iterator[Finding]:
        if item.expires is not None and item.expires < self.context.today:
            yield self.at_key(
                item,
                "expires",
                f"expired on {item.expires.isoformat()}: update it and move 'expires', "
                "or set 'status: draft' to take it off the assistant",
            )


class ReviewedInFuture(FileRule):
    """`reviewed` is a date in the future, which is a typo and hides overdue reviews."""

    id = "freshness.reviewed-in-future"

    def options(self) -> Mapping[str, Any]:
        return {"today": self.context.today.isoformat()}

    def check(self, item: Item) -> Iterator[Finding]:
        if item.reviewed is not None and item.reviewed > self.context.today:
            yield self.at_key(
                item,
                "reviewed",
                f"'reviewed' is {item.reviewed.isoformat()}, after today "
                f"({self.context.today.isoformat()}): use the date of the last review",
            )
