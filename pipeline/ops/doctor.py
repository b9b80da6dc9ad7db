"""`kbsync doctor`: the production checklist, every item checked rather than printed.

Items: the environment's own key (compared with the others' by sha256, never shown), no key in
a git-tracked file, tenant and sites live (:mod:`pipeline.ops.check`), a session strategy, a
retry policy limited to retryable classes, an async polling deadline, metrics output, the last
smoke of the environment promoted from, and clean content lint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.api import UppzyClient
from pipeline.api.retry import RetryPolicy, policy_problems
from pipeline.config import EnvironmentConfig, Settings
from pipeline.errors import KbsyncError
from pipeline.lint.engine import LintOptions, run_lint
from pipeline.ops.check import Fact, run_check
from pipeline.ops.gate import promotion_source
from pipeline.ops.sessions import STRATEGIES
from pipeline.sync.service import make_store
from pipeline.targets import resolve_targets

MAX_ATTEMPTS_BOUND = 10
MAX_ASYNC_DEADLINE = 300.0


@dataclass
class DoctorReport:
    environment: str
    items: list[Fact] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item.status != "FAIL" for item in self.items)

    def to_json(self) -> dict[str, object]:
        return {
            "environment": self.environment,
            "ok": self.ok,
            "items": [item.__dict__ for item in self.items],
        }


def key_digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def own_key_item(settings: Settings, env: EnvironmentConfig) -> Fact:
    """The environment has its own variable, set, and its key is no other environment's."""
    subject = "own key"
    if env.is_sandbox and not env.api_key_env:
        return Fact("skip", subject, "the in-process sandbox needs no key")
    if not env.api_key_env:
        return Fact("FAIL", subject, "no api_key_env configured")
    value = env.api_key()
    problems: list[str] = []
    notes: list[str] = []
    if value is None:
        problems.append(f"{env.api_key_env} is not set")
    for other in sorted(settings.environments.values(), key=lambda e: e.name):
        if other.name == env.name or not other.api_key_env:
            continue
        if other.api_key_env == env.api_key_env:
            problems.append(f"{other.name} uses the same variable {env.api_key_env}")
            continue
        other_value = other.api_key()
        if other_value is None:
            notes.append(f"{other.name}'s {other.api_key_env} is not set, not compared")
        elif value is not None and key_digest(other_value) == key_digest(value):
            problems.append(f"same key as {other.name} ({other.api_key_env})")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    if problems:
        return Fact("FAIL", subject, "; ".join(problems) + suffix)
    return Fact("ok", subject, f"{env.api_key_env} is set and differs from the others{suffix}")


def tracked_files(root: Path) -> list[str]:
    """Paths git tracks under `root` (raises KbsyncError when it is not a git repository)."""
    try:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise KbsyncError(f"cannot list git-tracked files in {root}: {exc}") from None
    return [path for path in done.stdout.decode("utf-8", "replace").split("\0") if path]


def leaked_key_item(settings: Settings) -> Fact:
    """No configured key value appears in a git-tracked file (paths reported, never keys)."""
    subject = "no key in git"
    keys = {
        env.api_key_env: value
        for env in settings.environments.values()
        if env.api_key_env and (value := env.api_key()) is not None
    }
    if not keys:
        return Fact("skip", subject, "no key variable is set, nothing to search for")
    try:
        paths = tracked_files(settings.root)
    except KbsyncError as exc:
        return Fact("FAIL", subject, exc.message)
    needles = {name: value.encode("utf-8") for name, value in keys.items()}
    found: dict[str, list[str]] = {}
    for rel in paths:
        try:
            data = (settings.root / rel).read_bytes()
        except OSError:
            continue
        for name, needle in needles.items():
            if needle in data:
                found.setdefault(name, []).append(rel)
    if found:
        where = "; ".join(f"{name}'s value in {', '.join(p)}" for name, p in sorted(found.items()))
        return Fact("FAIL", subject, f"{where}: remove it, rewrite history and rotate the key")
    names = ", ".join(sorted(keys))
    return Fact("ok", subject, f"{len(paths)} tracked files searched for {names}")


def live_item(client: UppzyClient | None, env: EnvironmentConfig) -> Fact:
    subject = "tenant and sites live"
    if client is None:
        return Fact("FAIL", subject, "no client: the key is missing")
    report = run_check(client, env)
    failure = report.first_failure
    if failure is not None:
        return Fact("FAIL", subject, f"{failure.subject}: {failure.detail}")
    return Fact("ok", subject, f"tenant {env.tenant_id} and {len(env.sites)} site(s) answer")


