"""`kbsync impact`: how a change moves the assistant's answers, before it ships.

Each target's content is built at two sides, the base of the change and the working tree, and
every question (each eval case and, with Q&A included, one implicit eval per approved Q&A
entry) is answered at both sides by the answering the `local` environment uses, in-process,
nothing sent. The report names each question whose answer, top sources, confidence or verdict
moved; a question that passed at the base and fails now (a Q&A entry another item now
outranks: shadowing), or an eval the change added or edited that fails now, fails the change
(exit 1). Changed items no question reaches are listed with a suggested eval.

The modules, in reading order:

- :mod:`~pipeline.ops.impact.engine`: :func:`measure_impact`, the loop over targets and
  questions, and the shortcut that asks the working tree only what can move;
- :mod:`~pipeline.ops.impact.sides`: a target's content at the base and in the working tree,
  as a sync would send it (the payload gate on changed files at both sides);
- :mod:`~pipeline.ops.impact.questions`: the questions (eval cases, implicit Q&A evals, which
  evals the change added, edited or removed);
- :mod:`~pipeline.ops.impact.verdicts`: one question's two answers → verdicts and a kind;
- :mod:`~pipeline.ops.impact.coverage`: changed items no question reaches → suggested evals;
- :mod:`~pipeline.ops.impact.report`: the report as data, its JSON and its masking;
- :mod:`~pipeline.ops.impact.answering`: what impact needs of the answering the CLI passes in
  (ops does not import the sandbox).

The renderers are the CLI's: `pipeline/cli/impact_text.py` and `pipeline/cli/impact_markdown.py`.
"""

from __future__ import annotations

from pipeline.ops.impact.answering import Answering, AskedDocument, Book, GivenAnswer, RankedHit
from pipeline.ops.impact.coverage import TOP_SOURCES, as_question
from pipeline.ops.impact.engine import measure_impact
from pipeline.ops.impact.questions import Question, eval_notes, questions_for
from pipeline.ops.impact.report import (
    CONFIDENCE_JITTER,
    FAILING,
    KINDS,
    REPORT_VERSION,
    ChangedItem,
    CoverageGap,
    ImpactReport,
    Kind,
    QuestionImpact,
    Redact,
    Sighting,
    SourceRef,
    TargetImpact,
    blocked_json,
)

__all__ = [
    "CONFIDENCE_JITTER",
    "FAILING",
    "KINDS",
    "REPORT_VERSION",
    "TOP_SOURCES",
    "Answering",
    "AskedDocument",
    "Book",
    "ChangedItem",
    "CoverageGap",
    "GivenAnswer",
    "ImpactReport",
    "Kind",
    "Question",
    "QuestionImpact",
    "RankedHit",
    "Redact",
    "Sighting",
    "SourceRef",
    "TargetImpact",
    "as_question",
    "blocked_json",
    "eval_notes",
    "measure_impact",
    "questions_for",
]
