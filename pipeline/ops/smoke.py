"""The staging smoke flow: one pass over every kind of call a deployment depends on.

Each step is timed and ends `passed`, `failed` or `skipped` (a step whose prerequisite failed),
with Uppzy's `request_id` where the call has one. The canary document the flow creates is
deleted whatever happens after its creation: by id, and, when the id is unknown (the create's
outcome was uncertain), by listing the site for the canary's unique title.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pipeline import vcs
from pipeline.api import ApiError, DocumentPatch, PollTimeout, TextDocument, UppzyClient
from pipeline.config import EnvironmentConfig, Settings
from pipeline.ops.provenance import provenance
from pipeline.ops.records import save_record
from pipeline.ops.sessions import session_id
from pipeline.sync.state import now_iso
from pipeline.targets import Target

log = logging.getLogger(__name__)

StepStatus = Literal["passed", "failed", "skipped"]
CANARY_PREFIX = "kbsync smoke canary"
DEFAULT_QUESTION = "What can you help me with?"
STEPS = (
    "connectivity",
    "document.create",
    "document.activate",
    "document.ready",
    "document.patch",
    "document.delete",
    "chat.sync",
    "chat.async",
    "feedback",
    "statistics",
    "session.close",
)


@dataclass
class StepResult:
    """One step of the flow as it ended."""

    name: str
    status: StepStatus = "skipped"
    seconds: float = 0.0
    detail: str = ""
    request_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "passed"


@dataclass
class SmokeReport:
    """The whole run against one target."""

    target: Target
    at: str
    commit: str | None
    steps: list[StepResult] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    """What the run used besides its commit (see :mod:`pipeline.ops.provenance`)."""

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    def step(self, name: str) -> StepResult:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def to_record(self) -> dict[str, Any]:
        """What is kept in the target's state (`records["smoke"]`) and printed as JSON."""
        return {
            "passed": self.passed,
            "at": self.at,
            "commit": self.commit,
            "provenance": self.provenance,
            "target": self.target.key,
            "steps": [asdict(step) for step in self.steps],
        }


class _StepFailed(Exception):
    """A step's own check failed (the call worked, the result is wrong)."""


class _StepSkipped(Exception):
    """A step found it has nothing to do (reported `skipped` with the reason)."""


class _Flow:
    """Runs steps in order, recording each; a step whose prerequisite did not pass is skipped."""

    def __init__(self, report: SmokeReport) -> None:
        self.report = report
        self._by_name: dict[str, StepResult] = {}

    def passed(self, name: str) -> bool:
        step = self._by_name.get(name)
        return step is not None and step.ok

    @contextmanager
    def step(self, name: str, *needs: str) -> Iterator[StepResult | None]:
        """Yield the step to fill in, or None (step skipped) when a prerequisite did not pass."""
        result = StepResult(name)
        self._by_name[name] = result
        self.report.steps.append(result)
        missing = [need for need in needs if not self.passed(need)]
        if missing:
            result.detail = f"skipped: {', '.join(missing)} did not pass"
            yield None
            return
        start = time.monotonic()
        try:
            yield result
        except ApiError as exc:
            result.status = "failed"
            result.detail = _api_detail(exc)
            result.request_id = exc.request_id or result.request_id
        except _StepFailed as exc:
            result.status = "failed"
            result.detail = str(exc)
        except _StepSkipped as exc:
            result.status = "skipped"
            result.detail = f"skipped: {exc}"
        else:
            result.status = "passed"
        finally:
            result.seconds = time.monotonic() - start
            log.info("smoke %s %s: %s %s", self.report.target.key, name, result.status,
                     result.detail)  # fmt: skip


def smoke_targets(
    settings: Settings,
    client: UppzyClient,
    env: EnvironmentConfig,
    targets: Sequence[Target],
    *,
    question: str = DEFAULT_QUESTION,
) -> list[SmokeReport]:
    """Smoke every target on the checkout's commit, each run recorded for the promotion gate."""
    commit = vcs.head_commit(settings.root)
    return [
        run_smoke(client, env, target, settings=settings, commit=commit, question=question)
        for target in targets
    ]


