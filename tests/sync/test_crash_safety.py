"""Crash safety: `kbsync sync` killed with SIGKILL at random points, then re-run.

Each round starts a real `kbsync sync` process against the in-process sandbox (its SQLite file
outlives the process, like a remote service), kills it at a random moment after its first state
write, re-runs it, and checks the site holds exactly the desired set with no duplicates.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.sandbox import Sandbox, Scope
from tests.helpers import commit_all, write_repo
from tests.sync.conftest import CONFIG, Harness, base_files, config_for, sandbox_options
from tests.sync.test_sync_robustness import many_files

CRASH_CONFIG = CONFIG.replace(
    'tenant_id = "t_local"',
    'tenant_id = "t_local"\nsandbox_faults = "latency=40ms"\nsandbox_seed = 3\n'
    "sandbox_ready_delay = 0.0",
)


def _sync(root: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBSYNC_")}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "sync", "--yes", "--skip-lint", "--site", "s_local"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_first_write(root: Path, process: subprocess.Popen[bytes]) -> bool:
    state = root / ".kbsync/state/local/s_local.json"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if state.exists():
            try:
                if json.loads(state.read_text()).get("claim"):
                    return True
            except ValueError:
                pass  # being replaced right now
        time.sleep(0.005)
    return False


def _desired_titles(root: Path) -> list[str]:
    return [p.name for p in (root / "content").rglob("*.md")]


def _wait_for_progress(root: Path, process: subprocess.Popen[bytes], point: int) -> None:
    """Wait until documents created plus documents activated reach `point`, as the sandbox's
    database shows it: a kill point that does not depend on how fast the machine is."""
    db = root / ".kbsync/sandbox.sqlite3"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                created, active = conn.execute(
                    "SELECT COUNT(*), COALESCE(SUM(status = 'active'), 0) FROM documents"
                ).fetchone()
        except sqlite3.Error:
            created = active = 0
        if created + active >= point:
            return
        time.sleep(0.002)


def crash_rounds(tmp_path: Path, rounds: int, seed: int, dialect: str = "page") -> list[str]:
    config = config_for(dialect, CRASH_CONFIG)
    root = write_repo(tmp_path / "repo", base_files() | many_files(60), config=config)
    (root / ".gitignore").write_text(".kbsync/\n")
    commit_all(root)
    rng = random.Random(seed)
    report = []
    for number in range(rounds):
        shutil.rmtree(root / ".kbsync", ignore_errors=True)
        process = _sync(root)
        started = _wait_for_first_write(root, process)
        assert started, process.stderr.read().decode() if process.stderr else ""
        point = rng.randint(1, 2 * len(_desired_titles(root)) - 10)
        _wait_for_progress(root, process, point)
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait()
        rerun = _sync(root)
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        scope = Scope(tenant_id="t_local", site_ids=("s_local", "s_agents"))
        db = root / ".kbsync/sandbox.sqlite3"
        with Sandbox(db, open_scope=scope, **sandbox_options(dialect)) as sandbox:
            harness = Harness(root, sandbox)
            harness.assert_converged()
            assert harness.plan().changes == []
            harness.client.close()
        report.append(f"round {number}: killed={killed} at progress point {point}")
    return report


@pytest.mark.parametrize("dialect", ["page", "cursor"])
def test_sync_survives_sigkill(tmp_path: Path, dialect: str) -> None:
    report = crash_rounds(tmp_path, rounds=3, seed=11, dialect=dialect)
    assert any("killed=True" in line for line in report), report


@pytest.mark.slow
@pytest.mark.parametrize("dialect", ["page", "cursor"])
def test_sync_survives_sigkill_20_rounds(tmp_path: Path, dialect: str) -> None:
    report = crash_rounds(tmp_path, rounds=20, seed=2026, dialect=dialect)
    assert sum("killed=True" in line for line in report) >= 15, report
