"""`kbsync import`: a site made in Uppzy's dashboard becomes content the next plan agrees with.

Documents are created through the API on the in-process sandbox, imported into a real git
repository, then planned: the round trip must show no changes, and every imported file must
pass the schema rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline.api import UppzyClient
from pipeline.api.models import FileDocument, QaDocument, TextDocument
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.sandbox import Sandbox, Scope
from pipeline.sync.importer import ImportResult, import_site, slugify
from pipeline.sync.plan import Plan
from pipeline.sync.service import SyncOptions, make_store, plan_target
from pipeline.sync.state import TargetState
from pipeline.targets import Target
from tests.helpers import commit_all, write_repo

CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"

[environments.local.sites.s_local]
audiences = ["public"]

[environments.local.sites.s_internal]
audiences = ["internal"]
"""

ROLLOUT = """\
# Rollout batches — reviewed by the content team.
batches:
  # Hand-written articles.
  - id: core          # the first batch
    include: ["docs/core/**"]
    environments: [local]   # local only for now

# end of batches
"""

TARGET = Target("local", "s_local", "t_local")
TODAY = "2026-12-07"


class Site:
    """A content repository and a sandbox site holding documents made through the API."""

    def __init__(self, root: Path, sandbox: Sandbox) -> None:
        self.root = root
        self.sandbox = sandbox
        env = load_settings(root).environment("local")
        self.client = UppzyClient.for_environment(env, transport=sandbox.transport())

    def text(self, title: str, content: str, category: str | None = "shipping", *,
             active: bool = True) -> str:  # fmt: skip
        doc = self.client.create_document("s_local", TextDocument(title, content, category))
        if active:
            self.client.bulk_status("s_local", [doc.id], "active")
        return doc.id

    def qa(self, question: str, answer: str, category: str | None = "shipping", *,
           title: str | None = None, active: bool = True) -> str:  # fmt: skip
        made = QaDocument(title or question, question, answer, category)
        doc = self.client.create_document("s_local", made)
        if active:
            self.client.bulk_status("s_local", [doc.id], "active")
        return doc.id

    def run_import(self, into: Path | None = None) -> ImportResult:
        settings = load_settings(self.root)
        store = make_store(settings, settings.environment("local"))
        return import_site(
            settings, TARGET, self.client, store, into=into, today=dt.date.fromisoformat(TODAY)
        )

    def plan(self, *, refresh: bool = False) -> Plan:
        options = SyncOptions(refresh=refresh)
        return plan_target(load_settings(self.root), TARGET, client=self.client, options=options)

    def state(self) -> TargetState:
        settings = load_settings(self.root)
        return make_store(settings, settings.environment("local")).load(TARGET)

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("KBSYNC_TODAY", TODAY)
    scope = Scope(tenant_id="t_local", site_ids=("s_local", "s_internal"))
    files: dict[str, str | bytes] = {
        "content/rollout.yaml": ROLLOUT,
        "content/docs/core/welcome.md": (
            "---\nid: docs.core.welcome\ntitle: Welcome\nstatus: approved\n"
            f"reviewed: {TODAY}\n---\nHello.\n"
        ),
        ".gitignore": ".kbsync/\n",
    }
    root = write_repo(tmp_path / "repo", files, config=CONFIG)
    commit_all(root, "initial")
    with Sandbox(None, open_scope=scope, ready_delay=0.0, async_delay=0.0) as box:
        s = Site(root, box)
        try:
            yield s
        finally:
            s.client.close()


def test_round_trip_documents_made_through_the_api_import_then_plan_no_changes(
    site: Site,
) -> None:
    site.text("Locker pickup", "Parcels stay in the locker for 3 days.\n")
    site.text("Opening hours", "Lockers open at 7.\n\nThey close at 22.\n", category="stores")
    site.qa("How long is the trial?", "14 days.\n", category="billing")
    site.qa("Can I change the address?", "Yes, before dispatch.\n", title="Address changes")
    site.text("Summer plans", "Not yet public.\n", active=False)

    result = site.run_import()

    assert sorted((i.path, i.status, i.recorded, i.differs) for i in result.imported) == [
        ("content/docs/shipping/locker-pickup.md", "approved", True, False),
        ("content/docs/shipping/summer-plans.md", "draft", False, False),
        ("content/docs/stores/opening-hours.md", "approved", True, False),
        ("content/qa/billing/how-long-is-the-trial.md", "approved", True, False),
        ("content/qa/shipping/address-changes.md", "approved", True, False),
    ]
    plan = site.plan()
    welcome = [c for c in plan.changes if c.id == "docs.core.welcome"]
    assert [c.action for c in welcome] == ["create"]  # the hand-written file, never synced
    assert [c for c in plan.changes if c.id != "docs.core.welcome"] == []
    assert plan.unchanged == 4
    # The site's listing agrees too: nothing imported is drift or an update.
    refreshed = site.plan(refresh=True)
    assert [c.id for c in refreshed.changes] == ["docs.core.welcome"]
    assert refreshed.drift == []


