"""The promotion gate: production syncs only after a passing staging smoke (and eval)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.ops import provenance as provenance_module
from pipeline.ops.gate import GateRefused, check_gate, promoted_from
from pipeline.ops.provenance import provenance
from pipeline.ops.records import save_record
from pipeline.sync.state import now_iso
from pipeline.targets import Target
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
    made_with = provenance(settings.environment("staging"))
    save_record(settings, STAGING, "smoke", {"passed": False, "at": "2026-11-23T10:00:00Z",
                                             "commit": head, "provenance": made_with})  # fmt: skip
    with pytest.raises(GateRefused, match=r"the last run \(2026-11-23T10:00:00Z\) failed"):
        check_gate(settings, settings.environment("production"))

    save_record(settings, STAGING, "smoke", {"passed": True, "at": "2026-11-23T10:00:00Z",
                                             "commit": head, "provenance": made_with})  # fmt: skip
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    assert check_gate(settings, settings.environment("production"), now=now).checked == ("smoke",)
    later = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
    with pytest.raises(GateRefused, match=r"is 25\.0 h old \(window 24 h\)"):
        check_gate(settings, settings.environment("production"), now=later)


def test_smoke_window_is_configurable(tmp_path: Path) -> None:
    config = CONFIG + "[environments.production.rollout]\nsmoke_window_hours = 1.5\n"
    root = make_repo(tmp_path / "repo", config=config)
    settings = settings_for(root)
    head = commit_all(root, "head")
    save_record(settings, STAGING, "smoke", {"passed": True, "at": "2026-11-23T10:00:00Z",
                                             "commit": head})  # fmt: skip
    with pytest.raises(GateRefused, match=r"is 2\.0 h old \(window 1\.5 h\)"):
        check_gate(
            settings,
            settings.environment("production"),
            now=dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC),
        )


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


# --- what the smoke ran with: version, settings, key (issue 11, item 8) -----------------------

REFUSED_TAIL = "(kbsync smoke --env staging)\n"


def refusal(problem: str) -> str:
    return (
        f"error: production is promoted from staging, and staging/s_staging: {problem} "
        + REFUSED_TAIL
        + "  hint: run kbsync smoke --env staging on this commit (or pass --force, logged "
        "loudly)\n"
    )


def test_a_new_kbsync_version_needs_a_new_smoke(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(repo, "smoke", "--env", "staging").exit_code == 0
    monkeypatch.setattr(provenance_module, "__version__", "0.2.0")

    refused = sync_production(run, repo)

    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert refused.stderr == refusal("kbsync changed since the run (0.1.0 → 0.2.0)")  # type: ignore[attr-defined]


def test_changed_staging_settings_need_a_new_smoke_but_timeouts_do_not(
    run: Run, repo: Path
) -> None:
    assert run(repo, "smoke", "--env", "staging").exit_code == 0
    config = (repo / "kbsync.toml").read_text()
    # How kbsync talks to staging is not what staging serves: the smoke still holds.
    (repo / "kbsync.toml").write_text(
        config.replace(
            "[environments.staging.http]\n", "[environments.staging.http]\nread_timeout = 9.0\n"
        )
    )
    commit_all(repo, "slower staging reads")
    assert sync_production(run, repo).exit_code == 0  # type: ignore[attr-defined]

    audiences = config.replace(
        '[environments.staging.sites.s_staging]\naudiences = ["public"]',
        '[environments.staging.sites.s_staging]\naudiences = ["public", "internal"]',
    )
    (repo / "kbsync.toml").write_text(
        audiences.replace(
            'tenant_id = "t_staging"', 'tenant_id = "t_staging"\nintegration = "other"'
        )
    )
    commit_all(repo, "staging takes internal content")
    refused = sync_production(run, repo)
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert refused.stderr == refusal(  # type: ignore[attr-defined]
        "the settings of staging changed since the run (integration, sites)"
    )


def test_a_different_key_needs_a_new_smoke_and_the_key_is_never_recorded(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = CONFIG.replace(
        'tenant_id = "t_staging"', 'tenant_id = "t_staging"\napi_key_env = "KB_STAGING_KEY"'
    )
    root = make_repo(tmp_path / "repo", config=config)
    key = "uppzy_live_0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("KB_STAGING_KEY", key)
    # The in-process sandbox knows no keys: record the smoke as `kbsync smoke` would with one.
    settings = settings_for(root)
    record = {"passed": True, "at": now_iso(), "commit": commit_all(root, "head"),
              "provenance": provenance(settings.environment("staging"))}  # fmt: skip
    save_record(settings, STAGING, "smoke", record)
    state = (root / ".kbsync/state/staging/s_staging.json").read_text()
    assert key not in state and key[-16:] not in state and key[:16] not in state
    assert sync_production(run, root).exit_code == 0  # type: ignore[attr-defined]

    monkeypatch.setenv("KB_STAGING_KEY", key[:-1] + "0")
    refused = sync_production(run, root)
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert refused.stderr == refusal("the API key of staging changed since the run")  # type: ignore[attr-defined]

    monkeypatch.delenv("KB_STAGING_KEY")
    refused = sync_production(run, root)
    assert refused.stderr == refusal(  # type: ignore[attr-defined]
        "the API key of staging (KB_STAGING_KEY) is not set here, so it cannot be matched with "
        "the run's"
    )


def test_a_smoke_recorded_by_an_older_kbsync_needs_a_new_one(repo: Path) -> None:
    settings = settings_for(repo)
    head = commit_all(repo, "head")
    save_record(settings, STAGING, "smoke", {"passed": True, "at": "2026-11-23T10:00:00Z",
                                             "commit": head})  # fmt: skip
    now = dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.UTC)
    with pytest.raises(GateRefused, match=r"does not record what it ran with"):
        check_gate(settings, settings.environment("production"), now=now)
