"""What `kbsync impact` asks: the eval cases, and one implicit eval per approved Q&A entry.

Eval cases are read from the working tree: a case the change added or edited is asked at both
sides with its current text (:func:`eval_notes` says which, and which cases the change removed),
has no verdict of its own at the base, and fails the change if it fails now (new-failing).
With Q&A included, every approved Q&A entry at either side asks its own question; entries
asking the same question (case, spacing and end punctuation aside) are twins: any of them as
top source passes, so a swap between them is no shadowing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.ops.eval_cases import EvalCase, load_eval_text
from pipeline.ops.impact.sides import Files, Side


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
    changed = files.evals_changed
    if not changed:
        return {}, []
    before: dict[str, EvalCase] = {}
    for path in changed:
        data = files.evals_before.get(path)
        if data is None:
            continue
        try:
            for case in load_eval_text(data.decode("utf-8", "replace"), settings.root / path):
                before[case.id] = case
        except ConfigError:
            continue
    notes: dict[str, str] = {}
    for case in cases:
        rel_path = _relative(case.source, settings.root)
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
    source = _relative(case.source, root)
    return f"{source}:{case.line}" if case.line else source


def _relative(source: str, root: Path) -> str:
    """An eval file's path as git names it (relative to the repository), else as given."""
    try:
        return Path(source).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return source
