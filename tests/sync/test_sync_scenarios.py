"""Each kind of change produces the right plan, and the site ends exactly at the desired set."""

from __future__ import annotations

import pytest

from pipeline.api.models import DocumentPatch, QaDocument, TextDocument
from pipeline.sandbox import Limits, Scope
from pipeline.sync.service import SyncRefused, pause, resume, rollback
from tests.helpers import doc, git
from tests.sync.conftest import ROLLOUT, Harness


def actions(plan: object) -> list[tuple[str, str]]:
    return [(c.action, c.id) for c in plan.changes]  # type: ignore[attr-defined]


def test_first_sync_creates_and_activates_the_desired_set(harness: Harness) -> None:
    plan = harness.plan()
    assert sorted(actions(plan)) == [
        ("create", "docs.api"),
        ("create", "docs.plans"),
        ("create", "docs.welcome"),
        ("create", "qa.reset"),
        ("create", "qa.trial"),
    ]  # fmt: skip  (internal runbook and the draft are not for s_local)
    outcome = harness.sync()
    assert (outcome.result.created, outcome.result.activated) == (5, 5)
    harness.assert_converged()
    again = harness.plan()
    assert again.changes == [] and again.unchanged == 5


def test_internal_content_reaches_only_the_site_that_takes_it(harness: Harness) -> None:
    harness.sync(site="s_agents")
    harness.assert_converged("s_agents")
    assert "Runbook" in {d["title"] for d in harness.docs("s_agents")}


def test_update(harness: Harness) -> None:
    harness.sync()
    harness.write("content/docs/core/plans.md", doc("docs.plans", "Plans", "Starter costs $21."))
    harness.commit()
    plan = harness.plan()
    assert actions(plan) == [("update", "docs.plans")]
    assert not plan.full_scan and plan.files_read == 1
    harness.sync()
    harness.assert_converged()


def test_rename_is_an_update_never_delete_and_create(harness: Harness) -> None:
    harness.sync()
    before = {d["title"]: d["id"] for d in harness.docs()}
    git(harness.root, "mv", "content/qa/core/reset.md", "content/qa/core/password-reset.md")
    harness.commit("rename")
    plan = harness.plan()
    assert actions(plan) == [("rename", "qa.reset")]
    harness.sync()
    harness.assert_converged()
    after = {d["title"]: d["id"] for d in harness.docs()}
    assert after == before  # same Uppzy documents
    state_path = harness.root / ".kbsync/state/local/s_local.json"
    assert "content/qa/core/password-reset.md" in state_path.read_text()


def test_rename_with_an_edit_is_one_update(harness: Harness) -> None:
    harness.sync()
    git(harness.root, "mv", "content/docs/core/plans.md", "content/docs/core/pricing.md")
    harness.write("content/docs/core/pricing.md", doc("docs.plans", "Plans", "Starter: $25."))
    harness.commit()
    assert actions(harness.plan()) == [("update", "docs.plans")]
    harness.sync()
    harness.assert_converged()


def test_delete_file(harness: Harness) -> None:
    harness.sync()
    (harness.root / "content/docs/core/welcome.md").unlink()
    harness.commit()
    assert actions(harness.plan()) == [("delete", "docs.welcome")]
    harness.sync()
    harness.assert_converged()


def test_status_back_to_draft_deletes(harness: Harness) -> None:
    harness.sync()
    text = (harness.root / "content/qa/core/trial.md").read_text()
    harness.write("content/qa/core/trial.md", text.replace("approved", "draft"))
    harness.commit()
    assert actions(harness.plan()) == [("delete", "qa.trial")]
    harness.sync()
    harness.assert_converged()


def test_batch_taken_off_the_environment(harness: Harness) -> None:
    harness.sync()
    harness.write(
        "content/rollout.yaml", ROLLOUT.replace("environments: [local]", "environments: []")
    )
    harness.commit()
    plan = harness.plan()
    assert plan.full_scan and "rollout.yaml" in plan.scan_reason
    assert actions(plan) == [("delete", "docs.api")]
    harness.sync()
    harness.assert_converged()


def test_audience_change(harness: Harness) -> None:
    harness.sync()
    harness.sync(site="s_agents")
    text = (harness.root / "content/docs/core/plans.md").read_text()
    harness.write(
        "content/docs/core/plans.md",
        text.replace("status: approved", "status: approved\naudience: internal"),
    )
    harness.commit()
    assert actions(harness.plan()) == [("delete", "docs.plans")]
    assert actions(harness.plan("s_agents")) == []  # still there, same content
    harness.sync()
    harness.assert_converged()


