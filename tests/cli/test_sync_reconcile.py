"""The site is the truth: lost or stale records never turn into duplicate documents (issue 11).

Each test drives `kbsync plan`/`kbsync sync` as a user would, against a sandbox whose database
lives outside `.kbsync/`, so that deleting `.kbsync/` loses kbsync's records and not the site.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pipeline.api import IncompleteListingError, UppzyClient
from pipeline.api.models import DocumentPatch, TextDocument
from pipeline.config import load_settings
from pipeline.sandbox import Sandbox, Scope
from tests.helpers import commit_all, doc, qa, write_repo
from tests.ops.smoke_support import Run, run

__all__ = ["run"]

CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"
sandbox_db = "site/sandbox.sqlite3"
sandbox_ready_delay = 0.0
sandbox_async_delay = 0.0

[environments.local.sites.s_local]
audiences = ["public"]

[environments.local.http]
backoff_initial = 0.01
backoff_max = 0.02
"""

ROLLOUT = """\
batches:
  - id: core
    include: ["docs/**", "qa/**"]
    environments: [local]
"""

STATE = ".kbsync/state/local/s_local.json"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(
        tmp_path / "repo",
        {
            "content/rollout.yaml": ROLLOUT,
            "content/docs/lockers.md": doc(
                "docs.lockers", "Locker opening hours", "The lockers open at 7 am every day."
            ),
            "content/qa/reset.md": qa(
                "qa.reset",
                "How do I reset my password?",
                "Use the reset link on the sign-in page. The link is valid for 60 minutes.",
            ),
        },
        config=CONFIG,
    )
    (root / ".gitignore").write_text(".kbsync/\nsite/\n")
    commit_all(root, "initial content")
    return root


@contextmanager
def site(root: Path) -> Iterator[tuple[Sandbox, UppzyClient]]:
    """The repository's sandbox, opened as someone editing the site by hand would."""
    env = load_settings(root).environment("local")
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(root / "site/sandbox.sqlite3", open_scope=scope, ready_delay=0.0) as box:
        client = UppzyClient.for_environment(env, transport=box.transport())
        try:
            yield box, client
        finally:
            client.close()


def documents(root: Path) -> list[dict[str, Any]]:
    with site(root) as (box, _client):
        return sorted(box.documents("s_local"), key=lambda d: d["title"])


def ids_by_title(root: Path) -> dict[str, str]:
    return {d["title"]: d["id"] for d in documents(root)}


