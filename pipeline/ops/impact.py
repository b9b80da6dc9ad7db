"""`kbsync impact`: how a change moves the assistant's answers, before it ships.

Each target's content is built at two sides (:mod:`pipeline.ops.impact_sides`): the base of
the change and the working tree. Every question — each eval case (read from the working tree:
a case added or edited by the change is asked at both sides with its current text) and, with
Q&A included, one implicit eval per approved Q&A entry at either side — is answered at both
sides by the answering the `local` environment uses, passed in by the CLI (ops does not
import the sandbox). A Q&A entry's implicit eval passes when the entry is the top source and
the confidence is not low; one outranked by another item is **shadowing** (entries asking the
same question count as one: any of them on top passes, so a swap between them is no shadowing).
An eval case the change added or edited has no verdict of its own at the base: failing now, it
is **new-failing**, and fails the change like a regression. The items of changed files pass the
payload gate at both sides (:mod:`pipeline.ops.impact_sides`); :meth:`ImpactReport.redacted`
masks every text the report prints.

Only what can move is asked again: every question is answered at the base; at the working
tree, a question whose top sources, re-scored under the working tree's statistics, provably
stay on top (no changed item among them or able to enter them, and no unchanged item able to
overtake them however document frequencies and lengths drifted: :meth:`Book.unmoved`) is
"unchanged, not asked". That is exact, not an estimate: `--all` asks everything and reports
the same changed questions.

A confidence change counts when its level changes or its score moves by at least
:data:`CONFIDENCE_JITTER`; smaller moves are retrieval noise from the corpus statistics.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, Self

from pipeline import vcs
from pipeline.config import EnvironmentConfig, Settings, SiteConfig
from pipeline.corpus import Item
from pipeline.errors import ConfigError
from pipeline.ops.evals import EVALS_DIR, EvalCase, load_eval_text, score
from pipeline.ops.impact_sides import Files, Side, build_side, links_before, read_files
from pipeline.rollout import Rollout
from pipeline.sync.desired import BlockedItem, OutboundCheck
from pipeline.sync.links import SiteLinks
from pipeline.targets import Target

Redact = Callable[[Sequence[str], Sequence[str]], list[str]]
"""Masks the secrets and personal data in texts, and the secrets of the source texts they were
made from (`pipeline.lint.redact.TextMasker`)."""

REPORT_VERSION = 1
CONFIDENCE_JITTER = 0.05
"""A confidence score move smaller than this (same level) is not a change."""
TOP_SOURCES = 3

Kind = Literal["regression", "shadowing", "new-failing", "improvement", "changed", "unchanged"]
KINDS: tuple[Kind, ...] = (
    "regression", "shadowing", "new-failing", "improvement", "changed", "unchanged",
)  # fmt: skip
FAILING: frozenset[Kind] = frozenset({"regression", "shadowing", "new-failing"})
"""The kinds that fail the change (exit 1)."""


# --- the answering, as the CLI passes it in ---------------------------------------------------


class RankedHit(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def score(self) -> float: ...


class GivenAnswer(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def confidence_score(self) -> float: ...
    @property
    def confidence_level(self) -> str: ...
    @property
    def hits(self) -> Sequence[RankedHit]: ...


class Book(Protocol):
    """Answers from one fixed set of documents (the sandbox's `Answerer`)."""

    def answer(self, question: str) -> GivenAnswer: ...

    def score(self, key: str, question: str) -> float: ...

    def unmoved(
        self, before: Self, question: str, given: Any, changed: Collection[str]
    ) -> GivenAnswer | None:
        """This book's answer worked out from `before`'s top sources, or None: ask."""
        ...


@dataclass(frozen=True)
class AskedDocument:
    """A document as the assistant reads it, keyed by its kbsync id."""

    key: str
    title: str
    type: str
    question: str
    body: str


class Answering(Protocol):
    """Builds a :class:`Book` over documents: `pipeline.sandbox.answering.Answerer`, adapted."""

    def __call__(self, documents: Sequence[AskedDocument]) -> Book: ...


# --- the report -------------------------------------------------------------------------------


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
        return sum(t.count("regression") + t.count("shadowing") for t in self.targets)

    @property
    def new_failing(self) -> int:
        """Eval questions this change added or edited that fail in the working tree."""
        return sum(t.count("new-failing") for t in self.targets)

    @property
    def exit_code(self) -> int:
        """1 when a question that passed at the base fails now, or an eval question the change
        added or edited fails now; else 0."""
        return 1 if self.regressions or self.new_failing else 0

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


# --- the questions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    origin: Literal["eval", "qa"]
    text: str
    where: str
    case: EvalCase | None = None
    note: str = ""
    fresh: bool = False
    """An eval question this change added or edited (it has no verdict of its own at REF)."""
    twins: tuple[str, ...] = ()
    """Other Q&A entries asking the same question: any of them as top source passes."""


def eval_notes(
    settings: Settings, files: Files, cases: Sequence[EvalCase]
) -> tuple[dict[str, str], list[str]]:
    """Cases the change added or edited, by id (asked at both sides with their current text,
    they fail the change if they fail now), and the ids of the cases it removed."""
    prefix = f"{settings.content_dir.rstrip('/')}/{EVALS_DIR}/"
    changed = sorted(
        p for p in files.others if p.startswith(prefix) and p.endswith((".yaml", ".yml"))
    )
    if not changed:
        return {}, []
    blobs = vcs.files_at(settings.root, files.base, changed) or {}
    before: dict[str, EvalCase] = {}
    for path in changed:
        data = blobs.get(path)
        if data is None:
            continue
        try:
            for case in load_eval_text(data.decode("utf-8", "replace"), settings.root / path):
                before[case.id] = case
        except ConfigError:
            continue
    notes: dict[str, str] = {}
    for case in cases:
        rel = Path(case.source)
        try:
            rel_path = rel.resolve().relative_to(settings.root.resolve()).as_posix()
        except ValueError:
            rel_path = case.source
        if rel_path not in changed:
            continue
        old = before.get(case.id)
        if old is None:
            notes[case.id] = "eval added in this change: asked at both sides with its text"
        elif (old.question, old.must_contain, old.must_not_contain, old.min_confidence) != (
            case.question,
            case.must_contain,
            case.must_not_contain,
            case.min_confidence,
        ):
            notes[case.id] = "eval edited in this change: asked at both sides with its new text"
    current = {case.id for case in cases}
    return notes, sorted(set(before) - current)


def questions_for(
    cases: Sequence[EvalCase],
    before: Side,
    after: Side,
    include_qa: bool,
    notes: Mapping[str, str],
    root: Path,
) -> list[Question]:
    out = [
        Question(c.id, "eval", c.question, _where(c, root), c, notes.get(c.id, ""), c.id in notes)
        for c in cases
    ]
    if include_qa:
        asked: dict[str, tuple[str, str]] = {}
        for key in sorted(set(before.items) | set(after.items)):
            item = after.items.get(key) or before.items[key]
            if item.type == "qa" and item.payload.question.strip():
                asked[key] = (item.payload.question.strip(), item.path)
        same: dict[str, list[str]] = {}
        for key, (text, _path) in asked.items():
            same.setdefault(_plain(text), []).append(key)
        for key, (text, path) in asked.items():
            twins = tuple(k for k in same[_plain(text)] if k != key)
            out.append(Question(key, "qa", text, path, twins=twins))
    return out


def _plain(question: str) -> str:
    """A question as compared for sameness: case, spacing and end punctuation aside."""
    return " ".join(question.lower().split()).rstrip(" ?.!")


def _where(case: EvalCase, root: Path) -> str:
    try:
        source = Path(case.source).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        source = case.source
    return f"{source}:{case.line}" if case.line else source


# --- the engine -------------------------------------------------------------------------------


def measure_impact(
    settings: Settings,
    env: EnvironmentConfig,
    targets: Sequence[Target],
    rollout: Rollout,
    ref: str,
    cases: Sequence[EvalCase],
    answering: Answering,
    *,
    include_qa: bool = True,
    ask_all: bool = False,
    check: OutboundCheck | None = None,
) -> ImpactReport:
    """Both sides of every target, every question asked where it can move, and the report."""
    files = read_files(settings, rollout, ref)
    notes = [files.rollout_problem] if files.rollout_problem else []
    case_notes, removed = eval_notes(settings, files, cases)
    if removed:
        notes.append(f"eval questions removed by this change (not asked): {', '.join(removed)}")
    report = ImpactReport(
        ref, files.base, include_qa, ask_all, sorted(files.changed | files.others), notes, []
    )
    for target in targets:
        found = _target_impact(
            settings, env, target, rollout, files, cases, case_notes, answering,
            include_qa=include_qa, ask_all=ask_all, ref=ref, check=check,
        )  # fmt: skip
        report.targets.append(found)
    return report


def _target_impact(
    settings: Settings,
    env: EnvironmentConfig,
    target: Target,
    rollout: Rollout,
    files: Files,
    cases: Sequence[EvalCase],
    case_notes: Mapping[str, str],
    answering: Answering,
    *,
    include_qa: bool,
    ask_all: bool,
    ref: str,
    check: OutboundCheck | None,
) -> TargetImpact:
    site = env.sites.get(target.site) or SiteConfig()
    links = SiteLinks.for_site(settings, env, target.site)
    after = build_side(
        "working tree", files.after, settings, env, target, rollout, links,
        check=check, gated=files.changed,
    )  # fmt: skip
    links_then, same_links = links_before(links, files, site, settings)
    unchanged = frozenset(files.after) - files.changed
    before = build_side(
        ref, files.before, settings, env, target, files.rollout_before, links_then,
        reuse=after if same_links and files.rollout_problem is None else None,
        unchanged=unchanged, check=check, gated=files.changed,
    )  # fmt: skip
    result = TargetImpact(
        target,
        problems_before=before.problems,
        problems_after=after.problems,
        blocked_before=before.blocked,
        blocked_after=after.blocked,
    )
    changed_ids = _changed_items(before, after, result)
    questions = questions_for(cases, before, after, include_qa, case_notes, settings.root)
    book_before = answering(_documents(before))
    book_after = answering(_documents(after))
    for question in questions:
        then = book_before.answer(question.text)
        now = None if ask_all else book_after.unmoved(book_before, question.text, then, changed_ids)
        asked = now is None or not _same(then, now)
        if now is None or asked:
            now = book_after.answer(question.text)
        result.questions.append(
            _compare(question, then, now, asked, before, after, files, book_after)
        )
    result.coverage = _coverage(result, before, after, files)
    quoted = {
        (side.label, s.id): side.items[s.id].body
        for q in result.reported
        for side, sighting in ((before, q.before), (after, q.after))
        for s in sighting.sources
        if s.id in side.items
    }
    result.quoted = [quoted[key] for key in sorted(quoted)]
    return result


def _documents(side: Side) -> list[AskedDocument]:
    return [
        AskedDocument(i.id, i.payload.title, i.type, i.payload.question, i.body)
        for i in side.items.values()
    ]


def _changed_items(before: Side, after: Side, result: TargetImpact) -> frozenset[str]:
    changed: set[str] = set()
    for key in sorted(set(before.items) | set(after.items)):
        old, new = before.items.get(key), after.items.get(key)
        if old is None and new is not None:
            result.changed_items.append(ChangedItem(key, new.path, "added"))
        elif new is None and old is not None:
            blocked = after.blocked.get(key)
            if blocked is not None:
                result.changed_items.append(ChangedItem(key, blocked.path, "blocked"))
            else:
                result.changed_items.append(ChangedItem(key, old.path, "deleted"))
        elif old is not None and new is not None and old.payload != new.payload:
            result.changed_items.append(ChangedItem(key, new.path, "changed"))
        else:
            continue
        changed.add(key)
    return frozenset(changed)


def _same(then: GivenAnswer, now: GivenAnswer) -> bool:
    return not _differences(then, now)


def _differences(then: GivenAnswer, now: GivenAnswer) -> list[str]:
    out = []
    if then.text != now.text:
        out.append("answer")
    if [h.key for h in then.hits] != [h.key for h in now.hits]:
        out.append("top sources")
    if then.confidence_level != now.confidence_level or (
        abs(then.confidence_score - now.confidence_score) >= CONFIDENCE_JITTER
    ):
        out.append("confidence")
    return out


def _compare(
    question: Question,
    then: GivenAnswer,
    now: GivenAnswer,
    asked: bool,
    before: Side,
    after: Side,
    files: Files,
    book_after: Book,
) -> QuestionImpact:
    was = _sighting(question, then, before)
    is_ = _sighting(question, now, after)
    changes = _differences(then, now)
    if was.passed != is_.passed:
        changes.append("verdict")
    notes: list[str] = [question.note] if question.note else []
    if question.twins:
        notes.append(f"also asked by {', '.join(question.twins)}: any of them as top source passes")
    kind: Kind = "unchanged"
    if was.passed is True and is_.passed is False:
        kind = "regression"
        top = now.hits[0].key if now.hits else None
        if (
            question.origin == "qa"
            and top not in (None, question.id, *question.twins)
            and question.id in after.items
        ):
            kind = "shadowing"
            own = book_after.score(question.id, question.text)
            other = after.items[top] if top is not None else None
            notes.append(
                f"qa {question.id} ({after.items[question.id].path}, score {own:.2f}) is now "
                f"outranked by {top} ({other.path if other else '?'}, "
                f"score {now.hits[0].score:.2f})"
            )
    elif question.fresh and is_.passed is False:
        kind = "new-failing"
    elif was.passed is False and is_.passed is True:
        kind = "improvement"
    elif changes:
        kind = "changed"
    if kind != "unchanged":
        for ref in was.sources:
            if ref.id not in after.items:
                notes.append(f"top source {ref.id} ({ref.path}) {_gone_why(ref, after, files)}")
        if question.origin == "qa" and question.id not in after.items:
            notes.append(f"qa {question.id} {_absent_why(question.id, after)}")
        elif question.origin == "qa" and question.id not in before.items:
            notes.append(f"qa {question.id} is new in this change")
    return QuestionImpact(
        question.id, question.origin, question.text, question.where, kind, asked,
        was, is_, tuple(changes), tuple(notes),
    )  # fmt: skip


def _gone_why(ref: SourceRef, after: Side, files: Files) -> str:
    """Why a base's top source is no item in the working tree."""
    if ref.path in files.deleted and ref.id not in after.left_out:
        return "was deleted"
    if ref.path in after.problems:
        return f"no longer reads: {after.problems[ref.path]}"
    now = next((i.id for i in after.items.values() if i.path == ref.path), None)
    if now is not None:
        return f"is now {now} (its id changed)"
    return _absent_why(ref.id, after)


def _absent_why(key: str, side: Side) -> str:
    """Why the item `key` is no item at `side`."""
    blocked = side.blocked.get(key)
    if blocked is not None:
        rules = ", ".join(sorted({f"{f.rule} (line {f.line})" for f in blocked.findings}))
        return f"is blocked by the payload gate in the {side.label}: {rules}"
    left = side.left_out.get(key)
    if left is not None:
        return f"is not in this target's content in the {side.label}: {left[1]}"
    return f"is not in this target's content in the {side.label}"


def _sighting(question: Question, given: GivenAnswer, side: Side) -> Sighting:
    sources = tuple(
        SourceRef(h.key, side.items[h.key].path if h.key in side.items else "?", h.score)
        for h in given.hits
    )
    level = given.confidence_level
    if question.case is not None:
        failures = score(question.case, given.text, level)
        return Sighting(given.text, level, given.confidence_score, sources, not failures, failures)
    if question.id not in side.items:
        why = (f"qa {question.id} is not in this side's content",)
        return Sighting(given.text, level, given.confidence_score, sources, None, why)
    found: list[str] = []
    top = sources[0] if sources else None
    if top is None:
        found.append("no source found")
    elif top.id != question.id and top.id not in question.twins:
        found.append(f"top source is {top.id} ({top.path}), not the entry")
    if level == "low":
        found.append("confidence low")
    return Sighting(given.text, level, given.confidence_score, sources, not found, tuple(found))


# --- coverage ---------------------------------------------------------------------------------


def _coverage(result: TargetImpact, before: Side, after: Side, files: Files) -> list[CoverageGap]:
    reached: set[str] = set()
    for q in result.questions:
        reached.update(s.id for s in q.before.sources[:TOP_SOURCES])
        reached.update(s.id for s in q.after.sources[:TOP_SOURCES])
    gaps = []
    for changed in result.changed_items:
        if changed.change in ("deleted", "blocked") or changed.id in reached:
            continue
        item = after.items[changed.id]
        found = files.after.get(item.path)
        heading = _changed_heading(
            found if isinstance(found, Item) else None,
            files.texts_before.get(item.path),
            item.payload.title,
        )
        question = as_question(heading)
        gaps.append(
            CoverageGap(
                changed.id, item.path, heading, question, _snippet(changed.id, heading, question)
            )
        )
    return gaps


def _changed_heading(item: Item | None, before_text: str | None, title: str) -> str:
    """The nearest heading above the first line the change touched; the title if none."""
    if item is None or before_text is None:
        return title
    new_lines = item.text.splitlines()
    matcher = difflib.SequenceMatcher(None, before_text.splitlines(), new_lines, autojunk=False)
    first = next((j1 for tag, _i1, _i2, j1, _j2 in matcher.get_opcodes() if tag != "equal"), None)
    if first is None:
        return title
    line = first + 1
    above = [h for h in item.headings if h.line <= line]
    return above[-1].text.strip() if above else title


_ASKING = re.compile(r"^(how|what|when|where|why|who|which|can|do|does|is|are|should|will)\b", re.I)


def as_question(heading: str) -> str:
    """A heading phrased as a question a customer might ask."""
    text = " ".join(heading.split()).rstrip(" .:;!")
    if not text:
        return "What does this page say?"
    if text.endswith("?"):
        return text
    if _ASKING.match(text):
        return text[0].upper() + text[1:] + "?"
    lowered = text if text[:2].isupper() else text[0].lower() + text[1:]
    return f"What should I know about {lowered}?"


def _snippet(item_id: str, heading: str, question: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{item_id}-{heading}".lower()).strip("-")[:72] or "case"
    return "\n".join(
        [
            "  - id: " + slug,
            "    question: " + json.dumps(question, ensure_ascii=False),
            "    must_contain: []   # the phrases a right answer says, from " + item_id,
            "    min_confidence: medium",
        ]
    )
