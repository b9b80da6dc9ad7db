"""Coverage: the changed items no question reaches, each with a suggested eval to paste.

A changed or added item that is in no question's top :data:`TOP_SOURCES` at either side is a
gap: the change moves text no eval watches. For each, the heading nearest above the first line
the change touched (the title if none) is phrased as a question a customer might ask, and
written out as an eval case in YAML, ready for `content/evals/*.yaml`.
"""

from __future__ import annotations

import difflib
import json
import re

from pipeline.corpus import Item
from pipeline.ops.impact.report import CoverageGap, TargetImpact
from pipeline.ops.impact.sides import Files, Side

TOP_SOURCES = 3
"""How deep in a question's sources an item counts as reached."""


def coverage_gaps(
    result: TargetImpact, before: Side, after: Side, files: Files
) -> list[CoverageGap]:
    """The changed items of `result` no question reaches, with a suggested eval for each."""
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
