"""`kbsync lint --jobs N` workers end with their parent: SIGKILL, SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import doc, write_repo

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

SLOW_RULE = """\
extends: existence
message: "slow '%s'"
level: warning
tokens:
  - '(a|a)+$'
"""
REPO = Path(__file__).resolve().parents[2]
GONE_WITHIN = 15.0
"""Seconds a worker may take to notice (PDEATHSIG is immediate; the watchdog polls at 0.5 s)."""


def _busy_repo(root: Path) -> Path:
    """Eight files each holding up a worker for a minute (a slow rule, a long time limit)."""
    files: dict[str, str | bytes] = {"rules/Bad/Slow.yml": SLOW_RULE}
    for n in range(8):
        files[f"content/docs/d{n}.md"] = doc(f"docs.d{n}", "D", "a" * 40 + "b")
    return write_repo(root, files, 'content_dir = "content"\n[lint]\npattern_timeout = 60\n')


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of `pid`, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[1] == parent:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


@pytest.fixture
def lint_with_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], list[int]]]:
    """A `kbsync lint --jobs 4` whose four workers are busy; whatever is left is killed after."""
    root = _busy_repo(tmp_path)
    env = {"PYTHONPATH": str(REPO), "KBSYNC_TODAY": "2026-11-23", "HOME": str(tmp_path)}
    parent = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "lint", "--jobs", "4", "--no-cache"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and parent.poll() is None:
            workers = [pid for pid in _children(parent.pid) if _alive(pid)]
            if len(workers) >= 4:
                break
            time.sleep(0.1)
        assert len(workers) >= 4, "the workers never started"
        time.sleep(1.0)  # let them start on their files
        yield parent, workers
    finally:
        for pid in [parent.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        parent.wait(timeout=30)


def _wait_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + GONE_WITHIN
    while time.monotonic() < deadline:
        left = [pid for pid in pids if _alive(pid)]
        if not left:
            return []
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"]
)
def test_workers_end_with_their_parent(
    lint_with_workers: tuple[subprocess.Popen[bytes], list[int]], sig: signal.Signals
) -> None:
    parent, workers = lint_with_workers
    os.kill(parent.pid, sig)
    parent.wait(timeout=GONE_WITHIN)
    assert _wait_gone(workers) == []
