"""How one question moved: its answer at each side, a verdict at each, and a kind.

At each side a question's answer is a :class:`Sighting` with a verdict: an eval case passes
when its checks pass; a Q&A entry's implicit eval passes when the entry (or a twin asking the
same question) is the top source and the confidence is not low, and has no verdict at a side
whose content lacks the entry. Comparing the two gives the kind: passed then and fails now is a
**regression**, or **shadowing** when another item now outranks a Q&A entry that is still
there; otherwise an eval the change added or edited that fails now is **new-failing**; failed
then and passes now is an improvement; any other move (answer, top sources, confidence) is changed.
A confidence change counts when its level changes or its score moves by at least
:data:`CONFIDENCE_JITTER`; smaller moves are retrieval noise from the corpus statistics.
Notes say why a base's top source or the entry is gone from the working tree.
"""

from __future__ import annotations

from pipeline.ops.eval_cases import score
from pipeline.ops.impact.answering import GivenAnswer, Scorer
from pipeline.ops.impact.questions import Question
from pipeline.ops.impact.report import CONFIDENCE_JITTER, Kind, QuestionImpact, Sighting, SourceRef
from pipeline.ops.impact.sides import Files, Side


def differences(then: GivenAnswer, now: GivenAnswer) -> list[str]:
    """What moved between two answers to one question: `answer`, `top sources`, `confidence`."""
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


def compare(
    question: Question,
    then: GivenAnswer,
    now: GivenAnswer,
    asked: bool,
    before: Side,
    after: Side,
    files: Files,
    book_after: Scorer,
) -> QuestionImpact:
    """The question's two answers as the report shows them: sightings, kind, changes, notes."""
    was = _sighting(question, then, before)
    is_ = _sighting(question, now, after)
    changes = differences(then, now)
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
