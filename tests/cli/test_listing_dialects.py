"""Issue 11, failure 3 through the CLI: a listing that pages differently is read whole.

Against a sandbox paging by offset or by cursor (ignoring `page`, with other status words),
the old client read the first 20 of 58 documents; `plan --refresh` then planned the other 38
as "deleted in Uppzy: recreate" and `sync --refresh` duplicated them. Now the plans are the
page dialect's: nothing to do, and nothing is created twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.sandbox import Sandbox, Scope
from tests.helpers import commit_all, doc, qa, write_repo

ROLLOUT = """\
batches:
  - id: all
    include: ["**"]
    environments: [local]
"""
WORDS = '\n[environments.local.api]\nstatus_words = { active = "published", draft = "inactive" }\n'


def config(dialect: str, words: bool) -> str:
    text = (
        "[environments.local]\n"
        'base_url = "sandbox:"\n'
        'tenant_id = "t_local"\n'
        f'sandbox_dialect = "{dialect}"\n'
        "sandbox_ready_delay = 0.0\n"
        "[environments.local.sites.s_local]\n"
        'audiences = ["public"]\n'
    )
    return text + (WORDS if words else "")


def files() -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {"content/rollout.yaml": ROLLOUT}
    for i in range(58):
        if i % 2:
            out[f"content/qa/q{i:02}.md"] = qa(f"qa.q{i:02}", f"Question {i}?", f"Answer {i}.")
        else:
            out[f"content/docs/d{i:02}.md"] = doc(f"docs.d{i:02}", f"Document {i}", f"Body {i}.")
    return out


PAGE_DIALECT_PLAN = """\
Plan for local/s_local (tenant t_local)
  full scan: a full scan was asked for (58 files read)
  warning: full scan: a full scan was asked for

  0 to create, 0 to update, 0 to activate, 0 to delete, 58 unchanged
  quota: 58 of 500 documents used
"""
"""The page dialect's plan after the first sync; every dialect must plan exactly this."""


def kbsync(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize(
    ("dialect", "words"), [("page", False), ("offset", False), ("cursor", True)]
)
def test_plan_and_sync_refresh_see_all_58_documents_in_every_dialect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialect: str, words: bool
) -> None:
    root = write_repo(tmp_path / "repo", files(), config=config(dialect, words))
    (root / ".gitignore").write_text(".kbsync/\n")
    commit_all(root, "58 items")
    monkeypatch.chdir(root)
    first = kbsync("sync", "--yes", "--skip-lint")
    assert first.exit_code == 0, first.output
    plan = kbsync("plan", "--refresh", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert plan.stdout == PAGE_DIALECT_PLAN
    again = kbsync("sync", "--refresh", "--yes", "--skip-lint")
    assert again.exit_code == 0, again.output
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(root / ".kbsync/sandbox.sqlite3", open_scope=scope) as sandbox:
        documents = sandbox.documents("s_local")
    titles = [d["title"] for d in documents]
    assert len(titles) == len(set(titles)) == 58
    assert {d["status"] for d in documents} == {"active"}


def test_a_listing_that_cannot_be_read_whole_stops_plan_refresh_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`page` pinned against a server paging by offset: refused, one line, the setting named."""
    pinned = (
        config("offset", False) + '\n[environments.local.api]\npagination = "page"\nper_page = 10\n'
    )
    root = write_repo(tmp_path / "repo", files(), config=pinned)
    (root / ".gitignore").write_text(".kbsync/\n")
    commit_all(root, "58 items")
    monkeypatch.chdir(root)
    assert kbsync("sync", "--yes", "--skip-lint").exit_code == 0
    result = kbsync("plan", "--refresh")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(("error", "  hint"))]
    assert errors == [
        "error: local/s_local: the document listing of site 's_local' could not be read whole (paging by "
        "page): page 2 repeats documents of earlier pages (does the service ignore `page`?); "
        "nothing is created or deleted on a partial listing",
        '  hint: [environments.local.api] pagination is "page": set it to "auto" or the style '
        "Uppzy uses; `kbsync probe --env local --write` shows how the listing pages",
    ]
