"""How `kbsync impact` shows its report: a terminal text, and Markdown for a PR comment.

The Markdown is made for a pull-request comment or a job summary: regressions and shadowing
first, then other moves, then a count of unchanged questions; at most
:data:`MARKDOWN_DETAILED` detailed questions (the rest counted), and the whole comment under
:data:`MARKDOWN_LIMIT` characters (GitHub refuses comments over 65,536).
"""

from __future__ import annotations

from pipeline.ops.impact import (
    CONFIDENCE_JITTER,
    CoverageGap,
    ImpactReport,
    QuestionImpact,
    Sighting,
    TargetImpact,
)

MARKDOWN_DETAILED = 30
MARKDOWN_LIMIT = 60_000
ANSWER_SHOWN = 240
"""Characters of an answer the Markdown shows (the JSON has it whole)."""
_MARKS = {"regression": "🔴", "shadowing": "🟠", "improvement": "🟢", "changed": "🔵"}


def summary_line(target: TargetImpact) -> str:
    asked = sum(q.asked for q in target.questions)
    return (
        f"{target.count('regression')} regressed, {target.count('shadowing')} shadowed, "
        f"{target.count('improvement')} improved, {target.count('changed')} changed, "
        f"{target.count('unchanged')} unchanged ({len(target.questions) - asked} not asked again)"
    )


# --- text -------------------------------------------------------------------------------------


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
        lines.append(f"{target.target.key}: {summary_line(target)}")
    lines.append(_verdict(report))
    return "\n".join(lines)


def _text_side(label: str, side: Sighting) -> list[str]:
    verdict = _verdict_word(side)
    out = [f"  {label}: {verdict}  confidence {side.confidence_level} {side.confidence_score:.2f}"]
    for source in side.sources:
        out.append(f"    source {source.id} ({source.path}) {source.score:.2f}")
    out.append(f"    answer: {' '.join(side.answer.split())}")
    return out


def _verdict_word(side: Sighting) -> str:
    if side.passed is None:
        return "n/a (" + "; ".join(side.failures) + ")"
    return "PASS" if side.passed else "FAIL: " + "; ".join(side.failures)


def _verdict(report: ImpactReport) -> str:
    if report.regressions:
        n = report.regressions
        what = "question that passed" if n == 1 else "questions that passed"
        return f"impact FAILED: {n} {what} at {report.ref} fail now"
    return "impact passed: no question that passed before fails now"


# --- markdown ---------------------------------------------------------------------------------


def render_markdown(report: ImpactReport) -> str:
    head = [f"### Answer impact of this change (against `{report.ref}`)", ""]
    head += [f"> {_cell(n)}" for n in report.notes]
    if not report.changed_paths:
        head.append("No content changed: no question can move.")
    blocks: list[str] = []
    tails: list[str] = []
    shown = 0
    for target in report.targets:
        head.append(f"- **{target.target.key}**: {summary_line(target)}")
        moved = target.reported
        for q in moved[: max(0, MARKDOWN_DETAILED - shown)]:
            blocks.append(_md_question(q, report.ref))
        shown += min(len(moved), max(0, MARKDOWN_DETAILED - shown))
        tails += _md_coverage(target.coverage)
        for label, problems in (
            ("base", target.problems_before),
            ("change", target.problems_after),
        ):
            tails += [
                f"- missing at the {label}: `{p}`: {_cell(why)}"
                for p, why in sorted(problems.items())
            ]
    total = sum(len(t.reported) for t in report.targets)
    head.append("")
    head.append(
        f"**{_verdict(report)}**" + f" (a confidence move under {CONFIDENCE_JITTER} is noise)"
    )
    head.append("")

    def assemble(detailed: list[str]) -> str:
        more = total - len(detailed)
        extra = (
            [f"_…and {more} more moved questions: see the JSON report (`--format json`)._", ""]
            if more
            else []
        )
        return "\n".join(head + detailed + extra + tails) + "\n"

    text = assemble(blocks)
    while len(text) > MARKDOWN_LIMIT and blocks:
        blocks.pop()
        text = assemble(blocks)
    if len(text) > MARKDOWN_LIMIT:
        text = text[: MARKDOWN_LIMIT - 40] + "\n\n_…cut to fit a comment._\n"
    return text


def _md_question(q: QuestionImpact, ref: str) -> str:
    rows = [
        f"#### {_MARKS.get(q.kind, '')} {q.kind}: {q.origin} `{q.id}`",
        f"> {_cell(q.question)}",
        "",
    ]
    rows += [f"- {_cell(n)}" for n in q.notes]
    rows += [
        "",
        f"| | before (`{ref}`) | after (this change) |",
        "| --- | --- | --- |",
        f"| verdict | {_cell(_verdict_word(q.before))} | {_cell(_verdict_word(q.after))} |",
        f"| confidence | {q.before.confidence_level} {q.before.confidence_score:.2f} "
        f"| {q.after.confidence_level} {q.after.confidence_score:.2f} |",
        f"| top sources | {_md_sources(q.before)} | {_md_sources(q.after)} |",
        f"| answer | {_cell(_short(q.before.answer))} | {_cell(_short(q.after.answer))} |",
        "",
    ]
    return "\n".join(rows)


def _md_sources(side: Sighting) -> str:
    if not side.sources:
        return "none"
    return "<br>".join(f"`{_tick(s.id)}` {_cell(s.path)} ({s.score:.2f})" for s in side.sources)


def _md_coverage(gaps: list[CoverageGap]) -> list[str]:
    if not gaps:
        return []
    out = ["#### Not covered by any question", ""]
    out += [f"- `{_tick(g.id)}` ({_cell(g.path)}): try “{_cell(g.question)}”" for g in gaps]
    out += ["", "```yaml", *[g.snippet for g in gaps], "```", ""]
    return out


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= ANSWER_SHOWN else flat[: ANSWER_SHOWN - 1].rstrip() + "…"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or a one-line quote."""
    flat = " ".join(text.split())
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _tick(text: str) -> str:
    return text.replace("`", "'")
