"""Content health: the state of the knowledge base at a glance, for `kbsync report`.

A lint run says what is wrong now; the health report adds what is about to go wrong (reviews
and expiry dates coming due) and where the content stands (statuses, audiences, batches and
which environments they reach), grouped so a team lead can hand work to owners.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.config import Settings
from pipeline.corpus import Item, load_corpus
from pipeline.lint.engine import LintReport
from pipeline.lint.findings import Finding
from pipeline.rollout import load_rollout

DUE_SOON_DAYS = 30
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    (">365", 366, None),
)
"""(label, first day, last day or None for open-ended) of the `reviewed` age histogram."""
UNOWNED = "(no owner)"
NO_BATCH = "(no batch)"
SEVERITY_ORDER = {"error": 0, "warning": 1, "suggestion": 2}


@dataclass(frozen=True)
class DueItem:
    """An item whose review or expiry date has passed or comes within DUE_SOON_DAYS."""

    path: str
    id: str
    title: str
    owner: str
    due: dt.date
    days_left: int
    """Negative when overdue."""


@dataclass(frozen=True)
class BatchHealth:
    id: str
    environments: tuple[str, ...]
    items: int
    approved: int
    drafts: int


@dataclass(frozen=True)
class RuleCount:
    rule: str
    severity: str
    count: int


@dataclass(frozen=True)
class FindingCount:
    """Findings of one family (rule category) or one file, by severity."""

    name: str
    errors: int
    warnings: int
    suggestions: int
    total: int


@dataclass(frozen=True)
class AgeBucket:
    """How many items were last reviewed between `min_days` and `max_days` days ago."""

    label: str
    min_days: int
    max_days: int | None
    count: int


@dataclass(frozen=True)
class OwnerHealth:
    owner: str
    items: int
    reviews_overdue: int
    reviews_due_soon: int
    findings: int


@dataclass(frozen=True)
class HealthReport:
    today: dt.date
    max_review_age_days: int
    items: int
    documents: int
    qa_entries: int
    by_status: dict[str, int]
    by_audience: dict[str, int]
    lint_errors: int
    lint_warnings: int
    files_with_findings: int
    batches: list[BatchHealth] = field(default_factory=list)
    reviews_overdue: list[DueItem] = field(default_factory=list)
    reviews_due_soon: list[DueItem] = field(default_factory=list)
    expired: list[DueItem] = field(default_factory=list)
    expiring_soon: list[DueItem] = field(default_factory=list)
    rules: list[RuleCount] = field(default_factory=list)
    owners: list[OwnerHealth] = field(default_factory=list)
    findings_by_family: list[FindingCount] = field(default_factory=list)
    findings_by_file: list[FindingCount] = field(default_factory=list)
    review_ages: list[AgeBucket] = field(default_factory=list)
    never_reviewed: int = 0
    """Items without a `reviewed` date (not in any age bucket)."""

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape (version 1); dates as ISO strings."""
        data = asdict(self)
        data["version"] = 1
        return _iso_dates(data)  # type: ignore[no-any-return]


