"""`kbsync impact` on a site with public URLs: links in answers are the URLs a sync would send,
at each side, from the content impact has already read (no second read of the repository)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.sync import links as sync_links
from tests.cli.conftest import Run
from tests.cli.test_public_links import CONFIG, PLANS
from tests.helpers import commit_all, git, qa, write_repo

UPGRADE = "See [Plans and pricing](../../docs/billing/plans.md#plans-at-a-glance) for prices."
SITE = "https://help.parcelly.example/docs/billing"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(
        tmp_path / "repo",
        {
            "content/docs/billing/plans.md": PLANS,
            "content/qa/billing/upgrade.md": qa("qa.upgrade", "How do I change my plan?", UPGRADE),
            "content/qa/billing/other.md": qa("qa.other", "Where is my parcel?", "In the locker."),
        },
        config=CONFIG,
    )
    (root / ".gitignore").write_text(".kbsync/\nsite/\n")
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def test_a_changed_slug_moves_the_url_in_an_unchanged_entrys_answer(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_again(*_args: object) -> None:
        raise AssertionError("impact read every content file's frontmatter again")

    monkeypatch.setattr(sync_links, "content_index", read_again)
    plans = repo / "content/docs/billing/plans.md"
    plans.write_text(PLANS.replace("slug: pricing", "slug: prices"), encoding="utf-8")
    result = run(repo, "impact", "--changed-since", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    [target] = json.loads(result.output)["targets"]
    assert target["changed_items"] == [
        {"id": "qa.upgrade", "path": "content/qa/billing/upgrade.md", "change": "changed"}
    ]
    [moved] = [q for q in target["questions"] if q["id"] == "qa.upgrade"]
    assert moved["kind"] == "changed" and moved["changes"] == ["answer"]
    assert moved["before"]["answer"] == (
        f"See Plans and pricing ({SITE}/pricing/#plans-at-a-glance) for prices.\n"
    )
    assert moved["after"]["answer"] == (
        f"See Plans and pricing ({SITE}/prices/#plans-at-a-glance) for prices.\n"
    )