def test_rollback_to_draft_and_release(harness: Harness) -> None:
    harness.sync()
    result = rollback(harness.settings, harness.target(), harness.client, "extra")
    assert (result.documents, result.mode) == (1, "draft")
    api = next(d for d in harness.docs() if d["title"] == "API")
    assert api["status"] == "draft"
    assert harness.plan().changes == []  # the hold keeps it out
    rollback(harness.settings, harness.target(), None, "extra", release=True)
    assert actions(harness.plan()) == [("activate", "docs.api")]
    harness.sync()
    harness.assert_converged()


def test_rollback_by_delete(harness: Harness) -> None:
    harness.sync()
    rollback(harness.settings, harness.target(), harness.client, "extra", delete=True)
    assert "API" not in {d["title"] for d in harness.docs()}
    assert harness.plan().changes == []
    rollback(harness.settings, harness.target(), None, "extra", release=True)
    assert actions(harness.plan()) == [("create", "docs.api")]


def test_paused_target_writes_nothing(harness: Harness) -> None:
    pause(harness.settings, harness.target(), "incident 42", by="oncall")
    before = len(harness.sandbox.request_log(method="POST"))
    with pytest.raises(SyncRefused, match=r"paused by oncall .*: incident 42"):
        harness.sync()
    assert len(harness.sandbox.request_log(method="POST")) == before
    resume(harness.settings, harness.target())
    harness.sync()
    harness.assert_converged()


def test_mass_delete_guard(harness: Harness) -> None:
    harness.sync()
    for rel in ("content/docs/core/welcome.md", "content/docs/core/plans.md"):
        (harness.root / rel).unlink()
    harness.commit()
    with pytest.raises(SyncRefused, match="deletes 2 of 5 documents"):
        harness.sync()
    assert len(harness.docs()) == 5
    harness.sync(allow_mass_delete=True)
    harness.assert_converged()


def test_max_changes(harness: Harness) -> None:
    (harness.root / "kbsync.toml").write_text(
        (harness.root / "kbsync.toml").read_text()
        + "\n[environments.local.rollout]\nmax_changes = 3\n"
    )
    with pytest.raises(SyncRefused, match="5 changes exceed max_changes = 3"):
        harness.sync()
    assert harness.docs() == []


def test_quota(harness: Harness) -> None:
    for i in range(3):
        harness.client.create_document("s_local", TextDocument(title=f"Other {i}", content="x"))
    # The tenant may hold 6 documents: 3 used + 5 to create does not fit.
    scope = Scope("t_local", ("s_local", "s_agents"), limits=Limits(documents=6))
    harness.sandbox.store.ensure_scope(scope)
    before = len(harness.sandbox.request_log(method="POST"))
    with pytest.raises(SyncRefused, match=r"would hold 8 documents; the tenant's quota is 6"):
        harness.sync()
    assert len(harness.sandbox.request_log(method="POST")) == before


@pytest.mark.parametrize("sandbox", ["page", "offset", "cursor"], indirect=True)
def test_refresh_repairs_drift(harness: Harness) -> None:
    harness.sync()
    docs = {d["title"]: d["id"] for d in harness.docs()}
    harness.client.bulk_delete("s_local", [docs["Welcome"]])
    harness.client.bulk_status("s_local", [docs["Plans"]], "draft")
    harness.client.update_document("s_local", docs["API"], DocumentPatch(content="Edited by hand."))
    plain = harness.plan()
    assert plain.changes == []  # without --refresh the state is trusted
    plan = harness.plan(refresh=True)
    assert sorted(actions(plan)) == [
        ("activate", "docs.plans"), ("create", "docs.welcome"), ("update", "docs.api")
    ]  # fmt: skip
    assert any("deleted in Uppzy" in d for d in plan.drift)
    harness.sync(refresh=True)
    harness.assert_converged()


@pytest.mark.parametrize("sandbox", ["page", "offset", "cursor"], indirect=True)
def test_unmanaged_documents_adopted_by_match_and_pruned_only_on_demand(harness: Harness) -> None:
    harness.client.create_document("s_local", TextDocument(title="Welcome", content="old text"))
    harness.client.create_document(
        "s_local", QaDocument(title="Stray", question="Stray?", answer="x")
    )
    plan = harness.plan(refresh=True)
    assert ("adopt", "docs.welcome") in actions(plan)
    assert ("update", "docs.welcome") in actions(plan)  # its content differs
    assert [u.title for u in plan.unmanaged] == ["Stray"]
    with pytest.raises(SyncRefused, match=r"--no-adopt refuses to take them over"):
        harness.plan(adopt=False)
    harness.sync(prune=True, allow_mass_delete=True)
    harness.assert_converged()
