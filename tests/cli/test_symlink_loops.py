"""A symbolic link loop in the content: lint, plan and report skip it with a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, write_repo

ROLLOUT = """\
batches:
  - id: all
    include: ["**/*.md"]
    environments: [local]
"""
LOOP = (
    "symbolic link loop (the link leads back to itself): kbsync skips it; remove the link or "
    "point it at a real file"
)


@pytest.fixture
def looped(tmp_path: Path) -> Path:
    root = write_repo(
        tmp_path,
        {"content/docs/a.md": doc("docs.a", "A"), "content/rollout.yaml": ROLLOUT},
        'content_dir = "content"\n',
    )
    (root / "content/docs/loop.md").symlink_to("loop.md")
    commit_all(root)
    return root


def test_lint_reports_the_loop_and_goes_on(looped: Path, run: Run) -> None:
    result = run(looped, "lint", "--no-cache")
    assert result.exit_code == 1
    assert result.output == (
        f"content/docs/loop.md\n  1:1  error      {LOOP}  schema.unreadable\n\n"
        "2 files: 1 error, 0 warnings, 0 suggestions\n"
    )


def test_plan_skips_the_loop_with_a_warning(looped: Path, run: Run) -> None:
    result = run(looped, "plan", "--env", "local")
    assert result.exit_code == 0, result.output
    assert f"warning: content/docs/loop.md: {LOOP}" in result.output
    assert "+ create     docs.a" in result.output
    assert "Traceback" not in result.output


def test_report_counts_the_loop_as_a_lint_error(looped: Path, run: Run, tmp_path: Path) -> None:
    result = run(looped, "report", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "1 items, 1 lint errors" in result.output
