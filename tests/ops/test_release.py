"""The release service from Python: the gates in order, smoke and eval recording themselves, one
rule for the promotion source, the quota read once (issue 14)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from pipeline.api import UppzyClient
from pipeline.cli.connect import open_client
from pipeline.config import Settings
from pipeline.errors import ConfigError, UsageError
from pipeline.ops.doctor import smoke_item
from pipeline.ops.evals import load_evals, run_evals
from pipeline.ops.gate import GateRefused, check_gate, promoted_from
from pipeline.ops.records import load_record
from pipeline.ops.release import ReleaseRequest, is_production, release
from pipeline.ops.smoke import run_smoke
from pipeline.rollout import load_rollout
from pipeline.sync.apply import ProgressCallback
from pipeline.sync.plan import Plan
from pipeline.sync.service import SyncOutcome
from pipeline.targets import Target, resolve_targets
from tests.helpers import settings_for
from tests.ops.smoke_support import (
    CONFIG,
    ROLLOUT,
    Run,
    base_files,
    env_table,
    make_repo,
    repo,
    run,
)

__all__ = ["repo", "run"]

LOCAL = Target("local", "s_local", "t_local")
STAGING = Target("staging", "s_staging", "t_staging")
NO_RUN = "staging/s_staging: no run recorded (kbsync smoke --env staging)"


class Recorder:
    """Release hooks that write down what the CLI would show, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def warn(self, message: str) -> None:
        self.events.append(f"warn {message}")

    def confirm(self, plan: Plan) -> None:
        self.events.append(f"confirm {plan.target.key} ({plan.write_count} writes)")

    def start(self, target: Target) -> Callable[[Plan], ProgressCallback] | None:
        self.events.append(f"start {target.key}")
        return None

    def finish(self, target: Target) -> None:
        self.events.append(f"finish {target.key}")

    def synced(self, outcome: SyncOutcome) -> None:
        self.events.append(f"synced {outcome.target.key} ({outcome.result.created} created)")


class Connections:
    """`connect` for the release: counts the clients it opened."""

    def __init__(self, settings: Settings, env_name: str) -> None:
        self.settings, self.env_name, self.opened = settings, env_name, 0

    def __call__(self) -> AbstractContextManager[UppzyClient]:
        self.opened += 1
        return open_client(self.settings, self.settings.environment(self.env_name))


def release_to(
    settings: Settings, env_name: str, request: ReleaseRequest, hooks: Recorder
) -> tuple[list[SyncOutcome], Connections]:
    env = settings.environment(env_name)
    connect = Connections(settings, env_name)
    outcomes = release(settings, env, resolve_targets(settings, env_name), request, connect, hooks)
    return outcomes, connect


def test_run_smoke_from_python_records_the_run_the_gate_reads(repo: Path) -> None:
    settings = settings_for(repo)
    env = settings.environment("staging")
    with pytest.raises(GateRefused):
        check_gate(settings, settings.environment("production"))

    with open_client(settings, env) as client:
        report = run_smoke(client, env, STAGING, settings=settings)

    assert report.passed
    record = load_record(settings, STAGING, "smoke")
    assert record == report.to_record()
    assert record["commit"] is not None
    assert check_gate(settings, settings.environment("production")).checked == ("smoke",)


def test_run_smoke_without_settings_records_nothing(repo: Path) -> None:
    settings = settings_for(repo)
    env = settings.environment("staging")
    with open_client(settings, env) as client:
        assert run_smoke(client, env, STAGING, settings=None).passed
    assert load_record(settings, STAGING, "smoke") is None


def test_run_evals_from_python_records_each_target(run: Run, repo: Path) -> None:
    assert run(repo, "sync", "--env", "local", "--yes").exit_code == 0
    settings = settings_for(repo)
    env = settings.environment("local")
    cases = load_evals(settings.content_root)

    with open_client(settings, env) as client:
        report = run_evals(client, env, [LOCAL], cases, settings=settings, min_pass=0.9)

    assert report.passed
    assert load_record(settings, LOCAL, "eval") == report.for_target(LOCAL).to_record()


