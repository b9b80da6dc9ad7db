"""Faults, concurrency, wrong keys, and the cost of a plan: the sync never loses or duplicates."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pipeline.api import UppzyClient
from pipeline.config import load_settings
from pipeline.errors import KbsyncError
from pipeline.sandbox import Limits, Sandbox, Scope, parse_keys, run_on_port
from pipeline.sync.service import SyncOptions, TargetUnreachable, sync_target
from pipeline.targets import Target
from tests.helpers import commit_all, doc, qa, write_repo
from tests.sync.conftest import CONFIG, Harness, base_files, config_for, sandbox_options


def many_files(count: int) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for i in range(count):
        if i % 2:
            files[f"content/qa/core/q{i:05}.md"] = qa(
                f"qa.q{i:05}", f"Question number {i}?", f"Answer {i}."
            )
        else:
            files[f"content/docs/core/d{i:05}.md"] = doc(
                f"docs.d{i:05}", f"Document {i}", f"Body {i}."
            )
    return files


@pytest.mark.parametrize("dialect", ["page", "cursor"])
def test_convergence_under_faults(tmp_path: Path, dialect: str) -> None:
    files = base_files() | many_files(40)
    config = CONFIG.replace("read_timeout = 0.5", "read_timeout = 0.3\nmax_attempts = 5")
    root = write_repo(tmp_path / "repo", files, config=config_for(dialect, config))
    commit_all(root)
    scope = Scope(tenant_id="t_local", site_ids=("s_local", "s_agents"))
    options = sandbox_options(dialect)
    with Sandbox(None, open_scope=scope, ready_delay=0, timeout_sleep=0.6, **options) as sandbox:
        sandbox.set_faults("429=0.1,503=0.1,timeout=0.05,reset=0.05", seed=7)
        harness = Harness(root, sandbox)
        for _attempt in range(4):
            outcome = harness.sync()
            if outcome.result.ok:
                break
        assert outcome.result.ok, outcome.result.failures
        fired = [r for r in sandbox.request_log() if r.fault]
        assert fired, "the faults must actually have fired"
        sandbox.set_faults(None)
        harness.assert_converged()
        assert harness.plan(refresh=True).changes == []
        harness.client.close()


def test_lost_create_response_is_adopted_not_duplicated(harness: Harness) -> None:
    harness.sandbox.faults.script("reset", times=2, when="after", operation="createQaDocument")
    outcome = harness.sync()
    assert outcome.result.ok
    assert outcome.result.adopted == 2
    harness.assert_converged()


def test_journalled_create_is_reconciled_on_the_next_run(harness: Harness) -> None:
    # The response of every create is lost and the create is never retried (max 1 send):
    # the run ends with creates in the journal; the next run finds them and adopts them.
    # Listings fail only once the plan has listed (before any create, as every plan must).
    harness.sandbox.faults.script(
        "timeout", times=100, when="after", operation="createTextDocument"
    )

    def break_listings(_plan: object) -> None:
        harness.sandbox.faults.script("reset", times=100, when="after", operation="listDocuments")

    first = sync_target(
        harness.settings, harness.target(), harness.client, before_write=break_listings
    )
    assert not first.result.ok
    state_file = harness.root / ".kbsync/state/local/s_local.json"
    assert '"journal": {\n  "docs.' in state_file.read_text().replace(" ", " ")
    harness.sandbox.faults.clear_scripts()
    second = harness.sync()
    assert second.result.ok
    assert (second.result.created, second.result.adopted) == (0, 3)
    harness.assert_converged()


def test_two_syncs_at_once_exactly_one_applies(harness: Harness) -> None:
    harness.sandbox.set_faults("latency=30ms", seed=1)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    errors: list[KbsyncError] = []

    def run() -> None:
        client = harness.make_client()
        barrier.wait()
        try:
            outcomes.append(
                sync_target(harness.settings, harness.target(), client, options=SyncOptions())
            )
        except KbsyncError as exc:
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 1 and len(errors) == 1, errors
    assert "another sync" in str(errors[0]) or "is being synced" in str(errors[0])
    harness.sandbox.set_faults(None)
    harness.assert_converged()


def test_wrong_tenant_or_site_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = parse_keys(
        {
            "keys": {
                "key-local": {"tenant_id": "t_local", "site_ids": ["s_local"]},
                "key-other": {"tenant_id": "t_other", "site_ids": ["s_other"]},
            }
        }
    )
    with Sandbox(None, keys=keys, ready_delay=0) as sandbox, run_on_port(sandbox) as url:
        for key, tenant, site, fragment in (
            ("key-other", "t_local", "s_local", "cannot reach tenant 't_local'"),
            ("key-local", "t_local", "s_other", "cannot reach site 's_other'"),
        ):
            config = (
                f'[environments.stage]\nbase_url = "{url}"\ntenant_id = "{tenant}"\n'
                f'api_key_env = "KBSYNC_TEST_KEY"\n[environments.stage.sites.{site}]\n'
                'audiences = ["public"]\n'
            )
            rollout = "batches:\n  - id: core\n    include: ['**']\n    environments: [stage]\n"
            root = write_repo(
                tmp_path / f"repo-{key}-{site}",
                {"content/rollout.yaml": rollout, "content/docs/a.md": doc("docs.a", "A")},
                config=config,
            )
            commit_all(root)
            monkeypatch.setenv("KBSYNC_TEST_KEY", key)
            settings = load_settings(root)
            client = UppzyClient.for_environment(settings.environment("stage"))
            with pytest.raises(TargetUnreachable, match=fragment):
                sync_target(settings, Target("stage", site, tenant), client)
            client.close()
        posts = sandbox.request_log(method="POST") + sandbox.request_log(method="PATCH")
        assert posts == []


def test_plan_reads_only_changed_files(tmp_path: Path) -> None:
    count = 1000
    root = write_repo(tmp_path / "repo", base_files() | many_files(count), config=CONFIG)
    (root / ".gitignore").write_text(".kbsync/\n")
    commit_all(root)
    scope = Scope("t_local", ("s_local", "s_agents"), limits=Limits(documents=100_000))
    with Sandbox(None, open_scope=scope, ready_delay=0) as sandbox:
        harness = Harness(root, sandbox)
        first = harness.plan()
        assert first.full_scan and first.files_read == count + 7
        harness.sync()
        for i in range(0, 20, 2):
            harness.write(
                f"content/docs/core/d{i:05}.md", doc(f"docs.d{i:05}", f"Document {i}", "New.")
            )
        harness.commit()
        plan = harness.plan()
        assert not plan.full_scan
        assert plan.files_read == 10
        assert plan.count("update") == 10 and plan.unchanged == count + 5 - 10
        harness.client.close()