def session_item(env: EnvironmentConfig) -> Fact:
    subject = "session strategy"
    if env.session_strategy in STRATEGIES:
        return Fact("ok", subject, str(env.session_strategy))
    if env.session_strategy is None:
        return Fact(
            "FAIL", subject, f"not configured (set session_strategy: {', '.join(STRATEGIES)})"
        )
    return Fact("FAIL", subject, f"unknown {env.session_strategy!r} (use {', '.join(STRATEGIES)})")


def retry_item(env: EnvironmentConfig, policy: RetryPolicy | None = None) -> Fact:
    """The retry policy retries only retryable classes and is bounded."""
    subject = "retries"
    policy = policy or RetryPolicy(env.http)
    problems: list[str] = []
    if not 1 <= env.http.max_attempts <= MAX_ATTEMPTS_BOUND:
        problems.append(
            f"http.max_attempts = {env.http.max_attempts} (must be 1–{MAX_ATTEMPTS_BOUND})"
        )
    problems += policy_problems(policy)
    if problems:
        return Fact("FAIL", subject, "; ".join(dict.fromkeys(problems)))
    return Fact(
        "ok",
        subject,
        f"at most {env.http.max_attempts} attempts; 4xx never retried; creates and chat "
        "not retried when the outcome is uncertain",
    )


def async_item(env: EnvironmentConfig) -> Fact:
    subject = "async deadline"
    deadline = env.async_.deadline
    if 0 < deadline <= MAX_ASYNC_DEADLINE:
        return Fact("ok", subject, f"async.deadline = {deadline:g} s")
    return Fact(
        "FAIL",
        subject,
        f"async.deadline = {deadline:g} s (must be > 0 and ≤ {MAX_ASYNC_DEADLINE:g})",
    )


def metrics_item(env: EnvironmentConfig) -> Fact:
    if env.metrics_out:
        return Fact("ok", "metrics output", env.metrics_out)
    return Fact("FAIL", "metrics output", "metrics_out is not set for this environment")


def smoke_item(settings: Settings, env: EnvironmentConfig, now: dt.datetime | None = None) -> Fact:
    """The last smoke run of every target of the source environment passed, within the window."""
    subject = "last smoke"
    source = promotion_source(env, settings.environments)
    if source is None:
        return Fact("skip", subject, "no promote_from: nothing is promoted into this environment")
    if source not in settings.environments:
        return Fact("FAIL", subject, f"promote_from names {source!r}, which is not configured")
    source_env = settings.environments[source]
    store = make_store(settings, source_env)
    window = env.rollout.smoke_window_hours
    now = now or dt.datetime.now(dt.UTC)
    problems: list[str] = []
    passed: list[str] = []
    for target in resolve_targets(settings, source):
        record = store.load(target).records.get("smoke")
        if not isinstance(record, dict):
            problems.append(f"{target.key}: no smoke run recorded")
            continue
        at = str(record.get("at", "?"))
        commit = str(record.get("commit") or "?")[:12]
        if record.get("passed") is not True:
            problems.append(f"{target.key}: the last smoke failed ({at}, commit {commit})")
            continue
        when = _parse_time(at)
        if when is not None and window > 0 and now - when > dt.timedelta(hours=window):
            problems.append(f"{target.key}: passed {at}, older than {window:g} h")
            continue
        passed.append(f"{target.key} passed {at} (commit {commit})")
    if problems:
        return Fact("FAIL", subject, "; ".join(problems))
    return Fact("ok", subject, "; ".join(passed))


def _parse_time(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def lint_item(settings: Settings, lint: Callable[[], Any] | None = None) -> Fact:
    subject = "content lint"
    try:
        report = lint() if lint else run_lint(settings, LintOptions())
    except KbsyncError as exc:
        return Fact("FAIL", subject, f"lint could not run: {exc.message}")
    warnings = len(report.findings) - report.errors
    text = f"{report.files} files, {report.errors} errors, {warnings} other findings"
    return Fact("FAIL" if report.errors else "ok", subject, text)


def run_doctor(
    settings: Settings, env: EnvironmentConfig, client: UppzyClient | None
) -> DoctorReport:
    """Every item of the checklist for `env` (`client` None when its key is missing)."""
    items = [
        own_key_item(settings, env),
        leaked_key_item(settings),
        live_item(client, env),
        session_item(env),
        retry_item(env, client.policy if client else None),
        async_item(env),
        metrics_item(env),
        smoke_item(settings, env),
        lint_item(settings),
    ]
    return DoctorReport(env.name, items)
