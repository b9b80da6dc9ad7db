"""The engine of `kbsync impact`: both sides of every target, every question asked where it
can move, and the report.

For each target the two sides are built (:mod:`pipeline.ops.impact.sides`), a :class:`Book`
is made over each side's documents with the answering the CLI passes in, every question
(:mod:`pipeline.ops.impact.questions`) is answered at both sides and compared
(:mod:`pipeline.ops.impact.verdicts`), and the changed items no question reaches become
coverage gaps (:mod:`pipeline.ops.impact.coverage`). The texts of the top sources the moved
questions quote are kept, so that masking the report masks what an answer reshaped.

The shortcut: only what can move is asked again. Every question is answered at the base; at
the working tree, a question whose top sources, re-scored under the working tree's statistics,
provably stay on top (no changed item among them or able to enter them, and no unchanged item
able to overtake them however document frequencies and lengths drifted: :meth:`Book.unmoved`)
is "unchanged, not asked". That is exact, not an estimate: `--all` asks everything and reports
the same changed questions. An answer the shortcut works out that differs from the base's in
any way is asked for real (`asked`), so every reported move comes from a real answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.config import EnvironmentConfig, Settings, SiteConfig
from pipeline.ops.eval_cases import EvalCase
from pipeline.ops.impact.answering import Answering, AnswerT, AskedDocument, GivenAnswer
from pipeline.ops.impact.coverage import coverage_gaps
from pipeline.ops.impact.questions import eval_notes, questions_for
from pipeline.ops.impact.report import ChangedItem, ImpactReport, TargetImpact
from pipeline.ops.impact.sides import (
    Files,
    Side,
    build_side,
    links_after,
    links_before,
    read_files,
)
from pipeline.ops.impact.verdicts import compare, differences
from pipeline.rollout import Rollout
from pipeline.sync.desired import OutboundCheck
from pipeline.sync.links import SiteLinks
from pipeline.targets import Target


def measure_impact(
    settings: Settings,
    env: EnvironmentConfig,
    targets: Sequence[Target],
    rollout: Rollout,
    ref: str,
    cases: Sequence[EvalCase],
    answering: Answering[AnswerT],
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
    index = links_after(files, settings)
    for target in targets:
        site = env.sites.get(target.site) or SiteConfig()
        links = SiteLinks(index, site, settings.lint.links)
        found = _target_impact(
            settings, env, target, rollout, files, links, cases, case_notes, answering,
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
    links: SiteLinks,
    cases: Sequence[EvalCase],
    case_notes: Mapping[str, str],
    answering: Answering[AnswerT],
    *,
    include_qa: bool,
    ask_all: bool,
    ref: str,
    check: OutboundCheck | None,
) -> TargetImpact:
    after = build_side(
        "working tree", files.after, settings, env, target, rollout, links,
        check=check, gated=files.changed,
    )  # fmt: skip
    links_then, same_links = links_before(links, files, links.site, settings)
    unchanged = frozenset(files.after) - files.changed
    before = build_side(
        ref, files.before, settings, env, target, files.rollout_before, links_then,
        reuse=after if same_links and files.rollout_problem is None else None,
        unchanged=unchanged, check=check, gated=files.changed, refuse_unsafe=False,
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
    book_after = answering(_documents(after), like=book_before)
    for question in questions:
        then = book_before.answer(question.text)
        # the shortcut (module docstring): ask the working tree only what can move
        now = None if ask_all else book_after.unmoved(book_before, question.text, then, changed_ids)
        asked = now is None or not _same(then, now)
        if now is None or asked:
            now = book_after.answer(question.text)
        result.questions.append(
            compare(question, then, now, asked, before, after, files, book_after)
        )
    result.coverage = coverage_gaps(result, before, after, files)
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
    return not differences(then, now)
