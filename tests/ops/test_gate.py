"""The promotion gate: production syncs only after a passing staging smoke (and eval)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.ops.gate import GateRefused, check_gate, promoted_from
from pipeline.ops.records import save_record
from pipeline.sync.state import Target
from tests.helpers import commit_all, settings_for
from tests.ops.smoke_support import CONFIG, ROLLOUT, Run, base_files, make_repo, repo, run

__all__ = ["repo", "run"]

STAGING = Target("staging", "s_staging", "t_staging")


def sync_production(run: Run, root: Path, *args: str) -> object:
    return run(root, "sync", "--env", "production", "--yes", *args)


def test_production_is_refused_without_a_staging_smoke_and_passes_after_one(
    run: Run, repo: Path
) -> None:
    refused = sync_production(run, repo)
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert refused.stderr == (  # type: ignore[attr-defined]
        "error: production is promoted from staging, and staging/s_staging: no run recorded "
        "(kbsync smoke --env staging)\n"
        "  hint: run kbsync smoke --env staging on this commit (or pass --force, logged loudly)\n"
    )

    smoke = run(repo, "smoke", "--env", "staging")
    assert smoke.exit_code == 0, smoke.output

    synced = sync_production(run, repo)
    assert synced.exit_code == 0, synced.output  # type: ignore[attr-defined]
    assert "production/s_prod: 2 created" in synced.stdout  # type: ignore[attr-defined]


def test_a_content_change_after_the_smoke_needs_a_new_smoke(run: Run, repo: Path) -> None:
    assert run(repo, "smoke", "--env", "staging").exit_code == 0
    # A commit outside content/ keeps the smoke valid ...
    (repo / "README.md").write_text("notes\n")
    commit_all(repo, "docs only")
    assert sync_production(run, repo).exit_code == 0  # type: ignore[attr-defined]
    # ... a content change does not.
    (repo / "content/docs/core/lockers.md").write_text(
        base_files()["content/docs/core/lockers.md"].replace("7 am", "6 am")  # type: ignore[union-attr]
    )
    commit_all(repo, "earlier opening")
    refused = sync_production(run, repo)
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert "staging/s_staging: content changed since the run's commit" in refused.stderr  # type: ignore[attr-defined]


def test_force_overrides_the_gate_loudly(run: Run, repo: Path) -> None:
    forced = sync_production(run, repo, "--force")

    assert forced.exit_code == 0, forced.output  # type: ignore[attr-defined]
    lines = forced.stderr.splitlines()  # type: ignore[attr-defined]
    problem = "staging/s_staging: no run recorded (kbsync smoke --env staging)"
    assert lines[:2] == [
        "warning: PROMOTION GATE OVERRIDDEN for production (--force): production is promoted "
        f"from staging, and {problem}",
        f"warning: promotion gate overridden (--force): {problem}",
    ]


def test_a_failed_or_old_smoke_does_not_clear_the_gate(repo: Path) -> None:
    settings = settings_for(repo)
    head = commit_all(repo, "head")
    save_record(settings, STAGING, "smoke", {"passed": False, "at": "2026-11-23T10:00:00Z",
                                             "commit": head})  # fmt: skip
    with pytest.raises(GateRefused, match=r"the last run \(2026-11-23T10:00:00Z\) failed"):
        check_gate(settings, "production")

    save_record(settings, STAGING, "smoke", {"passed": True, "at": "2026-11-23T10:00:00Z",
                                             "commit": head})  # fmt: skip
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    assert check_gate(settings, "production", now=now).checked == ("smoke",)
    later = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
    with pytest.raises(GateRefused, match=r"is 25\.0 h old \(window 24 h\)"):
        check_gate(settings, "production", now=later)


def test_smoke_window_is_configurable(tmp_path: Path) -> None:
    config = CONFIG + "[environments.production.rollout]\nsmoke_window_hours = 1.5\n"
    root = make_repo(tmp_path / "repo", config=config)
    settings = settings_for(root)
    head = commit_all(root, "head")
    save_record(settings, STAGING, "smoke", {"passed": True, "at": "2026-11-23T10:00:00Z",
                                             "commit": head})  # fmt: skip
    with pytest.raises(GateRefused, match=r"is 2\.0 h old \(window 1\.5 h\)"):
        check_gate(settings, "production", now=dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC))


def test_promoted_from(tmp_path: Path) -> None:
    settings = settings_for(make_repo(tmp_path / "a"))
    assert promoted_from(settings, "production") == "staging"
    assert promoted_from(settings, "staging") is None
    assert promoted_from(settings, "local") is None

    named = CONFIG.replace(
        "[environments.staging]\n", '[environments.staging]\npromote_from = "local"\n'
    )
    settings = settings_for(make_repo(tmp_path / "b", config=named))
    assert promoted_from(settings, "staging") == "local"

    wrong = CONFIG.replace(
        "[environments.staging]\n", '[environments.staging]\npromote_from = "qa"\n'
    )
    settings = settings_for(make_repo(tmp_path / "c", config=wrong))
    with pytest.raises(ConfigError, match="no environment named 'qa'"):
        promoted_from(settings, "staging")


def test_a_batch_requiring_eval_waits_for_a_passing_eval_on_staging(
    run: Run, tmp_path: Path
) -> None:
    rollout = ROLLOUT + (
        "  - id: returns\n"
        '    include: ["docs/returns/**"]\n'
        "    environments: [local, staging, production]\n"
        "    requires_eval: true\n"
    )
    files = base_files() | {
        "content/rollout.yaml": rollout,
        "content/docs/returns/window.md": base_files()["content/docs/core/lockers.md"]
        .replace("docs.lockers", "docs.returns")  # type: ignore[union-attr]
        .replace("Locker opening hours", "Return window")
        .replace("The lockers open at 7 am every day.", "Return an item within 30 days."),
    }
    root = make_repo(tmp_path / "repo", files=files)
    assert run(root, "sync", "--env", "staging", "--yes").exit_code == 0
    assert run(root, "smoke", "--env", "staging").exit_code == 0

    refused = run(root, "sync", "--env", "production", "--yes")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: production is promoted from staging, and batch returns requires_eval: "
        "staging/s_staging: no run recorded (kbsync eval --env staging)\n"
        "  hint: run kbsync eval --env staging on this commit (or pass --force, logged loudly)\n"
    )

    evaluated = run(root, "eval", "--env", "staging")
    assert evaluated.exit_code == 0, evaluated.output
    synced = run(root, "sync", "--env", "production", "--yes")
    assert synced.exit_code == 0, synced.output
    assert "production/s_prod: 3 created" in synced.stdout
