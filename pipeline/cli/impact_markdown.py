"""How `kbsync impact` shows its report as Markdown, for a pull-request comment or a job
summary (the terminal text is :mod:`pipeline.cli.impact_text`).

The comment puts regressions and shadowing first, then other moves, then a count of unchanged
questions; at most :data:`MARKDOWN_DETAILED` detailed questions (the rest counted), and the
whole comment under :data:`MARKDOWN_LIMIT` characters (GitHub refuses comments over 65,536).

Content is quoted, never obeyed: in the Markdown every quoted text is escaped (no HTML, no
emphasis, no links, no table cell break), `@mentions` and `#123` references are broken with
a zero-width space so the comment pings nobody and links no issue, quoted questions and answers
are cut to a line, and fenced blocks use a fence longer than any backtick run inside them, so
nothing a page says can close a block or spill into what the job appends after the report.
"""

from __future__ import annotations

import re

from pipeline.cli.impact_text import summary_line, verdict_line, verdict_word
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
QUESTION_SHOWN = 300
"""Characters of a question or a note the Markdown shows."""
LISTED = 20
"""Coverage gaps, blocked items and unreadable files the Markdown lists per target."""
_MARKS = {
    "regression": "🔴", "shadowing": "🟠", "new-failing": "🟣", "improvement": "🟢",
    "changed": "🔵",
}  # fmt: skip


def render_markdown(report: ImpactReport) -> str:
    head = [f"### Answer impact of this change (against {_code(report.ref)})", ""]
    head += [f"> {_cell(_short(n, QUESTION_SHOWN))}" for n in report.notes]
    if not report.changed_paths:
        head.append("No content changed: no question can move.")
    blocks: list[str] = []
    tails: list[str] = []
    shown = 0
    for target in report.targets:
        head.append(f"- **{_cell(target.target.key)}**: {summary_line(target)}")
        moved = target.reported
        for q in moved[: max(0, MARKDOWN_DETAILED - shown)]:
            blocks.append(_md_question(q, report.ref))
        shown += min(len(moved), max(0, MARKDOWN_DETAILED - shown))
        tails += _md_blocked(target)
        tails += _md_coverage(target.coverage)
        problems = [
            f"- missing at the {label}: {_code(p)}: {_cell(_short(why, QUESTION_SHOWN))}"
            for label, found in (
                ("base", target.problems_before),
                ("change", target.problems_after),
            )
            for p, why in sorted(found.items())
        ]
        tails += _listed(problems, "unreadable files")
    total = sum(len(t.reported) for t in report.targets)
    head.append("")
    head.append(
        f"**{_cell(verdict_line(report))}**"
        + f" (a confidence move under {CONFIDENCE_JITTER} is noise)"
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
        text = _cut(text, MARKDOWN_LIMIT - 40) + "\n_…cut to fit a comment._\n"
    return text


def _cut(text: str, limit: int) -> str:
    """`text` cut at a line end before `limit`, a fenced block left open closed again."""
    kept = text[:limit].rsplit("\n", 1)[0]
    fence = None
    for line in kept.split("\n"):
        match = _FENCE_LINE.match(line)
        if match and (fence is None or match.group(1).startswith(fence)):
            fence = None if fence is not None else match.group(1)
    return kept + ("\n" + fence + "\n" if fence is not None else "\n")


def _md_question(q: QuestionImpact, ref: str) -> str:
    rows = [
        f"#### {_MARKS.get(q.kind, '')} {q.kind}: {q.origin} {_code(q.id)}",
        f"> {_cell(_short(q.question, QUESTION_SHOWN))}",
        "",
    ]
    rows += [f"- {_cell(_short(n, QUESTION_SHOWN))}" for n in q.notes]
    rows += [
        "",
        f"| | before ({_code(ref, table=True)}) | after (this change) |",
        "| --- | --- | --- |",
        f"| verdict | {_cell(_short(verdict_word(q.before), QUESTION_SHOWN))} "
        f"| {_cell(_short(verdict_word(q.after), QUESTION_SHOWN))} |",
        f"| confidence | {_cell(q.before.confidence_level)} {q.before.confidence_score:.2f} "
        f"| {_cell(q.after.confidence_level)} {q.after.confidence_score:.2f} |",
        f"| top sources | {_md_sources(q.before)} | {_md_sources(q.after)} |",
        f"| answer | {_cell(_short(q.before.answer))} | {_cell(_short(q.after.answer))} |",
        "",
    ]
    return "\n".join(rows)


def _md_sources(side: Sighting) -> str:
    if not side.sources:
        return "none"
    return "<br>".join(
        f"{_code(s.id, table=True)} {_cell(_short(s.path, QUESTION_SHOWN))} ({s.score:.2f})"
        for s in side.sources
    )


def _md_blocked(target: TargetImpact) -> list[str]:
    lines = [
        f"- blocked by the payload gate at the {label}: {_code(item.id)} ({_cell(item.path)}): "
        + ", ".join(f"{_code(f.rule)} line {f.line}" for f in item.findings)
        for label, blocked in (("base", target.blocked_before), ("change", target.blocked_after))
        for _key, item in sorted(blocked.items())
    ]
    return _listed(lines, "blocked items")


def _md_coverage(gaps: list[CoverageGap]) -> list[str]:
    if not gaps:
        return []
    out = ["#### Not covered by any question", ""]
    listed = [
        f"- {_code(g.id)} ({_cell(g.path)}): try “{_cell(_short(g.question, QUESTION_SHOWN))}”"
        for g in gaps
    ]
    out += _listed(listed, "changed items not covered")
    snippets = [g.snippet for g in gaps[:LISTED]]
    fence = _fence("\n".join(snippets))
    out += ["", fence + "yaml", *snippets, fence, ""]
    return out


def _listed(lines: list[str], what: str) -> list[str]:
    if len(lines) <= LISTED:
        return lines
    more = len(lines) - LISTED
    return [*lines[:LISTED], f"- _…and {more} more {what}: see the JSON report._"]


def _short(text: str, limit: int = ANSWER_SHOWN) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_ESCAPED = re.compile(r"([\\`*_{}\[\]()#+!~|$-])")
"""Markdown punctuation that could start emphasis, code, a link, an image or a table cell."""
_PING = re.compile(r"([@#])(?=[\w-])")
"""`@someone` pings, `#123` / `GH-123` links: a zero-width space after the sign breaks both."""
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")


def _cell(text: str) -> str:
    """Text shown as it is, on one line, inside a table cell, a list item or a quote."""
    flat = " ".join(text.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _ESCAPED.sub(r"\\\1", flat)
    return _PING.sub(lambda m: m.group(1) + "&#8203;", flat)


def _code(text: str, *, table: bool = False) -> str:
    """`text` as an inline code span (nothing in it renders): a backtick run inside it is
    outrun by the delimiters; in a table, `|` is escaped (GitHub splits cells first)."""
    flat = " ".join(text.split())
    longest = max((len(m) for m in _BACKTICKS.findall(flat)), default=0)
    tick = "`" * (longest + 1)
    if table:
        flat = flat.replace("|", "\\|")
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{tick}{pad}{flat}{pad}{tick}"


def _fence(body: str) -> str:
    """A code fence no line of `body` can close: longer than any backtick run in it."""
    longest = max((len(m) for m in _BACKTICKS.findall(body)), default=0)
    return "`" * max(3, longest + 1)
