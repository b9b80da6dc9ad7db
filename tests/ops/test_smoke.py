"""`kbsync smoke` against the in-process sandbox: the flow, its deadline and its clean-up."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.api import UppzyClient
from pipeline.config import AsyncConfig, EnvironmentConfig, HttpConfig, SiteConfig
from pipeline.ops.records import load_record
from pipeline.ops.smoke import CANARY_PREFIX, STEPS, run_smoke
from pipeline.sandbox import Sandbox, Scope
from pipeline.targets import Target
from tests.helpers import settings_for
from tests.ops.smoke_support import Run, env_table, make_repo, repo, run

__all__ = ["repo", "run"]

TARGET = Target("local", "s_local", "t_local")


def smoke_json(result_output: str) -> dict[str, object]:
    (report,) = json.loads(result_output)
    assert isinstance(report, dict)
    return report


def test_smoke_passes_and_is_recorded(run: Run, repo: Path) -> None:
    result = run(repo, "smoke", "--env", "local", "--format", "json")

    assert result.exit_code == 0, result.output
    report = smoke_json(result.stdout)
    steps = report["steps"]
    assert isinstance(steps, list)
    assert [s["name"] for s in steps] == list(STEPS)
    assert {s["status"] for s in steps} == {"passed"}
    by_name = {s["name"]: s for s in steps}
    assert by_name["chat.sync"]["request_id"].startswith("req_")
    assert by_name["chat.async"]["request_id"].startswith("req_")
    assert by_name["feedback"]["request_id"] == by_name["chat.async"]["request_id"]
    record = load_record(settings_for(repo), TARGET, "smoke")
    assert record is not None
    assert record["passed"] is True
    assert record["commit"] == report["commit"] and len(record["commit"]) == 40
    assert record["steps"] == steps


def test_smoke_text_report(run: Run, repo: Path) -> None:
    result = run(repo, "smoke", "--env", "local")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "smoke local/s_local"
    assert lines[-1] == "smoke passed: 11 of 11 steps (local/s_local)"
    rows = [re.match(r"  PASS  (\S+) +\d+ ms  ", line) for line in lines[1:-1]]
    assert [m.group(1) if m else None for m in rows] == list(STEPS)
    assert "request req_" in lines[STEPS.index("chat.sync") + 1]


def test_async_poll_still_pending_fails_at_the_deadline(run: Run, tmp_path: Path) -> None:
    slow = (
        env_table("local", "s_local")
        .replace("sandbox_async_delay = 0.0", "sandbox_async_delay = 60.0")
        .replace("deadline = 5.0", "deadline = 1.0")
    )
    root = make_repo(tmp_path / "repo", config=slow)

    result = run(root, "smoke", "--env", "local", "--format", "json")

    assert result.exit_code == 1
    steps = {s["name"]: s for s in smoke_json(result.stdout)["steps"]}  # type: ignore[union-attr]
    failed = steps["chat.async"]
    assert failed["status"] == "failed"
    assert failed["detail"] == "still pending at the 1 s deadline (async.deadline of local)"
    assert failed["request_id"].startswith("req_")
    assert 0.9 <= failed["seconds"] <= 1.1
    # The sync answer is still there to rate; the document steps are unaffected.
    assert {n: s["status"] for n, s in steps.items() if n != "chat.async"} == dict.fromkeys(
        [n for n in STEPS if n != "chat.async"], "passed"
    )
    record = load_record(settings_for(root), TARGET, "smoke")
    assert record is not None and record["passed"] is False


# --- direct runs against a sandbox with scripted faults ------------------------------------


ENV = EnvironmentConfig(
    name="local",
    base_url="sandbox:",
    tenant_id="t_local",
    sites={"s_local": SiteConfig()},
    http=HttpConfig(backoff_initial=0.01, backoff_max=0.02, max_attempts=2),
    async_=AsyncConfig(poll_interval=0.05, deadline=5.0),
)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(None, open_scope=scope, ready_delay=0.0, async_delay=0.0) as box:
        yield box


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[UppzyClient]:
    with UppzyClient.for_environment(ENV, transport=sandbox.transport()) as c:
        yield c


def seed_documents(client: UppzyClient) -> None:
    from pipeline.api import TextDocument

    for n in range(3):
        client.create_document("s_local", TextDocument(title=f"Doc {n}", content=f"Text {n}."))


def statuses(report: object) -> dict[str, str]:
    return {s.name: s.status for s in report.steps}  # type: ignore[attr-defined]


def test_canary_is_deleted_when_the_patch_fails(sandbox: Sandbox, client: UppzyClient) -> None:
    seed_documents(client)
    before = sorted(d["title"] for d in sandbox.documents("s_local"))
    sandbox.faults.script("500", times=10, operation="updateDocument")

    report = run_smoke(client, ENV, TARGET, settings=None)

    assert not report.passed
    got = statuses(report)
    assert got["document.patch"] == "failed"
    assert got["document.delete"] == "passed"
    assert report.step("document.patch").detail.startswith("HTTP 500: ")
    assert sorted(d["title"] for d in sandbox.documents("s_local")) == before


def test_canary_of_an_uncertain_create_is_found_by_title_and_deleted(
    sandbox: Sandbox, client: UppzyClient
) -> None:
    seed_documents(client)
    before = len(sandbox.documents("s_local"))
    # The create is carried out, then the answer is lost: kbsync never learns the id.
    sandbox.faults.script("500", times=1, when="after", operation="createTextDocument")

    report = run_smoke(client, ENV, TARGET, settings=None)

    got = statuses(report)
    assert got["document.create"] == "failed"
    assert [got[n] for n in ("document.activate", "document.ready", "document.patch")] == [
        "skipped"
    ] * 3
    assert got["document.delete"] == "passed"
    assert report.step("document.delete").detail.startswith("deleted doc_")
    assert len(sandbox.documents("s_local")) == before
    assert not [d for d in sandbox.documents("s_local") if d["title"].startswith(CANARY_PREFIX)]


def test_a_failed_connectivity_step_skips_everything_after_it(
    sandbox: Sandbox, client: UppzyClient
) -> None:
    sandbox.faults.script("503", times=10, operation="getTenantLimits")

    report = run_smoke(client, ENV, TARGET, settings=None)

    got = statuses(report)
    assert got["connectivity"] == "failed"
    assert set(list(got.values())[1:]) == {"skipped"}
    assert report.step("chat.sync").detail == "skipped: connectivity did not pass"
    assert report.step("document.delete").detail == "skipped: connectivity did not pass"
    assert sandbox.documents("s_local") == []


def test_smoke_of_an_unknown_site_is_a_usage_error(run: Run, repo: Path) -> None:
    result = run(repo, "smoke", "--env", "local", "--site", "s_nope")

    assert result.exit_code == 2
    assert result.stderr == ("error: environment 'local' has no site 's_nope' (sites: s_local)\n")
