"""The repository's `.pre-commit-hooks.yaml` works with pre-commit itself (`pre-commit try-repo`)
on a scratch content repository, offline.

The hook is `language: python`, so pre-commit builds a virtualenv and `pip install`s this
repository into it. With the network off, pip is told to use no index, no build isolation and
no dependency resolution, and PYTHONPATH lends the hook's environment the packages already
installed beside the tests (the build backend and kbsync's dependencies); kbsync itself comes
from the repository, as it would for a user.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.helpers import commit_all, doc, write_repo

REPO = Path(__file__).resolve().parents[1]
TODO_LINE = "Fix this, TODO: now"


def try_repo(scratch: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling for "no build isolation"
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "KBSYNC_TODAY": "2026-11-23",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "kbsync-lint",
         "--all-files", "--color", "never"],
        cwd=scratch, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


@pytest.mark.slow
def test_the_hook_fails_on_a_finding_and_passes_once_it_is_fixed(tmp_path: Path) -> None:
    pytest.importorskip(
        "pre_commit",
        reason="pre-commit is not installed: add it to the dev extras (pip install pre-commit)",
    )
    scratch = write_repo(
        tmp_path / "scratch",
        {
            "content/docs/a.md": doc("docs.a", "A", TODO_LINE),
            "content/docs/b.md": doc("docs.b", "B", "All fine."),
            "notes.txt": "TODO: not Markdown, not the hook's business\n",
            ".gitignore": ".kbsync/\n",  # the lint cache, as `kbsync init` ignores it
        },
    )
    commit_all(scratch, "content")
    home = tmp_path / "pre-commit-home"

    failed = try_repo(scratch, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "kbsync lint....." in failed.stdout and "Failed" in failed.stdout
    assert "- exit code: 1" in failed.stdout
    assert "content/docs/a.md" in failed.stdout and "internal.marker" in failed.stdout
    assert "notes.txt" not in failed.stdout
    assert "2 files: 1 error, 0 warnings, 0 suggestions" in failed.stdout

    page = scratch / "content/docs/a.md"
    page.write_text(page.read_text().replace(TODO_LINE, "All fixed."), encoding="utf-8")
    commit_all(scratch, "fix")
    passed = try_repo(scratch, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "kbsync lint....." in passed.stdout and "Passed" in passed.stdout