def run_smoke(
    client: UppzyClient,
    env: EnvironmentConfig,
    target: Target,
    *,
    settings: Settings | None,
    commit: str | None = None,
    question: str = DEFAULT_QUESTION,
    ready_deadline: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SmokeReport:
    """Run the smoke flow against `target` (the environment's deadlines apply) and record it
    with the target's state, where the promotion gate reads it.

    `settings` says where the record goes; it is required so that no caller forgets it, and
    None records nothing (a run against a bare client). `commit` defaults to the checkout's.
    """
    if settings is not None and commit is None:
        commit = vcs.head_commit(settings.root)
    report = _smoke_flow(client, env, target, commit, question, ready_deadline, sleep)
    if settings is not None:
        save_record(settings, target, "smoke", report.to_record(), env=env)
    return report


def _smoke_flow(
    client: UppzyClient,
    env: EnvironmentConfig,
    target: Target,
    commit: str | None,
    question: str,
    ready_deadline: float | None,
    sleep: Callable[[float], None],
) -> SmokeReport:
    """Every step, in order, each skipped when the one it needs failed.

    One piece (~80 lines) on purpose: the steps read top to bottom as the flow they test, and
    share the session and the completed request id a later step rates.
    """
    report = SmokeReport(target=target, at=now_iso(), commit=commit, provenance=provenance(env))
    flow = _Flow(report)
    site = target.site
    with flow.step("connectivity") as step:
        if step is not None:
            limits = client.limits()
            used, limit = limits.messages.used, limits.messages.limit
            step.detail = f"limits read (messages {used if used is not None else '?'}"
            step.detail += f" of {limit})" if limit is not None else ")"
    _document_steps(flow, client, site, ready_deadline or env.async_.deadline, sleep)
    session = session_id(env.session_strategy, None, namespace=env.tenant_id or "kbsync")
    completed: str | None = None
    with flow.step("chat.sync", "connectivity") as step:
        if step is not None:
            answer = client.chat(site, session, question)
            step.request_id = answer.request_id
            if not answer.answer.strip():
                raise _StepFailed("the answer is empty")
            if not answer.confidence_level:
                raise _StepFailed("the answer has no confidence level")
            step.detail = f"answered, confidence {answer.confidence_level}"
            completed = answer.request_id
    with flow.step("chat.async", "connectivity") as step:
        if step is not None:
            step.detail = "submitted"
            submitted = client.chat_async(site, session, question)
            step.request_id = submitted.request_id
            status = submitted
            if not submitted.done:
                try:
                    status = client.poll_chat(site, submitted.request_id)
                except PollTimeout as exc:
                    raise _StepFailed(
                        f"still {exc.last_status} at the {exc.deadline:g} s deadline "
                        f"(async.deadline of {env.name})"
                    ) from exc
            if not (status.answer or "").strip():
                raise _StepFailed("the completed request has no answer")
            step.detail = f"completed, confidence {status.confidence_level or 'unknown'}"
            completed = status.request_id
    answered = flow.passed("chat.async") or flow.passed("chat.sync")
    with flow.step("feedback", "connectivity") as step:
        if step is not None:
            if not answered or completed is None:
                raise _StepSkipped("no completed response to rate")
            else:
                step.request_id = completed
                receipt = client.submit_feedback(site, session, completed, "good")
                step.detail = "rated good" + (" (already rated)" if receipt.repeated else "")
    with flow.step("statistics", "connectivity") as step:
        if step is not None:
            stats = client.site_statistics(site)
            step.detail = f"chats {stats.chats if stats.chats is not None else '?'}"
    with flow.step("session.close", "connectivity") as step:
        if step is not None:
            if not answered:
                raise _StepSkipped("no chat opened the session")
            else:
                client.close_session(site, session)
                step.detail = "closed"
    return report


def _document_steps(
    flow: _Flow,
    client: UppzyClient,
    site: str,
    deadline: float,
    sleep: Callable[[float], None],
) -> None:
    """Create, activate, wait ready and patch a canary; delete it whatever happened."""
    title = f"{CANARY_PREFIX} {uuid.uuid4().hex[:12]}"
    doc_id: str | None = None
    create_tried = False
    try:
        with flow.step("document.create", "connectivity") as step:
            if step is not None:
                create_tried = True
                body = "kbsync smoke canary: created and deleted by `kbsync smoke`."
                created = client.create_document(site, TextDocument(title=title, content=body))
                doc_id = created.id
                step.detail = f"created {doc_id} ({title!r})"
        with flow.step("document.activate", "document.create") as step:
            if step is not None and doc_id is not None:
                client.bulk_status(site, [doc_id], "active")
                step.detail = "active"
        with flow.step("document.ready", "document.activate") as step:
            if step is not None and doc_id is not None:
                _wait_ready(client, site, doc_id, deadline, sleep)
                step.detail = "ready"
        with flow.step("document.patch", "document.ready") as step:
            if step is not None and doc_id is not None:
                patch = DocumentPatch(content="kbsync smoke canary, patched.")
                client.update_document(site, doc_id, patch)
                step.detail = "patched"
    finally:
        with flow.step("document.delete", "connectivity") as step:
            if step is not None:
                _delete_canary(step, client, site, doc_id, title, create_tried)


def _wait_ready(
    client: UppzyClient, site: str, doc_id: str, deadline: float, sleep: Callable[[float], None]
) -> None:
    end = time.monotonic() + deadline
    delay = 0.1
    while True:
        listed = {doc.id: doc for doc in client.list_documents(site)}
        doc = listed.get(doc_id)
        if doc is None:
            raise _StepFailed(f"document {doc_id} is not in the site's listing")
        if doc.ready is not False:
            return
        if time.monotonic() >= end:
            raise _StepFailed(f"document {doc_id} was not ready within {deadline:g} s")
        sleep(min(delay, max(end - time.monotonic(), 0.0)))
        delay = min(delay * 2, 1.0)


def _delete_canary(
    step: StepResult,
    client: UppzyClient,
    site: str,
    doc_id: str | None,
    title: str,
    create_tried: bool,
) -> None:
    if not create_tried:
        raise _StepSkipped("no canary was created")
    ids = [doc_id] if doc_id is not None else []
    if not ids:
        # The create failed or its outcome is unknown: find any canary it may have left.
        ids = [doc.id for doc in client.list_documents(site) if doc.title == title]
        if not ids:
            raise _StepSkipped("the create left no canary")
    client.bulk_delete(site, ids)
    step.detail = f"deleted {', '.join(ids)}"


def _api_detail(exc: ApiError) -> str:
    status = f"HTTP {exc.status}: " if exc.status else ""
    return f"{status}{exc.message}"