def test_the_written_file_and_its_state_entry(site: Site) -> None:
    doc_id = site.qa(
        "Can I change the address?", "Yes, before dispatch.\n", title="Address changes"
    )
    site.run_import()
    text = site.read("content/qa/shipping/address-changes.md")
    assert text == (
        "---\n"
        "id: qa.shipping.address-changes\n"
        "question: Can I change the address?\n"
        "title: Address changes\n"
        "status: approved\n"
        "audience: public\n"
        "category: shipping\n"
        "batch: import-local-s_local\n"
        f"reviewed: {TODAY}\n"
        "---\n"
        "Yes, before dispatch.\n"
    )
    entry = site.state().entries["qa.shipping.address-changes"]
    assert (entry.doc_id, entry.status, entry.type, entry.batch) == (
        doc_id, "active", "qa", "import-local-s_local"
    )  # fmt: skip
    assert entry.path == "content/qa/shipping/address-changes.md"


def test_rollout_comments_and_order_survive_and_the_batch_is_appended(site: Site) -> None:
    site.text("Locker pickup", "Parcels stay 3 days.\n")
    site.qa("How long is the trial?", "14 days.\n", category="billing")
    site.run_import()
    text = site.read("content/rollout.yaml")
    assert text.startswith(ROLLOUT.split("\n\n# end of batches")[0] + "\n")
    assert "# end of batches\n" in text
    assert (
        text.index("id: core")
        < text.index("id: import-local-s_local")
        < text.index("# end of batches")
    )
    assert "  # imported from Uppzy (local/s_local) on 2026-12-07 by kbsync import\n" in text
    data = yaml.safe_load(text)
    assert data["batches"][1] == {
        "id": "import-local-s_local",
        "description": "Imported from Uppzy site s_local (local)",
        "include": ["docs/shipping/locker-pickup.md", "qa/billing/how-long-is-the-trial.md"],
        "environments": ["local"],
    }


