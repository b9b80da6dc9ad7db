"""Answer-quality evals: the questions of `content/evals/*.yaml` (and each approved Q&A
entry's own) asked of a site through the API and scored.

Reading and scoring cases is :mod:`pipeline.ops.eval_cases` (no network imports; its names are
re-exported here). Each result keeps Uppzy's `request_id`, so a rating can be tied back to the exact answer.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pipeline import vcs
from pipeline.api import ApiError, UppzyClient
from pipeline.config import EnvironmentConfig, Settings
from pipeline.ops.chat import ask
from pipeline.ops.eval_cases import CONFIDENCE_LEVELS as CONFIDENCE_LEVELS
from pipeline.ops.eval_cases import EVALS_DIR as EVALS_DIR
from pipeline.ops.eval_cases import EvalCase as EvalCase
from pipeline.ops.eval_cases import eval_cases as eval_cases
from pipeline.ops.eval_cases import load_eval_file as load_eval_file
from pipeline.ops.eval_cases import load_eval_text as load_eval_text
from pipeline.ops.eval_cases import load_evals as load_evals
from pipeline.ops.eval_cases import score as score
from pipeline.ops.records import save_record
from pipeline.rollout import Rollout
from pipeline.sync.desired import ACTIVE, DesiredItem, OutboundCheck, desired_set
from pipeline.sync.state import TargetState, now_iso
from pipeline.targets import Target

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalResult:
    """How one question was answered on one target, and why it failed if it did."""

    case: EvalCase
    target: Target
    passed: bool
    failures: tuple[str, ...]
    answer: str = field(repr=False)
    confidence_level: str | None
    confidence_score: float | None
    request_id: str | None
    session_id: str | None
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.case.id,
            "target": self.target.key,
            "question": self.case.question,
            "passed": self.passed,
            "failures": list(self.failures),
            "confidence_level": self.confidence_level,
            "confidence_score": self.confidence_score,
            "min_confidence": self.case.min_confidence,
            "request_id": self.request_id,
            "session_id": self.session_id,
            "seconds": round(self.seconds, 3),
            "answer": self.answer,
            "source": f"{self.case.source}:{self.case.line}",
        }


@dataclass(frozen=True)
class EvalReport:
    """Every result of one run, with its pass rate against `min_pass`."""

    environment: str
    results: tuple[EvalResult, ...]
    min_pass: float
    at: str
    commit: str | None

    @property
    def pass_rate(self) -> float:
        if not self.results:
            return 0.0
        return sum(r.passed for r in self.results) / len(self.results)

    @property
    def passed(self) -> bool:
        return bool(self.results) and self.pass_rate >= self.min_pass

    def for_target(self, target: Target) -> EvalReport:
        mine = tuple(r for r in self.results if r.target == target)
        return EvalReport(self.environment, mine, self.min_pass, self.at, self.commit)

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "passed": self.passed,
            "pass_rate": round(self.pass_rate, 4),
            "min_pass": self.min_pass,
            "total": len(self.results),
            "failed": sum(not r.passed for r in self.results),
            "at": self.at,
            "commit": self.commit,
            "results": [r.to_json() for r in self.results],
        }

    def to_record(self) -> dict[str, Any]:
        """The summary kept in a target's state (`records["eval"]`)."""
        return {
            "passed": self.passed,
            "at": self.at,
            "commit": self.commit,
            "pass_rate": round(self.pass_rate, 4),
            "min_pass": self.min_pass,
            "total": len(self.results),
            "failed": sorted(r.case.id for r in self.results if not r.passed),
        }


# --- Q&A entries as implicit evals -----------------------------------------------------------