def edit_state(root: Path, change: Any) -> None:
    path = root / STATE
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def synced(run: Run, root: Path, *args: str) -> str:
    result = run(root, "sync", "--yes", *args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_lost_state_adopts_every_document_and_creates_none(run: Run, repo: Path) -> None:
    assert "local/s_local: 2 created, 0 updated, 2 activated" in synced(run, repo)
    before = documents(repo)

    shutil.rmtree(repo / ".kbsync")
    plan = run(repo, "plan", "--refresh")
    assert plan.exit_code == 0, plan.output
    lockers, reset = (ids_by_title(repo)[t] for t in ("Locker opening hours",
                                                      "How do I reset my password?"))  # fmt: skip
    lines = plan.stdout.splitlines()
    assert (
        f"  = adopt      docs.lockers  text  content/docs/lockers.md  (on the site as {lockers}, same type and title)"
        in lines
    )
    assert (
        f"  = adopt      qa.reset      qa    content/qa/reset.md  (on the site as {reset}, same type and title)"
        in lines
    )
    assert (
        "  0 to create, 0 to update, 0 to activate, 0 to delete, 2 to adopt, 0 unchanged" in lines
    )

    out = synced(run, repo)
    assert out.splitlines()[0] == (
        "local/s_local: 0 created, 0 updated, 0 activated, 0 deleted, 2 adopted, 0 unchanged"
    )
    assert documents(repo) == before  # same ids, same fields, same timestamps
    assert "nothing to change" in synced(run, repo)
    assert documents(repo) == before


def test_lost_state_with_no_adopt_refuses_and_writes_nothing(run: Run, repo: Path) -> None:
    synced(run, repo)
    before = documents(repo)
    shutil.rmtree(repo / ".kbsync")

    refused = run(repo, "sync", "--yes", "--no-adopt")

    assert refused.exit_code == 1
    ids = ids_by_title(repo)
    assert refused.stderr.splitlines()[0] == (
        "error: local/s_local: 2 documents on the site match items kbsync has no record of: "
        f"docs.lockers ({ids['Locker opening hours']}), qa.reset "
        f"({ids['How do I reset my password?']}); --no-adopt refuses to take them over, and "
        "creating them again would duplicate them"
    )
    assert documents(repo) == before


def test_a_stale_doc_id_is_matched_on_the_site_not_recreated(run: Run, repo: Path) -> None:
    synced(run, repo)
    before = documents(repo)

    def wrong_id(data: dict[str, Any]) -> None:
        data["entries"]["docs.lockers"]["doc_id"] = "doc_000000000000000000000000"

    edit_state(repo, wrong_id)
    plan = run(repo, "plan", "--refresh")
    lockers = ids_by_title(repo)["Locker opening hours"]
    assert (
        "  drift: docs.lockers: document doc_000000000000000000000000 was deleted in Uppzy"
        in plan.stdout.splitlines()
    )
    assert f"(on the site as {lockers}, same type and title)" in plan.stdout
    out = synced(run, repo, "--refresh")
    assert out.startswith("local/s_local: 0 created, 0 updated, 0 activated, 0 deleted, 1 adopted")
    assert documents(repo) == before
    state = json.loads((repo / STATE).read_text())
    assert state["entries"]["docs.lockers"]["doc_id"] == lockers


def test_a_stale_doc_id_found_by_an_update_is_adopted_not_duplicated(run: Run, repo: Path) -> None:
    """Without --refresh the 404 of the update is what reveals the stale id."""
    synced(run, repo)
    edit_state(
        repo,
        lambda d: d["entries"]["docs.lockers"].update(doc_id="doc_000000000000000000000000"),
    )
    (repo / "content/docs/lockers.md").write_text(
        doc("docs.lockers", "Locker opening hours", "The lockers open at 6 am every day.")
    )
    commit_all(repo, "earlier")

    out = synced(run, repo)

    assert out.startswith("local/s_local: 0 created, 1 updated, 0 activated, 0 deleted, 1 adopted")
    docs = documents(repo)
    assert [d["title"] for d in docs] == ["How do I reset my password?", "Locker opening hours"]
    assert "The lockers open at 6 am" in docs[1]["content"]


def test_an_entry_without_a_doc_id_is_matched(run: Run, repo: Path) -> None:
    synced(run, repo)
    before = documents(repo)
    edit_state(repo, lambda d: d["entries"]["qa.reset"].update(doc_id=""))

    out = synced(run, repo)

    assert "0 created" in out and "1 adopted" in out
    assert documents(repo) == before


def test_two_matching_documents_are_an_error_that_names_them(run: Run, repo: Path) -> None:
    synced(run, repo)
    with site(repo) as (_box, client):
        copy = client.create_document(
            "s_local", TextDocument(title="Locker  opening HOURS", content="A copy by hand.")
        )
    original = ids_by_title(repo)["Locker opening hours"]
    shutil.rmtree(repo / ".kbsync")
    # Of two matches, the one that holds the item's exact content is no guess ...
    assert "2 adopted" in synced(run, repo)
    state = json.loads((repo / STATE).read_text())
    assert state["entries"]["docs.lockers"]["doc_id"] == original

    # ... but when neither does, kbsync names both and writes nothing.
    shutil.rmtree(repo / ".kbsync")
    (repo / "content/docs/lockers.md").write_text(
        doc("docs.lockers", "Locker opening hours", "The lockers open at 6 am every day.")
    )
    commit_all(repo, "earlier")
    before = documents(repo)
    refused = run(repo, "sync", "--yes")

    assert refused.exit_code == 1
    first, second = sorted([original, copy.id])
    assert refused.stderr.splitlines() == [
        "error: local/s_local: kbsync has no record of this item and will not guess which "
        f"document is its own: docs.lockers: 2 documents on the site match its type and title "
        f"({first}, {second})",
        "  hint: delete the extra copies in Uppzy (or give the item a distinct title), then plan "
        "again",
    ]
    assert documents(repo) == before


def test_a_document_deleted_by_hand_is_recreated_once(run: Run, repo: Path) -> None:
    synced(run, repo)
    with site(repo) as (_box, client):
        client.bulk_delete("s_local", [ids_by_title(repo)["Locker opening hours"]])

    first = synced(run, repo, "--refresh")
    second = synced(run, repo, "--refresh")

    assert first.startswith("local/s_local: 1 created, 0 updated, 1 activated")
    assert "nothing to change" in second
    assert [d["title"] for d in documents(repo)] == [
        "How do I reset my password?",
        "Locker opening hours",
    ]


def test_a_document_edited_by_hand_is_drift_restored_only_by_refresh(run: Run, repo: Path) -> None:
    synced(run, repo)
    lockers = ids_by_title(repo)["Locker opening hours"]
    with site(repo) as (_box, client):
        client.update_document("s_local", lockers, DocumentPatch(content="Edited by hand."))

    plan = run(repo, "plan", "--refresh")
    assert f"  drift: docs.lockers: document {lockers} was edited in Uppzy" in plan.stdout
    assert "(edited in Uppzy: restore it)" in plan.stdout
    assert "nothing to change" in synced(run, repo)
    assert documents(repo)[1]["content"] == "Edited by hand."

    assert "1 updated" in synced(run, repo, "--refresh")
    assert "The lockers open at 7 am" in documents(repo)[1]["content"]


@pytest.mark.parametrize(
    "args",
    [("sync", "--yes"), ("plan",), ("plan", "--refresh"), ("sync", "--yes", "--prune")],
)
def test_an_incomplete_listing_refuses_every_step_that_relies_on_it(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    synced(run, repo)
    before = documents(repo)
    shutil.rmtree(repo / ".kbsync")

    def incomplete(self: UppzyClient, site_id: str, **_kwargs: Any) -> list[Any]:
        raise IncompleteListingError(
            "the listing said total 2 and gave 1 document", endpoint="list_documents"
        )

    # A seam the sandbox cannot produce yet: a server whose pages kbsync misreads.
    monkeypatch.setattr(UppzyClient, "list_documents", incomplete)
    refused = run(repo, *args)

    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "error: local/s_local: the listing said total 2 and gave 1 document",
        "  hint: set [environments.local.api] pagination to the style the server pages by "
        '("page", "offset" or "cursor"); kbsync probe --env local --write shows which',
    ]
    assert documents(repo) == before


def test_the_json_plan_shows_adopts_with_the_document_and_its_status(run: Run, repo: Path) -> None:
    synced(run, repo)
    ids = ids_by_title(repo)
    shutil.rmtree(repo / ".kbsync")

    data = json.loads(run(repo, "plan", "--format", "json").stdout)

    assert data["listed"] is True and data["refreshed"] is False
    assert data["summary"]["adopt"] == 2 and data["summary"]["create"] == 0
    assert [(c["action"], c["id"], c["doc_id"], c["status"]) for c in data["changes"]] == [
        ("adopt", "docs.lockers", ids["Locker opening hours"], "active"),
        ("adopt", "qa.reset", ids["How do I reset my password?"], "active"),
    ]
    assert sorted(data["payloads"]) == ["docs.lockers", "qa.reset"]


@pytest.mark.parametrize("full", [False, True], ids=["changed-file", "full-scan"])
def test_a_file_that_no_longer_parses_keeps_its_document_on_the_site(
    run: Run, repo: Path, full: bool
) -> None:
    """A typo that breaks a file's frontmatter must not delete its document (never lost data)."""
    synced(run, repo)
    before = documents(repo)
    (repo / "content/docs/lockers.md").write_text("---\nid: [docs.lockers\n---\nBroken.\n")
    commit_all(repo, "a broken edit")

    args = ("sync", "--yes", "--skip-lint", *(("--refresh",) if full else ()))
    result = run(repo, *args)

    assert "0 deleted" in result.stdout or "deleted" not in result.stdout, result.output
    assert "content/docs/lockers.md" in result.stderr
    assert documents(repo) == before
    plan = run(repo, "plan")
    assert "delete" not in plan.stdout.replace("0 to delete", "")


def test_a_record_naming_a_page_made_in_the_dashboard_never_overwrites_it(
    run: Run, repo: Path, tmp_path: Path
) -> None:
    """A hand edit gives docs.lockers the id of a page someone wrote in Uppzy's dashboard (same
    type, another title): `sync --refresh` used to "restore" that page with the lockers text."""
    synced(run, repo)
    with site(repo) as (_box, client):
        handmade = client.create_document(
            "s_local", TextDocument(title="Holiday opening", content="Closed on 25 December.")
        )
    before = documents(repo)
    lockers = ids_by_title(repo)["Locker opening hours"]

    def copied(data: dict[str, Any]) -> None:
        data["entries"]["docs.lockers"]["doc_id"] = handmade.id

    edit_state(repo, copied)
    plan_file = tmp_path / "plan.json"
    plan = run(repo, "plan", "--refresh", "--out", str(plan_file))
    assert plan.exit_code == 0, plan.output
    assert (
        f"  drift: docs.lockers: the record names document {handmade.id}, titled "
        "'Holiday opening', neither this item's title nor the one last synced: matched again "
        "(that document is left as it is)" in plan.stdout.splitlines()
    )
    out = synced(run, repo, "--plan", str(plan_file))  # the sealed plan's checks agree
    assert out.startswith("local/s_local: 0 created, 0 updated, 0 activated, 0 deleted, 1 adopted")
    assert documents(repo) == before
    state = json.loads((repo / STATE).read_text())
    assert state["entries"]["docs.lockers"]["doc_id"] == lockers
    assert "nothing to change" in synced(run, repo, "--refresh")


def test_edits_to_files_with_non_ascii_names_are_synced(run: Run, repo: Path) -> None:
    """An incremental plan reads only the files git says changed; git's quoted names for
    non-ASCII paths used to match nothing, so these edits never reached the site."""
    cafe = repo / "content/docs/café-opening.md"
    cafe.write_text(doc("docs.cafe", "Café opening", "The café opens at 8."), encoding="utf-8")
    commit_all(repo, "café")
    assert "3 created" in synced(run, repo)

    cafe.write_text(doc("docs.cafe", "Café opening", "The café opens at 9."), encoding="utf-8")
    (repo / "content/docs/crème.md").write_text(
        doc("docs.creme", "Crème brûlée", "Served on Sundays."), encoding="utf-8"
    )
    commit_all(repo, "edit and add")
    out = synced(run, repo)
    assert out.startswith("local/s_local: 1 created, 1 updated"), out
    assert "nothing to change" in synced(run, repo)

    cafe.unlink()
    commit_all(repo, "delete")
    out = synced(run, repo, "--allow-mass-delete")  # 1 of 4 documents is over 20%
    assert ", 1 deleted" in out.splitlines()[0], out
    assert "Café opening" not in ids_by_title(repo)
