"""The promotion gate: production syncs only what staging has smoke-tested (and evaluated).

An environment may name the one it is promoted from (`promote_from`; `production` defaults to
`staging` when both exist). Its sync is refused unless every target of that environment has a
passing smoke run within `rollout.smoke_window_hours` on the commit being synced (or on an
ancestor with no change under the content folder since), made by this kbsync version, with the
source environment's settings and API key as they are now (see :mod:`pipeline.ops.provenance`). A rollout batch with
`requires_eval: true` is only written when `kbsync eval` passed there on the same terms.
`--force` overrides both, loudly.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pipeline import vcs
from pipeline.config import EnvironmentConfig, Settings
from pipeline.errors import KbsyncError
from pipeline.ops.provenance import provenance_problems
from pipeline.ops.records import load_record
from pipeline.rollout import Rollout, load_rollout
from pipeline.sync.plan import Plan
from pipeline.targets import environment_targets

log = logging.getLogger(__name__)

WRITING_ACTIONS = frozenset({"create", "update", "rename", "activate", "adopt"})
PRODUCTION = "production"
STAGING = "staging"


class GateRefused(KbsyncError):
    """The environment this one is promoted from has not proven the content yet."""


@dataclass(frozen=True)
class GateResult:
    """What the gate checked; `overridden` lists the refusals `--force` let through."""

    source: str | None
    checked: tuple[str, ...] = ()
    overridden: tuple[str, ...] = ()


def promotion_source(env: EnvironmentConfig, configured: Collection[str]) -> str | None:
    """The one rule for where `env` is promoted from: its `promote_from`, else `staging` for
    `production` when a staging environment is configured, else none.

    It does not check that `promote_from` names a configured environment: the gate refuses
    that (:func:`promoted_from`), the doctor reports it.
    """
    if env.promote_from:
        return env.promote_from
    if env.name == PRODUCTION and STAGING in configured:
        return STAGING
    return None


def source_environment(settings: Settings, env: EnvironmentConfig) -> EnvironmentConfig | None:
    """The environment `env` is promoted from (:func:`promotion_source`), if any; a
    ConfigError if `promote_from` names no configured environment."""
    source = promotion_source(env, settings.environments)
    return None if source is None else settings.environment(source)


def promoted_from(settings: Settings, env_name: str) -> str | None:
    """The name of the environment `env_name` is promoted from, if any."""
    source = source_environment(settings, settings.environment(env_name))
    return None if source is None else source.name


def check_gate(
    settings: Settings,
    env: EnvironmentConfig,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
) -> GateResult:
    """Refuse (GateRefused) unless the source environment passed smoke within the window on
    this content. With `force`, log the refusal loudly and let it through.

    What a sync writes into a `requires_eval` batch is gated per plan by
    :func:`check_eval_gate`."""
    source = source_environment(settings, env)
    if source is None:
        return GateResult(None)
    window = env.rollout.smoke_window_hours
    problems = _record_problems(
        settings, source, "smoke", "kbsync smoke", window, now, check_provenance=True
    )
    return _verdict(
        env.name, source.name, ("smoke",), problems, force, [f"kbsync smoke --env {source.name}"]
    )


def check_eval_gate(
    settings: Settings,
    env: EnvironmentConfig,
    plan: Plan | None,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
    rollout: Rollout | None = None,
) -> GateResult:
    """Refuse writing a `requires_eval` batch until eval passed on the source environment.

    Without a plan, every such batch listing `env` counts. An environment promoted from
    none has nothing to wait for. `rollout`, when the caller read it, is not read again.
    """
    source = source_environment(settings, env)
    if rollout is None:
        rollout = load_rollout(settings.content_root)
    batches = _eval_batches(rollout, env.name, plan)
    if source is None or not batches:
        return GateResult(None if source is None else source.name)
    problems = [
        f"batch {', '.join(batches)} requires_eval: {problem}"
        for problem in _record_problems(settings, source, "eval", "kbsync eval", None, now)
    ]
    return _verdict(
        env.name, source.name, ("eval",), problems, force, [f"kbsync eval --env {source.name}"]
    )


def _verdict(
    env_name: str,
    source: str,
    checked: tuple[str, ...],
    problems: list[str],
    force: bool,
    commands: list[str],
) -> GateResult:
    if not problems:
        return GateResult(source, checked)
    message = f"{env_name} is promoted from {source}, and " + "; ".join(problems)
    if force:
        log.warning("PROMOTION GATE OVERRIDDEN for %s (--force): %s", env_name, message)
        return GateResult(source, checked, tuple(problems))
    raise GateRefused(
        message,
        hint=f"run {' and '.join(commands)} on this commit (or pass --force, logged loudly)",
    )


def _eval_batches(rollout: Rollout, env_name: str, plan: Plan | None) -> list[str]:
    """Batches with `requires_eval` this sync would write into `env_name`.

    Without a plan, every such batch that lists the environment counts.
    """
    wanted = {b.id for b in rollout.batches if b.requires_eval and env_name in b.environments}
    if plan is None:
        return sorted(wanted)
    writing = {c.batch for c in plan.changes if c.action in WRITING_ACTIONS}
    return sorted(b for b in wanted if b in writing)


def _record_problems(
    settings: Settings,
    source: EnvironmentConfig,
    key: str,
    command: str,
    window_hours: float | None,
    now: dt.datetime | None,
    *,
    check_provenance: bool = False,
) -> list[str]:
    problems = []
    head = vcs.head_commit(settings.root)
    for target in environment_targets(source):
        record = load_record(settings, target, key, env=source)
        problem = _problem(settings, record, head, window_hours, now)
        if problem is None and check_provenance and record is not None:
            problem = "; ".join(provenance_problems(record, source)) or None
        if problem:
            problems.append(f"{target.key}: {problem} ({command} --env {source.name})")
    return problems


def _problem(
    settings: Settings,
    record: dict[str, Any] | None,
    head: str | None,
    window_hours: float | None,
    now: dt.datetime | None,
) -> str | None:
    """Why `record` does not clear the gate, or None when it does."""
    if record is None:
        return "no run recorded"
    if not record.get("passed"):
        return f"the last run ({record.get('at', '?')}) failed"
    if window_hours is not None:
        at = _parse_time(record.get("at"))
        if at is None:
            return "the last run has no time"
        age = ((now or dt.datetime.now(dt.UTC)) - at).total_seconds() / 3600
        if age > window_hours:
            return f"the last passing run is {age:.1f} h old (window {window_hours:g} h)"
    commit = record.get("commit")
    if not isinstance(commit, str) or not commit:
        return "the last passing run was not made from a git commit"
    if head is None:
        return "this checkout has no commit to compare with"
    if commit == head:
        return None
    if not content_unchanged_since(settings, commit, head):
        return f"content changed since the run's commit {commit[:12]}"
    return None


def content_unchanged_since(settings: Settings, commit: str, head: str) -> bool:
    """True if `commit` is an ancestor of `head` and nothing under content/ differs."""
    if _git(settings, "merge-base", "--is-ancestor", commit, head) != 0:
        return False
    return _git(settings, "diff", "--quiet", commit, head, "--", settings.content_dir) == 0


def _git(settings: Settings, *args: str) -> int:
    try:
        done = subprocess.run(
            ["git", *args], cwd=settings.root, capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("git %s failed: %s", " ".join(args), exc)
        return 128
    return done.returncode


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
