"""A content repository with three sandbox environments (local, staging, production), for the
smoke, eval and gate tests. Each environment is served by its own in-process sandbox file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from tests.helpers import commit_all, doc, qa, write_repo

__all__ = ["CONFIG", "ROLLOUT", "Run", "base_files", "doc", "make_repo", "qa", "repo", "run"]

Run = Callable[..., Result]


def env_table(name: str, site: str, **extra: str) -> str:
    lines = [
        f"[environments.{name}]",
        'base_url = "sandbox:"',
        f'tenant_id = "t_{name}"',
        f'sandbox_db = ".kbsync/{name}.sqlite3"',
        "sandbox_ready_delay = 0.0",
        "sandbox_async_delay = 0.0",
        *(f"{key} = {value}" for key, value in extra.items()),
        f"[environments.{name}.sites.{site}]",
        'audiences = ["public"]',
        f"[environments.{name}.http]",
        "backoff_initial = 0.01",
        "backoff_max = 0.02",
        f"[environments.{name}.async]",
        "poll_interval = 0.05",
        "deadline = 5.0",
        "",
    ]
    return "\n".join(lines)


CONFIG = (
    env_table("local", "s_local")
    + env_table("staging", "s_staging")
    + env_table("production", "s_prod")
)

ROLLOUT = """\
batches:
  - id: core
    include: ["docs/core/**", "qa/core/**"]
    environments: [local, staging, production]
"""

EVALS = """\
evals:
  - id: locker-hours
    question: When do the lockers open?
    must_contain: ["7 am"]
    must_not_contain: ["internal"]
    min_confidence: medium
  - id: reset-password
    question: How do I reset my password?
    must_contain: ["60 minutes"]
    min_confidence: medium
"""


def base_files() -> dict[str, str | bytes]:
    return {
        "content/rollout.yaml": ROLLOUT,
        "content/docs/core/lockers.md": doc(
            "docs.lockers", "Locker opening hours", "The lockers open at 7 am every day."
        ),
        "content/qa/core/reset.md": qa(
            "qa.reset",
            "How do I reset my password?",
            "Use the reset link on the sign-in page. The link is valid for 60 minutes.",
        ),
        "content/evals/basic.yaml": EVALS,
    }


def make_repo(
    root: Path, config: str = CONFIG, files: dict[str, str | bytes] | None = None
) -> Path:
    write_repo(root, files if files is not None else base_files(), config=config)
    (root / ".gitignore").write_text(".kbsync/\n*.json\n")
    commit_all(root, "initial content")
    return root


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run(root, "smoke", "--env", "local")`: kbsync with `root` as working folder."""
    monkeypatch.setenv("KBSYNC_TODAY", "2026-11-23")

    def invoke(root: Path, *args: str) -> Result:
        monkeypatch.chdir(root)
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")
