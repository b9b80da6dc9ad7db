"""`kbsync doctor`: every checklist item checked, passing and failing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pipeline.api.errors import ApiError
from pipeline.api.retry import RetryPolicy
from pipeline.api.uppzy import Endpoint
from pipeline.config import HttpConfig, load_settings
from pipeline.ops.doctor import retry_item
from pipeline.ops.records import save_record
from pipeline.targets import resolve_targets
from tests.helpers import doc
from tests.ops.ops_support import (
    PROD_VAR,
    STAGING_KEY,
    STAGING_VAR,
    Port,
    Run,
    environment,
    port,
    run,
)

__all__ = ["port", "run"]  # fixtures


def config(url: str, *, prod_extra: str | None = None) -> str:
    staging = environment("staging", url)
    extra = 'session_strategy = "per-user"\nmetrics_out = ".kbsync/metrics.json"\n'
    production = environment(
        "production", url, key_var=PROD_VAR, sites=("s_help",),
        extra=prod_extra if prod_extra is not None else extra,
    )  # fmt: skip
    return staging + production


def record_smoke(root: Any, passed: bool = True, at: str | None = None) -> None:
    settings = load_settings(root)
    when = at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for target in resolve_targets(settings, "staging"):
        save_record(settings, target, "smoke", {"passed": passed, "at": when, "commit": "abc123"})


def test_a_ready_production_passes_every_item(port: Port, run: Run) -> None:
    root = port.repo(config(port.url), {"content/docs/hours.md": doc("docs.hours", "Hours")})
    record_smoke(root)
    result = run(root, "doctor", "--env", "production")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok    own key",
        "ok    no key in git",
        "ok    tenant and sites live",
        "ok    session strategy",
        "ok    retries",
        "ok    async deadline",
        "ok    metrics output",
        "ok    last smoke",
        "ok    content lint",
    ]
    assert lines[0] == f"ok    own key: {PROD_VAR} is set and differs from the others"
    assert lines[7].startswith("ok    last smoke: staging/s_faq passed ")


def test_failing_items_are_named(port: Port, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROD_VAR, STAGING_KEY)
    bad = "[environments.production.async]\ndeadline = 300.0\n"
    files = {"notes/leak.txt": f"key = {STAGING_KEY}\n"}
    root = port.repo(config(port.url, prod_extra="") + bad, files)
    result = run(root, "doctor", "--env", "production")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"FAIL  own key: same key as staging ({STAGING_VAR})"
    assert lines[1] == (
        f"FAIL  no key in git: {PROD_VAR}'s value in notes/leak.txt; {STAGING_VAR}'s value in "
        "notes/leak.txt: remove it, rewrite history and rotate the key"
    )
    assert lines[2] == "ok    tenant and sites live: tenant t_acme and 1 site(s) answer"
    assert lines[3].startswith("FAIL  session strategy: not configured")
    assert lines[5] == "ok    async deadline: async.deadline = 300 s"
    assert lines[6] == "FAIL  metrics output: metrics_out is not set for this environment"
    assert lines[7] == (
        "FAIL  last smoke: staging/s_faq: no smoke run recorded; "
        "staging/s_help: no smoke run recorded"
    )
    assert lines[8].startswith("ok    content lint: 0 files")
    for line in lines:
        assert STAGING_KEY not in line


def test_a_failed_or_old_smoke_fails(port: Port, run: Run) -> None:
    root = port.repo(config(port.url))
    record_smoke(root, passed=False, at="2026-11-20T10:00:00+00:00")
    line = run(root, "doctor", "--env", "production").stdout.splitlines()[7]
    assert line == (
        "FAIL  last smoke: staging/s_faq: the last smoke failed (2026-11-20T10:00:00+00:00, "
        "commit abc123); staging/s_help: the last smoke failed (2026-11-20T10:00:00+00:00, "
        "commit abc123)"
    )
    record_smoke(root, passed=True, at="2020-01-01T00:00:00+00:00")
    line = run(root, "doctor", "--env", "production").stdout.splitlines()[7]
    assert "passed 2020-01-01T00:00:00+00:00, older than 24 h" in line


def test_lint_errors_fail_and_a_dead_tenant_fails(
    port: Port, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = "---\nid: docs.broken\ntitle: Broken\nstatus: approved\n---\nno review date\n"
    root = port.repo(config(port.url), {"content/docs/broken.md": broken})
    monkeypatch.setenv(PROD_VAR, "sbx_revoked_key_not_in_the_keys_file")
    lines = run(root, "doctor", "--env", "production").stdout.splitlines()
    assert lines[2] == (
        f"FAIL  tenant and sites live: tenant: 401 from Uppzy (limits): the key in {PROD_VAR} "
        "is missing, invalid, expired or revoked"
    )
    assert lines[8].startswith("FAIL  content lint: 1 files, ")


def test_an_environment_without_promote_from_skips_the_smoke(port: Port, run: Run) -> None:
    root = port.repo(config(port.url))
    lines = run(root, "doctor", "--env", "staging").stdout.splitlines()
    assert (
        lines[7] == "skip  last smoke: no promote_from: nothing is promoted into this environment"
    )


class RetryEverything(RetryPolicy):
    def retry_reason(self, exc: ApiError, endpoint: Endpoint, retry_uncertain: bool) -> str | None:
        return "always"


def test_a_policy_retrying_unsafe_calls_fails(port: Port) -> None:
    env = load_settings(port.repo(config(port.url))).environment("production")
    fact = retry_item(env, RetryEverything(env.http))
    assert fact.status == "FAIL"
    assert "chat (not safely repeatable) retries ServerError" in fact.detail
    assert "create_text_document (not safely repeatable) retries TransportError" in fact.detail
    assert "limits retries a 401" in fact.detail
    unbounded = env.__class__(name="x", http=HttpConfig(max_attempts=50))
    assert retry_item(unbounded).detail == "http.max_attempts = 50 (must be 1–10)"
