"""The release: every gate between `kbsync sync` and a write, in the order they apply.

1. The lint gate: content with lint errors is not synced (`--skip-lint`, refused for production
   without `--force`, logged loudly).
2. The promotion gate: an environment promoted from another syncs only what that one smoke-
   tested (:mod:`pipeline.ops.gate`; `--force` overrides, loudly).
3. Per target, the sync (:func:`pipeline.sync.service.sync_target`) with its own guards, and
   before it writes, the eval gate on what this plan writes (a `requires_eval` batch), then the
   caller's confirmation.

The CLI parses the options, calls :func:`release` once, and renders through
:class:`ReleaseHooks`; nothing here prints. Sync knows none of this: the eval gate reaches it as
the `before_write` hook built here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.api import UppzyClient
from pipeline.config import EnvironmentConfig, Settings
from pipeline.errors import ContentError, UsageError
from pipeline.lint.engine import LintOptions, run_lint
from pipeline.lint.outbound import OutboundChecker
from pipeline.ops.gate import PRODUCTION, GateResult, check_eval_gate, check_gate, promotion_source
from pipeline.rollout import Rollout
from pipeline.sync.apply import ProgressCallback
from pipeline.sync.plan import Plan
from pipeline.sync.service import SyncOptions, SyncOutcome, sync_target
from pipeline.targets import Target

log = logging.getLogger(__name__)


class ReleaseHooks(Protocol):
    """What the caller (the CLI) shows and decides while a release runs, in order."""

    def warn(self, message: str) -> None:
        """A refusal let through (`--force`, `--skip-lint`): shown as it happens."""

    def confirm(self, plan: Plan) -> None:
        """The last word before `plan` is written (the gates passed); raise to refuse."""

    def start(self, target: Target) -> Callable[[Plan], ProgressCallback] | None:
        """The sync of `target` begins: how to follow its writes once its plan is known."""

    def finish(self, target: Target) -> None:
        """The sync of `target` ended (applied, refused or failed)."""

    def synced(self, outcome: SyncOutcome) -> None:
        """One target is done."""


@dataclass(frozen=True)
class ReleaseRequest:
    """What was asked for: the sync options, a saved plan to apply exactly, the overrides."""

    options: SyncOptions = field(default_factory=SyncOptions)
    saved_plan: Plan | None = None
    skip_lint: bool = False
    force: bool = False


def is_production(settings: Settings, env: EnvironmentConfig) -> bool:
    """Production, or promoted from another environment: where refusals need `--force`."""
    return env.name == PRODUCTION or promotion_source(env, settings.environments) is not None


def lint_gate(
    settings: Settings, env: EnvironmentConfig, request: ReleaseRequest, hooks: ReleaseHooks
) -> None:
    """Content with lint errors blocks the sync (`--skip-lint` only with `--force` for prod)."""
    if request.skip_lint:
        if is_production(settings, env) and not request.force:
            raise UsageError(
                f"--skip-lint is refused for {env.name} without --force",
                hint="fix the lint errors (kbsync lint) instead",
            )
        log.warning("LINT SKIPPED for %s (--skip-lint): content is synced unchecked", env.name)
        hooks.warn(f"lint skipped for {env.name} (--skip-lint)")
        return
    report = run_lint(settings, LintOptions())
    if report.errors:
        raise ContentError(
            f"content has {report.errors} lint errors: the sync of {env.name} is blocked",
            hint="run kbsync lint and fix them (or --skip-lint, logged loudly)",
        )


def release(
    settings: Settings,
    env: EnvironmentConfig,
    targets: Sequence[Target],
    request: ReleaseRequest,
    connect: Callable[[], AbstractContextManager[UppzyClient]],
    hooks: ReleaseHooks,
    *,
    rollout: Rollout | None = None,
) -> list[SyncOutcome]:
    """Run every gate, then sync each target (only the saved plan's, when there is one).

    `connect` opens the client once the gates before it passed; `rollout`, when the caller
    read it, is not read again.
    """
    saved = request.saved_plan
    chosen = list(targets)
    if saved is not None:
        chosen = [t for t in chosen if t.key == saved.target.key] or chosen
    lint_gate(settings, env, request, hooks)
    _overridden(check_gate(settings, env, force=request.force), hooks)
    check = OutboundChecker(settings)

    def before_write(plan: Plan) -> None:
        gate = check_eval_gate(settings, env, plan, force=request.force, rollout=rollout)
        _overridden(gate, hooks)
        hooks.confirm(plan)

    outcomes: list[SyncOutcome] = []
    with connect() as client:
        for target in chosen:
            progress = hooks.start(target)
            try:
                outcome = sync_target(
                    settings,
                    target,
                    client,
                    options=request.options,
                    saved_plan=saved,
                    before_write=before_write,
                    progress=progress,
                    check=check,
                    env=env,
                    rollout=rollout,
                )
            finally:
                hooks.finish(target)
            outcomes.append(outcome)
            hooks.synced(outcome)
    return outcomes


def _overridden(result: GateResult, hooks: ReleaseHooks) -> None:
    for problem in result.overridden:
        hooks.warn(f"promotion gate overridden (--force): {problem}")
