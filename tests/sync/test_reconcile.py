"""Reconcile before any create: one listing per run, saved plans, journalled creates."""

from __future__ import annotations

import json

import pytest

from pipeline.api.models import TextDocument
from pipeline.sync.plan import Plan
from pipeline.sync.remote import AmbiguousMatchError
from pipeline.sync.service import SyncOptions, SyncRefused, plan_target, sync_target
from tests.sync.conftest import Harness

STATE = ".kbsync/state/local/s_local.json"


def listings(harness: Harness) -> int:
    return len(harness.sandbox.request_log(operation="listDocuments"))


def test_one_listing_per_target_and_run_however_many_items_need_it(harness: Harness) -> None:
    harness.sync()
    docs = {d["title"]: d["id"] for d in harness.docs()}
    state_file = harness.root / STATE
    state = json.loads(state_file.read_text())
    state["entries"]["docs.welcome"]["doc_id"] = "doc_000000000000000000000000"  # a 404
    state["entries"]["docs.plans"]["doc_id"] = ""  # no id at all
    del state["entries"]["docs.api"]  # no record
    state_file.write_text(json.dumps(state))
    harness.write("content/docs/core/welcome.md", harness.root.joinpath(
        "content/docs/core/welcome.md").read_text().replace("at 7", "at 6"))  # fmt: skip
    harness.commit()
    harness.sandbox.clear_request_log()

    outcome = harness.sync()

    assert outcome.result.ok, outcome.result.failures
    assert (outcome.result.created, outcome.result.adopted) == (0, 3)
    assert listings(harness) == 1
    assert {d["title"]: d["id"] for d in harness.docs()} == docs
    harness.assert_converged()


def test_a_saved_plan_adopts_what_appeared_since_instead_of_creating_it(
    harness: Harness,
) -> None:
    saved = Plan.from_json(json.loads(harness.plan().dumps()), "plan.json")
    assert saved.count("create") == 5
    made = harness.client.create_document(
        "s_local", TextDocument(title="Welcome", content="Put there by hand meanwhile.")
    )

    outcome = sync_target(harness.settings, harness.target(), harness.client, saved_plan=saved)

    assert outcome.result.ok, outcome.result.failures
    assert (outcome.result.created, outcome.result.adopted) == (4, 1)
    assert {d["title"]: d["id"] for d in harness.docs()}["Welcome"] == made.id
    harness.assert_converged()


def test_a_journalled_create_with_two_matches_is_reported_not_guessed(harness: Harness) -> None:
    harness.sync()
    first = harness.client.create_document("s_local", TextDocument(title="Gone", content="a"))
    second = harness.client.create_document("s_local", TextDocument(title="gone ", content="b"))
    state_file = harness.root / STATE
    state = json.loads(state_file.read_text())
    state["journal"]["docs.gone"] = {"type": "text", "title": "Gone", "hash": "x", "at": "now"}
    state_file.write_text(json.dumps(state))

    outcome = harness.sync()

    ids = ", ".join(sorted([first.id, second.id]))
    assert [(f.id, f.action, f.error) for f in outcome.result.failures] == [
        ("docs.gone", "reconcile",
         f"docs.gone: 2 documents on the site match its type and title ({ids})")
    ]  # fmt: skip
    assert "docs.gone" in json.loads(state_file.read_text())["journal"]  # asked again next run
    assert len(harness.docs()) == 7


def test_a_plan_with_two_matches_for_one_item_refuses(harness: Harness) -> None:
    for content in ("one", "two"):
        harness.client.create_document("s_local", TextDocument(title="Plans", content=content))
    with pytest.raises(AmbiguousMatchError, match=r"docs\.plans: 2 documents on the site match"):
        harness.plan()


def test_offline_plan_warns_that_creates_were_not_checked(harness: Harness) -> None:
    plan = plan_target(harness.settings, harness.target())
    assert plan.count("create") == 5 and not plan.listed
    assert plan.warnings[-1] == (
        "offline: 5 creates were not checked against the site's listing (a sync adopts a "
        "matching document instead of creating it)"
    )


def test_no_adopt_fails_an_item_found_on_the_site_at_apply_and_never_creates_it(
    harness: Harness,
) -> None:
    saved = Plan.from_json(json.loads(harness.plan().dumps()), "plan.json")
    made = harness.client.create_document(
        "s_local", TextDocument(title="Welcome", content="Put there by hand meanwhile.")
    )

    outcome = sync_target(
        harness.settings,
        harness.target(),
        harness.client,
        saved_plan=saved,
        options=SyncOptions(adopt=False),
    )

    assert [(f.id, f.action, f.error) for f in outcome.result.failures] == [
        ("docs.welcome", "create",
         f"the site has it as {made.id} (same type and title); --no-adopt refuses to adopt it, "
         "and creating it again would duplicate it")
    ]  # fmt: skip
    assert [d["title"] for d in harness.docs()].count("Welcome") == 1
    assert outcome.result.created == 4


def test_no_adopt_refuses_a_saved_plan_that_adopts(harness: Harness) -> None:
    harness.client.create_document("s_local", TextDocument(title="Welcome", content="by hand"))
    saved = Plan.from_json(json.loads(harness.plan().dumps()), "plan.json")
    assert saved.count("adopt") == 1

    with pytest.raises(SyncRefused, match=r"--no-adopt refuses to take them over"):
        sync_target(harness.settings, harness.target(), harness.client, saved_plan=saved,
                    options=SyncOptions(adopt=False))  # fmt: skip
    assert len(harness.docs()) == 1
