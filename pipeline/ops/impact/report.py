"""The report of `kbsync impact`: what moved, per target and question, as data.

Every question gets a :class:`QuestionImpact` (a :class:`Sighting` at each side, a :data:`Kind`,
what moved and why); a target's changed items, coverage gaps, unreadable files and items held
back by the payload gate sit beside them in :class:`TargetImpact`. The renderers in
`pipeline/cli/` show this data as text or Markdown; :meth:`ImpactReport.dumps` is the JSON
(schema :data:`REPORT_VERSION`, stable). :meth:`ImpactReport.redacted` masks every text the
report prints (answers, questions, notes, headings), with the texts of the quoted top sources
given so that a secret a summary reshaped is masked too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pipeline.sync.desired import BlockedItem
from pipeline.targets import Target

Redact = Callable[[Sequence[str], Sequence[str]], list[str]]
"""Masks the secrets and personal data in texts, and the secrets of the source texts they were
made from (`pipeline.lint.redact.TextMasker`)."""

REPORT_VERSION = 1
CONFIDENCE_JITTER = 0.05
"""A confidence score move smaller than this (same level) is not a change."""

Kind = Literal["regression", "shadowing", "new-failing", "improvement", "changed", "unchanged"]
KINDS: tuple[Kind, ...] = (
    "regression", "shadowing", "new-failing", "improvement", "changed", "unchanged",
)  # fmt: skip
FAILING: frozenset[Kind] = frozenset({"regression", "shadowing", "new-failing"})
"""The kinds that fail the change (exit 1)."""


@dataclass(frozen=True)
class SourceRef:
    id: str
    path: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Sighting:
    """One question answered at one side, and its verdict (None: no verdict at this side)."""

    answer: str
    confidence_level: str
    confidence_score: float
    sources: tuple[SourceRef, ...]
    passed: bool | None
    failures: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "confidence_level": self.confidence_level,
            "confidence_score": self.confidence_score,
            "sources": [s.to_json() for s in self.sources],
            "passed": self.passed,
            "failures": list(self.failures),
        }


@dataclass(frozen=True)
class QuestionImpact:
    """How one question moved between the two sides."""

    id: str
    origin: Literal["eval", "qa"]
    question: str
    where: str
    kind: Kind
    asked: bool
    before: Sighting
    after: Sighting
    changes: tuple[str, ...]
    """What moved: `answer`, `top sources`, `confidence`, `verdict`."""
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "origin": self.origin,
            "question": self.question,
            "where": self.where,
            "kind": self.kind,
            "asked_again": self.asked,
            "changes": list(self.changes),
            "notes": list(self.notes),
            "before": self.before.to_json(),
            "after": self.after.to_json(),
        }


@dataclass(frozen=True)
class CoverageGap:
    """A changed or added item no question reaches in its top sources at either side."""

    id: str
    path: str
    heading: str
    question: str
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "heading": self.heading,
            "suggested_question": self.question,
            "eval_yaml": self.snippet,
        }


@dataclass(frozen=True)
class ChangedItem:
    id: str
    path: str
    change: Literal["added", "deleted", "changed", "blocked"]
    """`blocked`: at the base, and held back by the payload gate in the working tree."""


@dataclass
class TargetImpact:
    target: Target
    changed_items: list[ChangedItem] = field(default_factory=list)
    questions: list[QuestionImpact] = field(default_factory=list)
    """Every question (unchanged ones too: renderers show only their count)."""
    coverage: list[CoverageGap] = field(default_factory=list)
    problems_before: dict[str, str] = field(default_factory=dict)
    problems_after: dict[str, str] = field(default_factory=dict)
    blocked_before: dict[str, BlockedItem] = field(default_factory=dict)
    blocked_after: dict[str, BlockedItem] = field(default_factory=dict)
    """Items of changed files the payload gate holds back at each side (absent there)."""
    quoted: list[str] = field(default_factory=list, repr=False)
    """The texts of the top sources of moved questions (answers are made from them)."""

    def count(self, kind: Kind) -> int:
        return sum(q.kind == kind for q in self.questions)

    @property
    def reported(self) -> list[QuestionImpact]:
        """Moved questions, worst first: regressions and shadowing, then the rest."""
        moved = [q for q in self.questions if q.kind != "unchanged"]
        return sorted(moved, key=lambda q: (KINDS.index(q.kind), q.origin, q.id))

    def to_json(self) -> dict[str, Any]:
        asked = sum(q.asked for q in self.questions)
        return {
            "target": self.target.key,
            "counts": {
                "questions": len(self.questions),
                "asked_again": asked,
                "unchanged_not_asked": len(self.questions) - asked,
                **{kind: self.count(kind) for kind in KINDS},
            },
            "changed_items": [
                {"id": c.id, "path": c.path, "change": c.change} for c in self.changed_items
            ],
            "questions": [q.to_json() for q in self.reported],
            "coverage": [g.to_json() for g in self.coverage],
            "problems": {"before": self.problems_before, "after": self.problems_after},
            "blocked": {
                "before": [blocked_json(b) for _, b in sorted(self.blocked_before.items())],
                "after": [blocked_json(b) for _, b in sorted(self.blocked_after.items())],
            },
        }

    def redacted(self, redact: Redact) -> TargetImpact:
        """This target's report with every text it prints masked (one batch of texts)."""
        shown = self.reported
        texts: list[str] = []
        for q in shown:
            texts += [q.question, *q.notes, q.before.answer, *q.before.failures]
            texts += [q.after.answer, *q.after.failures]
        for gap in self.coverage:
            texts += [gap.heading, gap.question, gap.snippet]
        texts += list(self.problems_before.values()) + list(self.problems_after.values())
        masked = iter(redact(texts, self.quoted))

        def take(n: int) -> tuple[str, ...]:
            return tuple(next(masked) for _ in range(n))

        moved = {}
        for q in shown:
            question, notes = next(masked), take(len(q.notes))
            before = replace(q.before, answer=next(masked), failures=take(len(q.before.failures)))
            after = replace(q.after, answer=next(masked), failures=take(len(q.after.failures)))
            moved[id(q)] = replace(q, question=question, notes=notes, before=before, after=after)
        coverage = [
            replace(g, heading=next(masked), question=next(masked), snippet=next(masked))
            for g in self.coverage
        ]
        problems_before = dict(
            zip(self.problems_before, take(len(self.problems_before)), strict=True)
        )
        problems_after = dict(zip(self.problems_after, take(len(self.problems_after)), strict=True))
        return replace(
            self,
            questions=[moved.get(id(q), q) for q in self.questions],
            coverage=coverage,
            problems_before=problems_before,
            problems_after=problems_after,
        )