def test_release_runs_the_gates_then_each_target_and_reports_through_its_hooks(
    repo: Path,
) -> None:
    settings = settings_for(repo)
    hooks = Recorder()

    outcomes, connect = release_to(settings, "production", ReleaseRequest(force=True), hooks)

    assert [o.target.key for o in outcomes] == ["production/s_prod"]
    assert connect.opened == 1
    assert hooks.events == [
        f"warn promotion gate overridden (--force): {NO_RUN}",
        "start production/s_prod",
        "confirm production/s_prod (2 writes)",
        "finish production/s_prod",
        "synced production/s_prod (2 created)",
    ]


def test_release_refuses_before_connecting_when_a_gate_refuses(repo: Path) -> None:
    settings = settings_for(repo)
    hooks = Recorder()

    with pytest.raises(UsageError, match="--skip-lint is refused for production without --force"):
        release_to(settings, "production", ReleaseRequest(skip_lint=True), hooks)
    with pytest.raises(GateRefused, match="production is promoted from staging"):
        release_to(settings, "production", ReleaseRequest(), hooks)

    assert hooks.events == []
    assert load_record(settings, Target("production", "s_prod", "t_production"), "smoke") is None


def test_the_eval_gate_stops_a_plan_writing_a_requires_eval_batch_before_the_confirmation(
    run: Run, tmp_path: Path
) -> None:
    rollout = ROLLOUT.replace("    environments:", "    requires_eval: true\n    environments:")
    root = make_repo(tmp_path / "repo", files=base_files() | {"content/rollout.yaml": rollout})
    assert run(root, "smoke", "--env", "staging").exit_code == 0
    settings = settings_for(root)
    hooks = Recorder()

    with pytest.raises(GateRefused, match="batch core requires_eval: staging/s_staging: no run"):
        release_to(settings, "production", ReleaseRequest(), hooks)

    assert hooks.events == ["start production/s_prod", "finish production/s_prod"]
    with open_client(settings, settings.environment("production")) as client:
        assert client.list_documents("s_prod") == []  # nothing was written


def test_a_sync_reads_the_quota_once_per_target(run: Run, repo: Path) -> None:
    result = run(repo, "sync", "--env", "local", "--yes", "--metrics-out", "m.json")

    assert result.exit_code == 0, result.output
    calls = {
        e["endpoint"]: e["calls"] for e in json.loads((repo / "m.json").read_text())["endpoints"]
    }
    assert calls["limits"] == 1


# --- one rule for the environment a release is promoted from ---------------------------------


def test_production_without_staging_is_promoted_from_nothing_for_the_gate_and_the_doctor(
    tmp_path: Path,
) -> None:
    config = env_table("local", "s_local") + env_table("production", "s_prod")
    settings = settings_for(make_repo(tmp_path / "repo", config=config))
    production = settings.environment("production")

    assert promoted_from(settings, "production") is None
    assert check_gate(settings, production).source is None
    assert smoke_item(settings, production).line == (
        "skip  last smoke: no promote_from: nothing is promoted into this environment"
    )
    assert is_production(settings, production)
    assert not is_production(settings, settings.environment("local"))


def test_a_promote_from_naming_no_environment_is_refused_by_the_gate_and_failed_by_the_doctor(
    tmp_path: Path,
) -> None:
    config = CONFIG.replace(
        "[environments.staging]\n", '[environments.staging]\npromote_from = "qa"\n'
    )
    settings = settings_for(make_repo(tmp_path / "repo", config=config))
    staging = settings.environment("staging")

    with pytest.raises(ConfigError, match="no environment named 'qa'"):
        check_gate(settings, staging)
    assert smoke_item(settings, staging).line == (
        "FAIL  last smoke: promote_from names 'qa', which is not configured"
    )
    assert is_production(settings, staging)


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--env", "local"),
        ("sync", "--env", "local", "--yes", "--skip-lint"),
        ("sync", "--env", "production", "--yes", "--force", "--skip-lint"),
    ],
)
def test_a_command_reads_rollout_yaml_once(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """Outside the lint engine (which builds its rules' context itself), one read per command."""
    reads: list[Path] = []
    read_text = Path.read_text

    def counting(path: Path, *a: object, **k: object) -> str:
        if path.name == "rollout.yaml":
            reads.append(path)
        return read_text(path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counting)
    load_rollout(repo / "content")
    one_load = len(reads)
    reads.clear()

    result = run(repo, *args)

    assert result.exit_code == 0, result.output
    assert one_load and len(reads) == one_load