def build_health(settings: Settings, lint: LintReport, today: dt.date) -> HealthReport:
    """Health of the whole content tree, from the corpus, the rollout and a lint report.

    One function (~80 lines): it fills one report, section by section, from one pass over
    the findings and the state.
    """
    corpus = load_corpus([settings.content_root], settings.root)
    items = sorted(corpus.items, key=lambda i: i.path)
    rollout = load_rollout(settings.content_root)
    limit = settings.lint.max_review_age_days
    content_prefix = settings.content_dir.rstrip("/") + "/"

    overdue: list[DueItem] = []
    due_soon: list[DueItem] = []
    expired: list[DueItem] = []
    expiring: list[DueItem] = []
    for item in items:
        if item.reviewed is not None:
            due_item = _due(item, item.reviewed + dt.timedelta(days=limit), today)
            if due_item.days_left < 0:
                overdue.append(due_item)
            elif due_item.days_left <= DUE_SOON_DAYS:
                due_soon.append(due_item)
        if item.expires is not None:
            due_item = _due(item, item.expires, today)
            if due_item.days_left < 0:
                expired.append(due_item)
            elif due_item.days_left <= DUE_SOON_DAYS:
                expiring.append(due_item)

    batch_items: dict[str, list[Item]] = {}
    for item in items:
        rel = item.path.removeprefix(content_prefix)
        batch = rollout.batch_for(rel, item.batch)
        batch_items.setdefault(batch.id if batch else NO_BATCH, []).append(item)
    batches = [
        BatchHealth(
            id=b.id,
            environments=b.environments,
            items=len(batch_items.get(b.id, [])),
            approved=sum(1 for i in batch_items.get(b.id, []) if i.status == "approved"),
            drafts=sum(1 for i in batch_items.get(b.id, []) if i.status == "draft"),
        )
        for b in rollout.batches
    ]
    if NO_BATCH in batch_items and rollout.batches:
        orphans = batch_items[NO_BATCH]
        batches.append(
            BatchHealth(NO_BATCH, (), len(orphans),
                        sum(1 for i in orphans if i.status == "approved"),
                        sum(1 for i in orphans if i.status == "draft"))
        )  # fmt: skip

    rule_counts = Counter((f.rule, f.severity.value) for f in lint.findings)
    rules = [
        RuleCount(rule, severity, count)
        for (rule, severity), count in sorted(
            rule_counts.items(),
            key=lambda kv: (SEVERITY_ORDER.get(kv[0][1], 9), -kv[1], kv[0][0]),
        )
    ]
    findings_by_path = Counter(f.path for f in lint.findings)
    return HealthReport(
        today=today,
        max_review_age_days=limit,
        items=len(items),
        documents=sum(1 for i in items if i.kind == "doc"),
        qa_entries=sum(1 for i in items if i.kind == "qa"),
        by_status=dict(sorted(Counter(i.status or "(none)" for i in items).items())),
        by_audience=dict(sorted(Counter(i.audience for i in items).items())),
        lint_errors=lint.errors,
        lint_warnings=sum(1 for f in lint.findings if f.severity.value == "warning"),
        files_with_findings=len(findings_by_path),
        batches=batches,
        reviews_overdue=sorted(overdue, key=lambda d: (d.days_left, d.path)),
        reviews_due_soon=sorted(due_soon, key=lambda d: (d.days_left, d.path)),
        expired=sorted(expired, key=lambda d: (d.days_left, d.path)),
        expiring_soon=sorted(expiring, key=lambda d: (d.days_left, d.path)),
        rules=rules,
        owners=_owners(items, overdue, due_soon, findings_by_path),
        findings_by_family=_finding_counts(lint, lambda f: f.category),
        findings_by_file=_finding_counts(lint, lambda f: f.path),
        review_ages=review_ages(items, today),
        never_reviewed=sum(1 for i in items if i.reviewed is None),
    )


def review_ages(items: list[Item], today: dt.date) -> list[AgeBucket]:
    """The histogram of days since each item's `reviewed` date (future dates count as 0)."""
    counts = Counter[str]()
    for item in items:
        if item.reviewed is None:
            continue
        age = max(0, (today - item.reviewed).days)
        for label, low, high in AGE_BUCKETS:
            if age >= low and (high is None or age <= high):
                counts[label] += 1
                break
    return [AgeBucket(label, low, high, counts[label]) for label, low, high in AGE_BUCKETS]


def _finding_counts(lint: LintReport, key: Callable[[Finding], str]) -> list[FindingCount]:
    by_key: dict[str, Counter[str]] = {}
    for finding in lint.findings:
        by_key.setdefault(key(finding), Counter())[finding.severity.value] += 1
    rows = [
        FindingCount(
            name,
            errors=c["error"],
            warnings=c["warning"],
            suggestions=c["suggestion"],
            total=sum(c.values()),
        )
        for name, c in by_key.items()
    ]
    return sorted(rows, key=lambda r: (-r.errors, -r.warnings, -r.total, r.name))


def _due(item: Item, due: dt.date, today: dt.date) -> DueItem:
    return DueItem(
        path=item.path,
        id=item.id,
        title=item.display_title,
        owner=item.owner or UNOWNED,
        due=due,
        days_left=(due - today).days,
    )


def _owners(
    items: list[Item],
    overdue: list[DueItem],
    due_soon: list[DueItem],
    findings_by_path: Counter[str],
) -> list[OwnerHealth]:
    owned = Counter(i.owner or UNOWNED for i in items)
    late = Counter(d.owner for d in overdue)
    soon = Counter(d.owner for d in due_soon)
    found: Counter[str] = Counter()
    for item in items:
        found[item.owner or UNOWNED] += findings_by_path.get(item.path, 0)
    rows = [
        OwnerHealth(owner, count, late[owner], soon[owner], found[owner])
        for owner, count in owned.items()
    ]
    return sorted(rows, key=lambda r: (-r.reviews_overdue, -r.findings, r.owner))


def _iso_dates(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso_dates(v) for v in value]
    return value