QA_CASE_PREFIX = "qa:"
"""Implicit cases are named `qa:<entry id>`, so they never collide with an eval file's ids."""
LONG_ANSWER = 160
"""An answer longer than this (characters, whitespace normalised) is matched by its first
sentence: the assistant may shorten a long answer, but keeps how it starts."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def expected_phrase(answer: str) -> str:
    """What an answer must contain for a Q&A entry's implicit eval to pass through the API."""
    text = " ".join(answer.split())
    if len(text) <= LONG_ANSWER:
        return text
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def qa_cases(items: Sequence[DesiredItem]) -> list[EvalCase]:
    """One implicit eval per Q&A entry of a desired set: its question, answered with its answer.

    Through the API (no sources in Uppzy's chat response) the case passes when the answer
    contains the entry's answer text (whitespace normalised, case-insensitive; a long answer's
    first sentence: :data:`LONG_ANSWER`) with at least medium confidence. `kbsync impact`
    checks more strictly: the entry must be the top source.
    """
    out = []
    for item in sorted(items, key=lambda i: i.id):
        payload = item.payload
        if item.type != "qa" or payload is None or not payload.question.strip():
            continue
        phrase = expected_phrase(payload.answer)
        out.append(
            EvalCase(
                id=QA_CASE_PREFIX + item.id,
                question=payload.question.strip(),
                must_contain=(phrase,) if phrase else (),
                min_confidence="medium",
                source=item.path,
                line=1,
                quoted=False,
            )
        )
    return out


def target_qa_cases(
    settings: Settings,
    env: EnvironmentConfig,
    target: Target,
    rollout: Rollout,
    check: OutboundCheck | None = None,
) -> list[EvalCase]:
    """The implicit Q&A cases of `target`'s desired set (every content file read).

    `check` is the payload gate a sync applies: an entry it blocks is never on the site, so it
    is not asked (the sync's plan reports it).
    """
    desired = desired_set(
        settings, env, target, rollout, TargetState(target), force_full=True, check=check
    )
    return qa_cases([item for item in desired.items.values() if item.status == ACTIVE])


# --- running and scoring ---------------------------------------------------------------------


def run_evals(
    client: UppzyClient,
    env: EnvironmentConfig,
    targets: Sequence[Target],
    cases: Sequence[EvalCase] | Mapping[Target, Sequence[EvalCase]],
    *,
    settings: Settings | None,
    min_pass: float,
    commit: str | None = None,
    concurrency: int | None = None,
    use_async: bool | None = None,
) -> EvalReport:
    """Ask every case on every target (at most `concurrency` at once, all targets in one pool),
    score the answers, and record each target's result with its state, where the promotion
    gate reads it.

    `cases` is the same list for every target, or each target's own (a site's Q&A entries);
    a target with no case is asked nothing and gets no record. `settings` says where the
    records go; it is required so that no caller forgets it, and None records nothing.
    `commit` defaults to the checkout's.
    """
    if settings is not None and commit is None:
        commit = vcs.head_commit(settings.root)
    per_target = {
        target: list(cases.get(target, ()) if isinstance(cases, Mapping) else cases)
        for target in targets
    }
    work = [(target, case) for target, mine in per_target.items() for case in mine]
    workers = max(1, min(concurrency or client.concurrency, len(work) or 1))
    started = now_iso()

    def one(item: tuple[Target, EvalCase]) -> EvalResult:
        return _ask_one(client, env, item[0], item[1], use_async)

    with ThreadPoolExecutor(workers, "kbsync-eval") as pool:
        results = tuple(pool.map(one, work))
    report = EvalReport(env.name, results, min_pass, started, commit)
    if settings is not None:
        for target in (t for t, mine in per_target.items() if mine):
            save_record(settings, target, "eval", report.for_target(target).to_record(), env=env)
    return report


def _ask_one(
    client: UppzyClient,
    env: EnvironmentConfig,
    target: Target,
    case: EvalCase,
    use_async: bool | None,
) -> EvalResult:
    start = time.monotonic()
    try:
        reply = ask(client, env, target.site, case.question, use_async=use_async)
    except ApiError as exc:
        log.warning("eval %s on %s: %s", case.id, target.key, exc)
        return EvalResult(
            case=case,
            target=target,
            passed=False,
            failures=(f"no answer: {exc.message}",),
            answer="",
            confidence_level=None,
            confidence_score=None,
            request_id=exc.request_id,
            session_id=None,
            seconds=time.monotonic() - start,
        )
    failures = score(case, reply.answer, reply.confidence_level)
    return EvalResult(
        case=case,
        target=target,
        passed=not failures,
        failures=failures,
        answer=reply.answer,
        confidence_level=reply.confidence_level,
        confidence_score=reply.confidence_score,
        request_id=reply.request_id,
        session_id=reply.session_id,
        seconds=reply.seconds,
    )
