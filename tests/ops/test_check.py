"""`kbsync check`: every fact checked against the sandbox, each failure named."""

from __future__ import annotations

import json

import pytest

from pipeline.ops.check import quota_fact
from tests.ops.ops_support import (
    BASIC_KEY,
    OTHER_KEY,
    STAGING_VAR,
    Port,
    Run,
    environment,
    port,
    run,
)

__all__ = ["port", "run"]  # fixtures


def test_a_healthy_environment_passes_fact_by_fact(port: Port, run: Run) -> None:
    root = port.repo()
    result = run(root, "check", "--env", "staging")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:-1] == [
        f"ok    key: {STAGING_VAR} is set",
        "ok    tenant: t_acme: limits answered (key valid, key of this tenant)",
        "ok    tenant info: t_acme (Acme), plan level2",
        "ok    site s_faq: answers (s_faq), tenant t_acme",
        "ok    site s_help: answers (s_help), tenant t_acme",
        "ok    documents: 0 of 500 used (0%)",
    ]
    assert lines[-1].startswith("ok    latency: limits ")


def test_json_format(port: Port, run: Run) -> None:
    result = run(port.repo(), "check", "--env", "staging", "--format", "json")
    data = json.loads(result.stdout)
    assert (result.exit_code, data["ok"], data["environment"]) == (0, True, "staging")
    assert [fact["subject"] for fact in data["facts"]][:3] == ["key", "tenant", "tenant info"]


def test_a_revoked_key_fails_the_auth_step(
    port: Port, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STAGING_VAR, "sbx_revoked_key_not_in_the_keys_file")
    result = run(port.repo(), "check", "--env", "staging")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"ok    key: {STAGING_VAR} is set",
        f"FAIL  tenant: 401 from Uppzy (limits): the key in {STAGING_VAR} is missing, "
        "invalid, expired or revoked",
    ]


def test_a_missing_key_variable_is_named(
    port: Port, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STAGING_VAR)
    result = run(port.repo(), "check", "--env", "staging")
    assert (result.exit_code, result.stdout) == (1, f"FAIL  key: {STAGING_VAR} is not set\n")


def test_a_key_of_another_tenant_is_a_wrong_tenant(
    port: Port, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBSYNC_TEST_OTHER_KEY", OTHER_KEY)
    config = environment("staging", port.url, key_var="KBSYNC_TEST_OTHER_KEY")
    result = run(port.repo(config), "check", "--env", "staging")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith(
        "FAIL  tenant: wrong tenant: the key may not use tenant 't_acme': 403 from Uppzy (limits)"
    )


def test_an_unknown_tenant_is_not_found(port: Port, run: Run) -> None:
    config = environment("staging", port.url, tenant="t_nope")
    result = run(port.repo(config), "check", "--env", "staging")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith(
        "FAIL  tenant: tenant 't_nope' not found (wrong id?): 404 from Uppzy (limits)"
    )


def test_a_level1_plan_is_a_plan_problem(
    port: Port, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBSYNC_TEST_BASIC_KEY", BASIC_KEY)
    config = environment(
        "staging", port.url, tenant="t_basic", key_var="KBSYNC_TEST_BASIC_KEY", sites=("s_basic",)
    )
    result = run(port.repo(config), "check", "--env", "staging")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == (
        "FAIL  tenant: plan problem: 403 from Uppzy (limits): tenant 't_basic''s plan does not "
        "include M2M API access"
    )


def test_a_site_of_another_tenant_is_named(port: Port, run: Run) -> None:
    config = environment("staging", port.url, sites=("s_help", "s_other"))
    result = run(port.repo(config), "check", "--env", "staging")
    assert result.exit_code == 1
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 1
    assert failing[0].startswith(
        "FAIL  site s_other: wrong site: the key may not use site 's_other'"
    )


def test_the_quota_fact() -> None:
    assert quota_fact(10, 500).line == "ok    documents: 10 of 500 used (2%)"
    assert quota_fact(460, 500).line == "ok    documents: 460 of 500 used (92%): nearly full"
    assert quota_fact(500, 500).status == "FAIL"
    assert quota_fact(3, None).line == "ok    documents: 3 used (no limit reported)"
