"""`make_plan` on its own: every kind of change, in its order, with every field it records.

The plan's JSON is a reviewed artefact (`kbsync plan --out`, applied by `kbsync sync --plan`):
the exact bytes in data/plan_every_change.json are what a plan of this input has always been,
so a refactoring of how changes are built or looked up cannot reorder, rename or drop any of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import __version__
from pipeline.sync.desired import ACTIVE, DRAFT, DesiredItem, DesiredSet
from pipeline.sync.payload import Payload
from pipeline.sync.plan import Change, Plan, make_plan
from pipeline.sync.remote import MatchIndex, RemoteSummary, candidates
from pipeline.sync.state import Entry, Target, TargetState

TARGET = Target("local", "s_local", "t_local")
GOLDEN = Path(__file__).parent / "data" / "plan_every_change.json"
"""Made by the code before `Change` was built by keyword; remake it only if the plan's format
(or the payload format, which every hash includes) changes on purpose."""


def _item(
    item_id: str, title: str, body: str, *, status: str = ACTIVE, path: str = ""
) -> DesiredItem:
    payload = Payload(type="text", title=title, category="docs", content=body)
    return DesiredItem(
        id=item_id,
        path=path or f"content/docs/{item_id}.md",
        batch="core",
        hash=payload.content_hash,
        status=status,
        type="text",
        title=title,
        payload=payload,
    )


def _entry(want: DesiredItem, doc_id: str, *, status: str = ACTIVE, **changed: str) -> Entry:
    fields = {"hash": want.hash, "path": want.path, **changed}
    return Entry(
        doc_id=doc_id,
        hash=fields["hash"],
        status=status,
        type=want.type,
        title=want.title,
        path=fields["path"],
        batch=want.batch,
    )


def _remote(
    want: DesiredItem, doc_id: str, *, status: str = "draft", same: bool = True
) -> RemoteSummary:
    return RemoteSummary(doc_id, want.type, want.title, status, want.hash if same else "other")


def scenario() -> tuple[DesiredSet, TargetState, list[RemoteSummary]]:
    """One item of every kind: create, adopt (same and differing), update, rename, activate,
    deactivate, unchanged, gone from the site, deleted from the content, unmanaged."""
    new = _item("a.new", "New", "Brand new.")
    adopt = _item("b.adopt", "Adopt me", "Already there.")
    adopt_diff = _item("c.adopt-diff", "Adopt and fix", "Newer text.")
    update = _item("d.update", "Update", "Changed text.")
    rename = _item("e.rename", "Rename", "Same text.", path="content/docs/moved/e.rename.md")
    activate = _item("f.activate", "Activate", "Now live.")
    deactivate = _item("g.deactivate", "Deactivate", "Rolled back.", status=DRAFT)
    same = _item("h.same", "Same", "Nothing to do.")
    gone = _item("i.gone", "Gone", "Deleted by hand.")
    edited = _item("j.edited", "Edited", "As reviewed.")
    desired = DesiredSet(
        items={w.id: w for w in (new, adopt, adopt_diff, update, rename, activate, deactivate,
                                 same, gone, edited)},
        files_read=10,
        full_scan=True,
        scan_reason="no previous sync",
        problems=["content/docs/x.md: a warning"],
    )  # fmt: skip
    state = TargetState(
        target=TARGET,
        revision=7,
        commit="0" * 40,
        entries={
            "d.update": _entry(update, "doc_d", hash="old"),
            "e.rename": _entry(rename, "doc_e", path="content/docs/e.rename.md"),
            "f.activate": _entry(activate, "doc_f", status="draft"),
            "g.deactivate": _entry(deactivate, "doc_g"),
            "h.same": _entry(same, "doc_h"),
            "i.gone": _entry(gone, "doc_i"),
            "j.edited": _entry(edited, "doc_j"),
            "z.old": Entry("doc_z", "zz", "active", "qa", "Old", "content/qa/z.md", "core"),
        },
    )
    remote = [
        _remote(adopt, "doc_b", status="active"),
        _remote(adopt_diff, "doc_c", same=False),
        _remote(update, "doc_d", status="active"),
        _remote(rename, "doc_e", status="active"),
        _remote(activate, "doc_f"),
        _remote(deactivate, "doc_g", status="active"),
        _remote(same, "doc_h", status="active"),
        _remote(edited, "doc_j", same=False),
        _remote(_item("z.old", "Old", "zz"), "doc_z", status="active"),
        RemoteSummary("doc_u", "text", "Nobody's", "active", None),
    ]
    return desired, state, remote


def test_a_plan_of_every_change_is_what_it_always_was() -> None:
    desired, state, remote = scenario()
    plan = make_plan(desired, state, head_commit="1" * 40, remote=remote, refresh=True, prune=True)
    assert [(c.action, c.id, c.doc_id) for c in plan.changes] == [
        ("create", "a.new", None),
        ("create", "i.gone", None),
        ("adopt", "b.adopt", "doc_b"),
        ("adopt", "c.adopt-diff", "doc_c"),
        ("update", "c.adopt-diff", "doc_c"),
        ("update", "d.update", "doc_d"),
        ("update", "j.edited", "doc_j"),
        ("rename", "e.rename", "doc_e"),
        ("activate", "c.adopt-diff", "doc_c"),
        ("activate", "f.activate", "doc_f"),
        ("activate", "j.edited", "doc_j"),
        ("deactivate", "g.deactivate", "doc_g"),
        ("delete", "doc_u", "doc_u"),
        ("delete", "z.old", "doc_z"),
    ]
    assert plan.unchanged == 1
    assert plan.summary() == (
        "2 to create, 3 to update, 3 to activate, 2 to delete, 1 to rename, 1 to deactivate, "
        "2 to adopt, 1 unchanged"
    )
    assert plan.drift == [
        "i.gone: document doc_i was deleted in Uppzy",
        "j.edited: document doc_j was edited in Uppzy",
        "j.edited: document doc_j is draft in Uppzy (kbsync set active)",
    ]
    golden = GOLDEN.read_text(encoding="utf-8").replace("VERSION", __version__)
    assert plan.dumps() + "\n" == golden


def test_every_change_survives_a_round_trip_through_json() -> None:
    desired, state, remote = scenario()
    plan = make_plan(desired, state, head_commit="1" * 40, remote=remote, refresh=True, prune=True)
    again = Plan.from_json(json.loads(plan.dumps()), "plan.json")
    assert again.changes == plan.changes
    assert again.dumps() == plan.dumps()


def test_a_change_is_built_by_keyword_only() -> None:
    change = Change(action="delete", id="x", type="text", title="X", reason="gone")
    assert (change.path, change.batch, change.doc_id, change.hash, change.status) == (
        None, None, None, None, None,
    )  # fmt: skip
    with pytest.raises(TypeError):
        Change("delete", "x", "text", "X", "gone")  # type: ignore[misc]


_TITLES = st.sampled_from(["Plans", "plans ", "PLANS", "Trial", "How long?", " how  long? "])


@given(
    docs=st.lists(
        st.builds(
            RemoteSummary,
            doc_id=st.sampled_from([f"doc_{n}" for n in range(8)]),
            type=st.sampled_from(["text", "qa", "file"]),
            title=_TITLES,
            status=st.just("active"),
            question=st.none() | _TITLES,
        ),
        max_size=12,
    ),
    doc_type=st.sampled_from(["text", "qa"]),
    title=_TITLES,
    question=st.none() | _TITLES,
    claimed=st.sets(st.sampled_from([f"doc_{n}" for n in range(8)])),
)
def test_the_match_index_finds_what_a_scan_of_the_listing_finds(
    docs: list[RemoteSummary], doc_type: str, title: str, question: str | None, claimed: set[str]
) -> None:
    found = MatchIndex(docs).candidates(doc_type, title, question, claimed)
    assert found == candidates(docs, doc_type, title, question, claimed)


def test_a_record_naming_a_document_of_another_type_is_matched_again_not_overwritten() -> None:
    """A hand-edited state gives the welcome page the id of a Q&A entry: `--refresh` used to
    plan "edited in Uppzy: restore it", overwriting that entry with the page."""
    want = _item("docs.welcome", "Welcome", "Hello.")
    state = TargetState(target=TARGET, entries={want.id: _entry(want, "doc_qa")})
    remote = [
        RemoteSummary("doc_qa", "qa", "How do I log in?", "active", None, "How do I log in?"),
        _remote(want, "doc_page", status="active"),
    ]
    desired = DesiredSet(items={want.id: want})
    plan = make_plan(desired, state, head_commit="1" * 40, remote=remote, refresh=True)
    assert [(c.action, c.id, c.doc_id) for c in plan.changes] == [
        ("adopt", "docs.welcome", "doc_page")
    ]
    assert plan.drift == [
        "docs.welcome: the record names document doc_qa, which is a qa document, not text: "
        "matched again"
    ]


def test_a_record_naming_a_same_type_document_with_another_title_is_matched_again() -> None:
    """A hand-edited record gives the pricing page the id of a page someone made in Uppzy's
    dashboard: `--refresh` used to plan "edited in Uppzy: restore it", overwriting it."""
    pricing = _item("docs.pricing", "Pricing", "Plans cost money.")
    state = TargetState(target=TARGET, entries={pricing.id: _entry(pricing, "doc_handmade")})
    handmade = RemoteSummary("doc_handmade", "text", "Holiday opening", "active", "f" * 64, None)
    remote = [handmade, _remote(pricing, "doc_pricing", status="active")]
    plan = make_plan(DesiredSet(items={pricing.id: pricing}), state, head_commit="1" * 40,
                     remote=remote, refresh=True)  # fmt: skip
    assert [(c.action, c.id, c.doc_id) for c in plan.changes] == [
        ("adopt", "docs.pricing", "doc_pricing")
    ]
    assert plan.drift == [
        "docs.pricing: the record names document doc_handmade, titled 'Holiday opening', "
        "neither this item's title nor the one last synced: matched again (that document is "
        "left as it is)"
    ]
    assert [doc.doc_id for doc in plan.unmanaged] == ["doc_handmade"]


@pytest.mark.parametrize("title", ["Pricing", "  PRICING ", "Prices (old title)"])
def test_a_document_bearing_the_items_title_now_or_as_last_synced_is_restored(title: str) -> None:
    """Content edited by hand in Uppzy is drift: the document keeps the title kbsync gave it
    (or the item's new title), so it is this item's and is restored."""
    pricing = _item("docs.pricing", "Pricing", "Plans cost money.")
    entry = _entry(pricing, "doc_pricing", hash="0" * 64)
    entry.title = "Prices (old title)"
    state = TargetState(target=TARGET, entries={pricing.id: entry})
    edited = RemoteSummary("doc_pricing", "text", title, "active", "e" * 64, None)
    plan = make_plan(DesiredSet(items={pricing.id: pricing}), state, head_commit="1" * 40,
                     remote=[edited], refresh=True)  # fmt: skip
    assert [(c.action, c.doc_id) for c in plan.changes if c.action != "rename"] == [
        ("update", "doc_pricing")
    ]


def _variants() -> tuple[DesiredSet, TargetState]:
    """Items carried over from the state (no payload), each recorded with one difference from
    what is wanted — or none — and the scenario's items besides."""
    desired, state, _ = scenario()
    base = _item("k.base", "Kept", "Unchanged file.")
    differences: dict[str, dict[str, str]] = {
        "k.same": {},
        "k.no-doc": {"doc_id": ""},
        "k.hash": {"hash": "other"},
        "k.path": {"path": "content/docs/elsewhere.md"},
        "k.batch": {"batch": "late"},
        "k.draft": {"status": DRAFT},
        "k.wants-draft": {"want_status": DRAFT},
        "k.both-draft": {"status": DRAFT, "want_status": DRAFT},
    }
    for item_id, diff in differences.items():
        want = DesiredItem(
            id=item_id, path=base.path, batch=base.batch, hash=base.hash,
            status=diff.get("want_status", ACTIVE), type=base.type, title=base.title,
        )  # fmt: skip
        desired.items[item_id] = want
        state.entries[item_id] = Entry(
            doc_id=diff.get("doc_id", f"doc_{item_id}"), hash=diff.get("hash", want.hash),
            status=diff.get("status", ACTIVE), type=want.type, title=want.title,
            path=diff.get("path", want.path), batch=diff.get("batch", want.batch),
        )  # fmt: skip
    return desired, state


@pytest.mark.parametrize("listing", ["offline", "listed", "refreshed"])
def test_the_one_step_unchanged_check_plans_what_the_full_comparison_plans(
    monkeypatch: pytest.MonkeyPatch, listing: str
) -> None:
    """An item the state records exactly as wanted is counted unchanged in one comparison;
    every other item (one field different, no document, the listing checked) must still get
    what the full comparison gives it, change for change and byte for byte."""
    import pipeline.sync.plan as plan_module

    def planned() -> Plan:
        desired, state = _variants()
        _, _, remote = scenario()
        return make_plan(
            desired,
            state,
            head_commit="1" * 40,
            remote=None if listing == "offline" else remote,
            refresh=listing == "refreshed",
        )

    quick = planned()
    monkeypatch.setattr(plan_module, "_as_recorded", lambda want, entry: False)
    full = planned()
    assert quick.dumps() == full.dumps()
    assert (quick.unchanged, quick.drift) == (full.unchanged, full.drift)
    changed = {c.id for c in quick.changes}
    assert {"k.hash", "k.path", "k.batch", "k.draft", "k.wants-draft"} <= changed
    if listing != "refreshed":  # refreshed, documents missing from the listing are recreated
        assert "k.same" not in changed and "k.both-draft" not in changed
