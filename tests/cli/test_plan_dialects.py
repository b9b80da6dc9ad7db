"""Plans do not depend on how Uppzy pages its listing or names its statuses (issue 11): the
same content, synced and then planned with the sync log lost, plans the same against a sandbox
paging by page numbers, by offsets and by cursor tokens (with other status words), each site
holding more documents than one listing page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import Run, run
from tests.helpers import commit_all, doc, qa, write_repo

__all__ = ["run"]

DIALECTS = {
    "page": "",
    "offset": 'sandbox_dialect = "offset"\n',
    "cursor": 'sandbox_dialect = "cursor"\n',
}
WORDS = {"cursor": 'status_words = { active = "published", draft = "inactive" }\n'}


def config() -> str:
    text = ""
    for name, dialect in DIALECTS.items():
        text += (
            f'[environments.{name}]\nbase_url = "sandbox:"\ntenant_id = "t_local"\n{dialect}'
            f'sandbox_db = "site-{name}/sandbox.sqlite3"\nsandbox_ready_delay = 0.0\n\n'
            f'[environments.{name}.sites.s_local]\naudiences = ["public"]\n\n'
            f"[environments.{name}.api]\nper_page = 2\n{WORDS.get(name, '')}\n"
            f"[environments.{name}.http]\nbackoff_initial = 0.01\nbackoff_max = 0.02\n\n"
        )
    return text


ROLLOUT = """\
batches:
  - id: core
    include: ["docs/**", "qa/**"]
    environments: [page, offset, cursor]
"""


def files() -> dict[str, str]:
    out = {"content/rollout.yaml": ROLLOUT}
    for n in range(5):
        out[f"content/docs/d{n}.md"] = doc(
            f"docs.d{n}", f"Locker guide {n}", f"Locker {n} opens at {n} am."
        )
    for n in range(2):
        out[f"content/qa/q{n}.md"] = qa(f"qa.q{n}", f"How do I open locker {n}?", f"Scan code {n}.")
    return out


def normalised(text: str, env: str) -> str:
    text = re.sub(r"\bdoc_[0-9a-f]{24}\b", "doc_ID", text)
    return text.replace(env, "ENV")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(tmp_path / "repo", files(), config=config())
    (root / ".gitignore").write_text(".kbsync/\nsite-*/\n")
    commit_all(root, "initial content")
    return root


def test_plans_are_the_same_whichever_way_the_listing_pages(repo: Path, run: Run) -> None:
    for env in DIALECTS:
        synced = run(repo, "sync", "--env", env, "--yes")
        assert synced.exit_code == 0, synced.output
    # A changed document, a new one, one no longer in the repository; then the log is lost.
    (repo / "content/docs/d1.md").write_text(
        doc("docs.d1", "Locker guide 1", "Locker 1 opens at 6 am.")
    )
    (repo / "content/docs/d9.md").write_text(doc("docs.d9", "Parcel sizes", "Up to 20 kg."))
    (repo / "content/docs/d4.md").unlink()
    commit_all(repo, "edit")
    shutil.rmtree(repo / ".kbsync")
    plans = {}
    for env in DIALECTS:
        text = run(repo, "plan", "--env", env, "--refresh")
        assert text.exit_code == 0, text.output
        as_json = run(repo, "plan", "--env", env, "--refresh", "--format", "json")
        assert as_json.exit_code == 0, as_json.output
        plans[env] = (normalised(text.stdout, env), normalised(as_json.stdout, env))
    assert plans["offset"] == plans["page"]
    assert plans["cursor"] == plans["page"]
    text = plans["page"][0]
    assert text.splitlines() == [
        "Plan for ENV/s_local (tenant t_local)",
        "  full scan: a full scan was asked for (7 files read)",
        "",
        "  + create     docs.d9  text  content/docs/d9.md  (new in the desired set)",
        *(
            f"  = adopt      docs.d{n}  text  content/docs/d{n}.md  (on the site as doc_ID, same "
            f"type and title{'; its content differs' if n == 1 else ''})"
            for n in range(4)
        ),
        *(
            f"  = adopt      qa.q{n}    qa    content/qa/q{n}.md  (on the site as doc_ID, same "
            "type and title)"
            for n in range(2)
        ),
        "  ~ update     docs.d1  text  content/docs/d1.md  (adopted: content differs)",
        "  1 documents on the site are not managed by kbsync (left alone; --prune deletes them)",
        "",
        "  1 to create, 1 to update, 0 to activate, 0 to delete, 6 to adopt, 0 unchanged",
        "  quota: 7 of 500 documents used",
    ]