def test_imported_files_pass_the_schema_rules(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    site.text("Locker pickup", "<p>Parcels stay <b>3 days</b>.</p>")
    site.text("Доставка", "Text.\n", category="../../etc")
    site.qa("Why?", "Because.\n", category="a/b")
    site.text("Old", "Gone.\n", active=False)
    site.run_import()
    monkeypatch.chdir(site.root)
    result = CliRunner().invoke(cli, ["lint", "--select", "schema", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output, result.output


def test_html_is_converted_and_the_difference_is_planned_as_an_update(site: Site) -> None:
    site.text("Returns", "<h2>Returns</h2><p>Send it back within <strong>30 days</strong>.</p>")
    site.text("Plain", "Plain text without a final line break")
    result = site.run_import()
    assert {i.path: i.differs for i in result.imported} == {
        "content/docs/shipping/returns.md": True,
        "content/docs/shipping/plain.md": True,
    }
    assert site.read("content/docs/shipping/returns.md").endswith(
        "---\n## Returns\n\nSend it back within **30 days**.\n"
    )
    plan = site.plan()
    updates = sorted(c.id for c in plan.changes if c.action == "update")
    assert updates == ["docs.shipping.plain", "docs.shipping.returns"]


def test_rerun_skips_what_the_state_or_the_content_already_has(site: Site) -> None:
    site.text("Locker pickup", "Parcels stay 3 days.\n")
    site.text("Draft one", "Later.\n", active=False)
    first = site.run_import()
    assert len(first.imported) == 2
    rollout_before = site.read("content/rollout.yaml")
    again = site.run_import()
    assert again.imported == []
    assert again.batch is None
    assert sorted(s.reason for s in again.skipped) == [
        "already in content/docs/shipping/draft-one.md",
        "already in the state as docs.shipping.locker-pickup",
    ]
    assert site.read("content/rollout.yaml") == rollout_before


def test_slug_collisions_get_distinct_ids_and_paths(site: Site) -> None:
    site.text("Plans & prices", "A.\n")
    site.text("Plans: prices", "B.\n")
    site.text("plans prices!", "C.\n")
    result = site.run_import()
    assert sorted(i.path for i in result.imported) == [
        "content/docs/shipping/plans-prices-2.md",
        "content/docs/shipping/plans-prices-3.md",
        "content/docs/shipping/plans-prices.md",
    ]
    assert len({i.item_id for i in result.imported}) == 3
    assert site.plan().changes[0].id == "docs.core.welcome"
    assert len(site.plan().changes) == 1


def test_titles_without_ascii_and_unsafe_categories_stay_inside_the_content(site: Site) -> None:
    site.text("Доставка", "Text.\n", category="../../etc")
    site.text("???", "Q.\n", category="a/b/../c")
    site.text("Café crème", "Hot.\n", category="..")
    result = site.run_import()
    paths = sorted(i.path for i in result.imported)
    assert paths[0] == "content/docs/a-b-c/document-" + paths[0].split("document-")[1]
    assert paths[1].startswith("content/docs/etc/document-")
    assert paths[2] == "content/docs/general/cafe-creme.md"
    for path in paths:
        assert (site.root / path).resolve().is_relative_to(site.root / "content")
    assert not (site.root.parent / "etc").exists()
    # The category sent stays the site's own (`../../etc`): the plan has nothing to change.
    assert [c.id for c in site.plan().changes] == ["docs.core.welcome"]


def test_an_existing_file_at_the_target_path_is_never_overwritten(site: Site) -> None:
    site.text("Locker pickup", "Parcels stay 3 days.\n")
    mine = site.root / "content/docs/shipping/locker-pickup.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own notes, not content frontmatter\n", encoding="utf-8")
    result = site.run_import()
    assert result.imported == []
    assert [s.reason for s in result.skipped] == [
        "content/docs/shipping/locker-pickup.md exists (not overwritten)"
    ]
    assert mine.read_text(encoding="utf-8") == "my own notes, not content frontmatter\n"
    assert site.read("content/rollout.yaml") == ROLLOUT


def test_file_documents_are_listed_as_not_importable(site: Site) -> None:
    site.client.create_document("s_local", FileDocument("manual.txt", b"Read me."))
    result = site.run_import()
    assert [(s.title, s.reason) for s in result.not_importable] == [
        ("manual.txt", "a file document: its text cannot become Markdown")
    ]
    assert result.imported == []


def test_an_incomplete_listing_is_refused_and_nothing_is_written(site: Site) -> None:
    from pipeline.sync.remote import ListingRefused

    site.text("Locker pickup", "Parcels stay 3 days.\n")
    site.text("Opening hours", "From 7.\n")
    # Pinned to cursors, one per page, on a server paging by numbers with a total: the reader
    # gets one document of two and cannot go on.
    config = site.root / "kbsync.toml"
    config.write_text(
        CONFIG + '\n[environments.local.api]\npagination = "cursor"\nper_page = 1\n',
        encoding="utf-8",
    )
    site.client.close()
    env = load_settings(site.root).environment("local")
    site.client = UppzyClient.for_environment(env, transport=site.sandbox.transport())
    with pytest.raises(ListingRefused, match="could not be read whole"):
        site.run_import()
    assert not (site.root / "content/docs/shipping").exists()
    assert site.read("content/rollout.yaml") == ROLLOUT
    assert site.state().entries == {}


def test_a_site_that_takes_no_public_content_is_refused(site: Site) -> None:
    from pipeline.errors import ConfigError

    settings = load_settings(site.root)
    target = Target("local", "s_internal", "t_local")
    store = make_store(settings, settings.environment("local"))
    with pytest.raises(ConfigError, match="does not take public content"):
        import_site(settings, target, site.client, store, today=dt.date(2026, 12, 7))


def test_cli_import_prints_what_it_did(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI runs the environment's own in-process sandbox over .kbsync/sandbox.sqlite3: fill
    # that one through the API first.
    scope = Scope(tenant_id="t_local", site_ids=("s_local", "s_internal"))
    db = site.root / ".kbsync" / "sandbox.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    with Sandbox(db, open_scope=scope, ready_delay=0.0) as box:
        env = load_settings(site.root).environment("local")
        with UppzyClient.for_environment(env, transport=box.transport()) as client:
            made = client.create_document(
                "s_local", TextDocument("Locker pickup", "3 days.\n", "shipping")
            )
            client.bulk_status("s_local", [made.id], "active")
            other = client.create_document("s_local", FileDocument("manual.txt", b"Read me."))
    monkeypatch.chdir(site.root)
    result = CliRunner().invoke(cli, ["import", "--env", "local", "--site", "s_local"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"imported {made.id} -> content/docs/shipping/locker-pickup.md (approved)\n"
        f"not importable {other.id} 'manual.txt': a file document: its text cannot become "
        "Markdown\n"
        "local/s_local: 1 imported (1 recorded in the sync log), 0 skipped, 1 not importable; "
        "batch import-local-s_local added to rollout.yaml\n"
    )
    plan = CliRunner().invoke(cli, ["plan", "--env", "local", "--site", "s_local"])
    assert "docs.shipping.locker-pickup" not in plan.output
    assert "1 to create" in plan.output  # the hand-written welcome page only
    missing = CliRunner().invoke(cli, ["import", "--env", "local"])
    assert missing.exit_code == 2
    assert "kbsync import needs --site" in missing.output


def test_slugify() -> None:
    assert slugify("Plans & Prices (2026)") == "plans-prices-2026"
    assert slugify("Crème brûlée") == "creme-brulee"
    assert slugify("Доставка") == ""
    assert slugify("../..") == ""
    assert len(slugify("word " * 40)) <= 60


def test_a_document_the_content_already_has_is_not_imported_twice(site: Site) -> None:
    site.text("Welcome", "Hello.\n", category="core")  # the hand-written file's title
    result = site.run_import()
    assert result.imported == []
    assert [s.reason for s in result.skipped] == ["already in content/docs/core/welcome.md"]


def test_an_id_the_content_already_uses_is_not_reused(site: Site) -> None:
    site.text("Welcome page", "Hi.\n", category="core")
    (site.root / "content/docs/core/other.md").write_text(
        "---\nid: docs.core.welcome-page\ntitle: Another title\nstatus: draft\n"
        f"reviewed: {TODAY}\n---\nText.\n",
        encoding="utf-8",
    )
    result = site.run_import()
    assert [(i.item_id, i.path) for i in result.imported] == [
        ("docs.core.welcome-page-2", "content/docs/core/welcome-page-2.md")
    ]


def test_into_another_folder_writes_files_but_records_nothing(site: Site) -> None:
    site.text("Locker pickup", "Parcels stay 3 days.\n")
    result = site.run_import(into=site.root / "imported")
    assert [i.path for i in result.imported] == ["imported/docs/shipping/locker-pickup.md"]
    assert not result.state_recorded
    assert site.state().entries == {}
    assert "import-local-s_local" in site.read("imported/rollout.yaml")
    assert site.read("content/rollout.yaml") == ROLLOUT


def test_into_outside_the_repository_is_refused(site: Site, tmp_path: Path) -> None:
    from pipeline.errors import UsageError

    site.text("Locker pickup", "Parcels stay 3 days.\n")
    with pytest.raises(UsageError, match="outside the repository"):
        site.run_import(into=tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()


def test_an_imported_draft_once_approved_is_adopted_not_duplicated(site: Site) -> None:
    doc_id = site.text("Summer plans", "Not yet public.\n", active=False)
    site.run_import()
    path = site.root / "content/docs/shipping/summer-plans.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: draft", "status: approved"),
        encoding="utf-8",
    )
    plan = site.plan()
    mine = [(c.action, c.doc_id) for c in plan.changes if c.id == "docs.shipping.summer-plans"]
    assert mine == [("adopt", doc_id), ("activate", doc_id)]


def test_a_document_without_a_category_is_an_honest_update(site: Site) -> None:
    site.text("Locker pickup", "Parcels stay 3 days.\n", category=None)
    result = site.run_import()
    assert [(i.path, i.differs) for i in result.imported] == [
        ("content/docs/general/locker-pickup.md", True)
    ]
    updates = [c for c in site.plan().changes if c.action == "update"]
    assert [c.id for c in updates] == ["docs.general.locker-pickup"]
    assert site.plan().payloads["docs.general.locker-pickup"].category == "general"


def test_a_text_document_in_a_category_named_qa_stays_a_document(site: Site) -> None:
    site.text("Support hours", "9 to 5.\n", category="QA")
    site.qa("Is it open?", "Yes.\n", category="QA")
    result = site.run_import()
    assert sorted(i.path for i in result.imported) == [
        "content/docs/q-a/support-hours.md",
        "content/qa/q-a/is-it-open.md",
    ]
    assert [c.id for c in site.plan().changes] == ["docs.core.welcome"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "nope", "--site", "s_local"], "nope"),
        (["--env", "local", "--site", "s_nope"], "s_nope"),
        (["--env", "local", "--site", "s_internal"], "does not take public content"),
    ],
)
def test_cli_import_refuses_bad_targets_with_exit_2(
    site: Site, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(site.root)
    result = CliRunner().invoke(cli, ["import", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert site.read("content/rollout.yaml") == ROLLOUT


def test_a_rollout_kbsync_cannot_extend_is_refused_before_any_file_is_written(site: Site) -> None:
    from pipeline.errors import ConfigError

    flow = 'batches: [{id: core, include: ["docs/core/**"], environments: [local]}]\n'
    (site.root / "content/rollout.yaml").write_text(flow, encoding="utf-8")
    site.text("Locker pickup", "Parcels stay 3 days.\n")
    with pytest.raises(ConfigError, match="flow style"):
        site.run_import()
    assert not (site.root / "content/docs/shipping").exists()
    assert site.read("content/rollout.yaml") == flow
    assert site.state().entries == {}
