"""How `kbsync impact` shows its report in a terminal: one line per fact, nothing cut.

The summary line of a target and the verdict line of the report are said the same way in the
Markdown (:mod:`pipeline.cli.impact_markdown`), which takes them from here.
"""

from __future__ import annotations

from pipeline.ops.impact import ImpactReport, Sighting, TargetImpact
from pipeline.sync.desired import BlockedItem


def summary_line(target: TargetImpact) -> str:
    """A target's counts in one line: each kind, and how many questions were not asked again."""
    asked = sum(q.asked for q in target.questions)
    new = target.count("new-failing")
    return (
        f"{target.count('regression')} regressed, {target.count('shadowing')} shadowed, "
        + (f"{new} new failing, " if new else "")
        + f"{target.count('improvement')} improved, {target.count('changed')} changed, "
        f"{target.count('unchanged')} unchanged ({len(target.questions) - asked} not asked again)"
    )


def _blocked_line(item: BlockedItem) -> str:
    rules = ", ".join(f"{f.rule} (line {f.line})" for f in item.findings)
    return f"{item.id} ({item.path}): {rules}"


def render_text(report: ImpactReport) -> str:
    lines = [f"impact of the change since {report.ref} (base {report.base[:12]})"]
    lines += [f"note: {n}" for n in report.notes]
    if not report.changed_paths:
        lines.append("no content changed: no question can move")
    for target in report.targets:
        lines.append("")
        lines.append(f"{target.target.key}: items changed: {len(target.changed_items)}")
        for item in target.changed_items:
            lines.append(f"  {item.change:<8} {item.id} ({item.path})")
        for q in target.reported:
            lines.append("")
            lines.append(f"{q.kind.upper()}  {q.origin} {q.id}: {q.question}  ({q.where})")
            lines.append(f"  changed: {', '.join(q.changes) or '-'}")
            lines += [f"  note: {n}" for n in q.notes]
            lines += _text_side(f"before ({report.ref})", q.before)
            lines += _text_side("after (working tree)", q.after)
        if target.coverage:
            lines.append("")
            lines.append("not covered: changed items no question reaches in its top sources")
            for gap in target.coverage:
                lines.append(f"  {gap.id} ({gap.path}): try {gap.question!r}")
            lines.append("  eval YAML to paste into content/evals/*.yaml (under 'evals:'):")
            lines += ["    " + line for gap in target.coverage for line in gap.snippet.split("\n")]
        for label, problems in (
            ("base", target.problems_before),
            ("working tree", target.problems_after),
        ):
            for path, why in sorted(problems.items()):
                lines.append(f"  missing at the {label}: {path}: {why}")
        for label, blocked in (
            ("base", target.blocked_before),
            ("working tree", target.blocked_after),
        ):
            for _key, held in sorted(blocked.items()):
                lines.append(f"  blocked by the payload gate at the {label}: {_blocked_line(held)}")
        lines.append(f"{target.target.key}: {summary_line(target)}")
    lines.append(verdict_line(report))
    return "\n".join(lines)


def _text_side(label: str, side: Sighting) -> list[str]:
    verdict = verdict_word(side)
    out = [f"  {label}: {verdict}  confidence {side.confidence_level} {side.confidence_score:.2f}"]
    for source in side.sources:
        out.append(f"    source {source.id} ({source.path}) {source.score:.2f}")
    out.append(f"    answer: {' '.join(side.answer.split())}")
    return out


def verdict_word(side: Sighting) -> str:
    """PASS, FAIL with the failures, or n/a with why the side has no verdict."""
    if side.passed is None:
        return "n/a (" + "; ".join(side.failures) + ")"
    return "PASS" if side.passed else "FAIL: " + "; ".join(side.failures)


def verdict_line(report: ImpactReport) -> str:
    """The report's last line: passed, or what failed it."""
    failed = []
    if report.regressions:
        n = report.regressions
        what = "question that passed" if n == 1 else "questions that passed"
        failed.append(f"{n} {what} at {report.ref} {'fails' if n == 1 else 'fail'} now")
    if report.new_failing:
        n = report.new_failing
        what = "eval question" if n == 1 else "eval questions"
        failed.append(f"{n} {what} added or edited in this change {'fails' if n == 1 else 'fail'}")
    if failed:
        return "impact FAILED: " + "; ".join(failed)
    return "impact passed: no question that passed before fails now"