def blocked_json(item: BlockedItem) -> dict[str, Any]:
    """A held-back item as the report shows it: rule ids and lines, never the value."""
    return {
        "id": item.id,
        "path": item.path,
        "findings": [{"rule": f.rule, "line": f.line} for f in item.findings],
    }


@dataclass
class ImpactReport:
    ref: str
    base: str
    include_qa: bool
    ask_all: bool
    changed_paths: list[str]
    notes: list[str]
    targets: list[TargetImpact]

    @property
    def regressions(self) -> int:
        """Questions that passed at the base and fail now (shadowed Q&A entries included)."""
        return sum(t.count(kind) for t in self.targets for kind in FAILING - {"new-failing"})

    @property
    def new_failing(self) -> int:
        """Eval questions this change added or edited that fail in the working tree."""
        return sum(t.count("new-failing") for t in self.targets)

    @property
    def exit_code(self) -> int:
        """1 when a question that passed at the base fails now, or an eval question the change
        added or edited fails now; else 0."""
        return 1 if any(t.count(kind) for t in self.targets for kind in FAILING) else 0

    def redacted(self, redact: Redact) -> ImpactReport:
        """The report with every text it prints masked: answers, questions, notes, headings."""
        notes = redact(self.notes, []) if self.notes else []
        return replace(self, notes=notes, targets=[t.redacted(redact) for t in self.targets])

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "ref": self.ref,
            "base": self.base,
            "include_qa": self.include_qa,
            "all": self.ask_all,
            "confidence_jitter": CONFIDENCE_JITTER,
            "passed": self.exit_code == 0,
            "regressions": self.regressions,
            "new_failing": self.new_failing,
            "changed_paths": self.changed_paths,
            "notes": self.notes,
            "targets": [t.to_json() for t in self.targets],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
