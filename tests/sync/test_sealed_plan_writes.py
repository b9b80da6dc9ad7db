"""Sealed plans beyond payloads: every write a saved plan makes must be one its commit makes.

A plan file is JSON anyone with the artefact can edit. Changing a payload is refused
(`test_sealed_plan.py`); so is adding a delete the commit does not justify, pointing a change at
another item's document, planning an item twice, or retargeting the plan to a site its commit
does not route the items to. Each is refused with exit 1 naming the item, and nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.config import load_settings
from pipeline.sandbox import Sandbox
from tests.helpers import commit_all, doc, git
from tests.sync.test_payload_gate import Run, kb, make_repo, stored

__all__ = ["kb"]


def synced(tmp_path: Path, kb: Run) -> Path:
    root = make_repo(tmp_path, {"returns": "Returns take 14 days."})
    assert kb(root, "sync", "--yes").exit_code == 0
    return root


def state_doc_ids(root: Path) -> dict[str, str]:
    [path] = (root / ".kbsync").rglob("s_local.json")
    entries = json.loads(path.read_text())["entries"]
    return {k: v["doc_id"] for k, v in entries.items()}


def plan_file(root: Path, kb: Run, *args: str) -> tuple[Path, dict[str, Any]]:
    out = root / "plan.json"
    result = kb(root, "plan", "--offline", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return out, json.loads(out.read_text())


def change(action: str, item_id: str, doc_id: str, path: str | None = None) -> dict[str, Any]:
    return {
        "action": action,
        "id": item_id,
        "type": "document",
        "title": "About returns",
        "reason": "no longer in the desired set",
        "path": path,
        "batch": "core",
        "doc_id": doc_id,
        "hash": None,
        "status": None,
    }


def titles(root: Path) -> list[str]:
    return sorted(str(d["title"]) for d in stored(root))


def apply(root: Path, kb: Run, out: Path, data: dict[str, Any], *args: str) -> Any:
    out.write_text(json.dumps(data))
    return kb(root, "sync", "--plan", str(out), "--yes", *args)


def test_a_forged_delete_of_an_approved_item_is_refused(tmp_path: Path, kb: Run) -> None:
    root = synced(tmp_path, kb)
    ids = state_doc_ids(root)
    out, data = plan_file(root, kb)
    data["changes"].append(change("delete", "docs.returns", ids["docs.returns"], "x"))
    commit = data["head_commit"][:12]

    result = apply(root, kb, out, data)

    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: local/s_local: the plan writes 1 change(s) that commit {commit} does not make: "
        "docs.returns (delete): content/docs/returns.md still holds it, approved for this "
        "target; nothing was written\n"
        "  hint: the plan file was edited: make a new plan and review it again\n"
    )
    assert titles(root) == ["About returns", "Lockers"]


def test_a_forged_delete_of_a_moved_item_is_refused(tmp_path: Path, kb: Run) -> None:
    """The item left the path the state records, but lives on elsewhere at the commit."""
    root = synced(tmp_path, kb)
    ids = state_doc_ids(root)
    git(root, "mv", "content/docs/returns.md", "content/docs/refunds.md")
    commit_all(root, "move")
    out, data = plan_file(root, kb)
    data["changes"] = [change("delete", "docs.returns", ids["docs.returns"])]

    result = apply(root, kb, out, data)

    assert result.exit_code == 1, result.output
    assert "docs.returns (delete): content/docs/refunds.md still holds it" in result.stderr
    assert titles(root) == ["About returns", "Lockers"]


def test_a_delete_pointed_at_another_items_document_is_refused(tmp_path: Path, kb: Run) -> None:
    """A genuine delete (the file is gone) whose doc id is swapped for the lockers' document."""
    root = synced(tmp_path, kb)
    ids = state_doc_ids(root)
    git(root, "rm", "-q", "content/docs/returns.md")
    commit_all(root, "remove returns")
    out, data = plan_file(root, kb)
    [delete] = data["changes"]
    assert delete["action"] == "delete" and delete["doc_id"] == ids["docs.returns"]
    delete["doc_id"] = ids["docs.lockers"]

    result = apply(root, kb, out, data)

    assert result.exit_code == 1, result.output
    assert (
        f"docs.returns (delete): document {ids['docs.lockers']} is not the one kbsync holds "
        f"for it ({ids['docs.returns']})"
    ) in result.stderr
    assert titles(root) == ["About returns", "Lockers"]


def test_a_genuine_delete_still_applies(tmp_path: Path, kb: Run) -> None:
    root = synced(tmp_path, kb)
    git(root, "rm", "-q", "content/docs/returns.md")
    commit_all(root, "remove returns")
    out, data = plan_file(root, kb)
    result = apply(root, kb, out, data, "--allow-mass-delete")
    assert result.exit_code == 0, result.output
    assert titles(root) == ["Lockers"]


def test_a_forged_prune_of_a_managed_document_is_refused(tmp_path: Path, kb: Run) -> None:
    root = synced(tmp_path, kb)
    lockers = state_doc_ids(root)["docs.lockers"]
    out, data = plan_file(root, kb)
    data["changes"].append(change("delete", lockers, lockers))
    result = apply(root, kb, out, data)
    assert result.exit_code == 1, result.output
    assert f"{lockers} (delete): document {lockers} is docs.lockers's, not unmanaged" in (
        result.stderr
    )
    assert titles(root) == ["About returns", "Lockers"]


def test_an_update_aimed_at_another_items_document_is_refused(tmp_path: Path, kb: Run) -> None:
    """The reviewed text, sent over the lockers' document: the seal checks the doc id too."""
    root = synced(tmp_path, kb)
    ids = state_doc_ids(root)
    path = root / "content/docs/returns.md"
    path.write_text(doc("docs.returns", "About returns", "Returns take 30 days."))
    commit_all(root, "30 days")
    out, data = plan_file(root, kb)
    [update] = data["changes"]
    assert update["action"] == "update"
    update["doc_id"] = ids["docs.lockers"]

    result = apply(root, kb, out, data)

    assert result.exit_code == 1, result.output
    assert f"docs.returns (update): document {ids['docs.lockers']} is not its document" in (
        result.stderr
    )
    assert "Lockers open at 7 am." in str(stored(root))


def test_a_create_planned_twice_is_refused(tmp_path: Path, kb: Run) -> None:
    """A duplicated create line would make two documents: the one failure kbsync exists to
    prevent."""
    root = make_repo(tmp_path, {})
    out, data = plan_file(root, kb)
    data["changes"].append(dict(data["changes"][0]))
    result = apply(root, kb, out, data)
    assert result.exit_code == 1, result.output
    assert "docs.lockers (create): planned twice" in result.stderr
    assert titles(root) == []


def test_a_plan_retargeted_to_a_site_its_commit_does_not_route_is_refused(
    tmp_path: Path, kb: Run
) -> None:
    root = make_repo(tmp_path, {})
    config = root / "kbsync.toml"
    config.write_text(
        config.read_text() + '\n[environments.local.sites.s_staff]\naudiences = ["internal"]\n'
    )
    commit_all(root, "a staff site")
    out, data = plan_file(root, kb, "--site", "s_local")
    data["target"]["site"] = "s_staff"

    result = apply(root, kb, out, data, "--site", "s_staff")

    assert result.exit_code == 1, result.output
    assert "docs.lockers (create): site s_staff does not take public content" in result.stderr
    env = load_settings(root).environment("local")
    with Sandbox(root / env.sandbox_db) as box:
        assert box.documents("s_staff") == []


def test_a_forged_activate_of_a_rolled_back_batch_is_refused(tmp_path: Path, kb: Run) -> None:
    root = synced(tmp_path, kb)
    ids = state_doc_ids(root)
    held = kb(root, "rollback", "--env", "local", "--batch", "core")
    assert held.exit_code == 0, held.output
    out, data = plan_file(root, kb)
    data["changes"].append(
        change("activate", "docs.returns", ids["docs.returns"], "content/docs/returns.md")
    )
    result = apply(root, kb, out, data)
    assert result.exit_code == 1, result.output
    assert "docs.returns (activate): its batch wants it draft" in result.stderr


def test_a_forged_adopt_of_a_document_kbsync_does_not_manage_is_refused(
    tmp_path: Path, kb: Run
) -> None:
    """An adopt sends nothing, but the update after it would overwrite a hand-made document."""
    root = make_repo(tmp_path, {"returns": "Returns take 14 days.", "extra": "Hand-kept page."})
    assert kb(root, "sync", "--yes").exit_code == 0
    ids = state_doc_ids(root)
    git(root, "rm", "-q", "content/docs/extra.md")
    commit_all(root, "extra is kept by hand from now on")
    [state] = (root / ".kbsync").rglob("s_local.json")
    data = json.loads(state.read_text())
    del data["entries"]["docs.extra"]  # the site keeps it, unmanaged
    state.write_text(json.dumps(data))
    root.joinpath("content/docs/returns.md").write_text(
        doc("docs.returns", "About returns", "Returns take 30 days.")
    )
    commit_all(root, "30 days")
    out, plan = plan_file(root, kb)
    [update] = plan["changes"]
    adopt = dict(update, action="adopt", doc_id=ids["docs.extra"], status="active")
    plan["changes"] = [adopt, dict(update, doc_id=ids["docs.extra"])]

    result = apply(root, kb, out, plan)

    assert result.exit_code == 1, result.output
    assert (
        f"docs.returns (adopt): document {ids['docs.extra']} is not of its type and title"
    ) in result.stderr
    assert "Hand-kept page." in str(stored(root))


def unmanaged_extra(tmp_path: Path, kb: Run) -> tuple[Path, str]:
    """A repository whose site holds "About extra", a document kbsync no longer manages."""
    root = make_repo(tmp_path, {"returns": "Returns take 14 days.", "extra": "Hand-kept page."})
    assert kb(root, "sync", "--yes").exit_code == 0
    extra = state_doc_ids(root)["docs.extra"]
    git(root, "rm", "-q", "content/docs/extra.md")
    commit_all(root, "extra is kept by hand from now on")
    [state] = (root / ".kbsync").rglob("s_local.json")
    data = json.loads(state.read_text())
    del data["entries"]["docs.extra"]
    state.write_text(json.dumps(data))
    return root, extra


def test_a_prune_added_to_a_plan_is_applied_only_with_prune(tmp_path: Path, kb: Run) -> None:
    """No commit justifies deleting a hand-made document: whoever applies it says --prune."""
    root, extra = unmanaged_extra(tmp_path, kb)
    out, data = plan_file(root, kb)
    assert data["changes"] == []
    data["changes"] = [dict(change("delete", extra, extra), title="About extra")]

    result = apply(root, kb, out, data)

    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: local/s_local: the plan deletes 1 document(s) kbsync does not manage: {extra} "
        "(About extra); nothing was written\n"
        "  hint: apply it with --prune if that is meant, or make a new plan without --prune\n"
    )
    assert "About extra" in titles(root)


def test_a_plan_made_with_prune_applies_with_prune(tmp_path: Path, kb: Run) -> None:
    root, _extra = unmanaged_extra(tmp_path, kb)
    out = root / "plan.json"
    made = kb(root, "plan", "--prune", "--out", str(out))
    assert made.exit_code == 0, made.output
    result = kb(root, "sync", "--plan", str(out), "--yes", "--prune", "--allow-mass-delete")
    assert result.exit_code == 0, result.output
    assert titles(root) == ["About returns", "Lockers"]


def test_a_plan_with_an_unknown_action_or_a_payloads_list_is_one_line(
    tmp_path: Path, kb: Run
) -> None:
    root = make_repo(tmp_path, {})
    out, data = plan_file(root, kb)
    data["changes"][0]["action"] = "purge"
    result = apply(root, kb, out, data)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {out}: change 'docs.lockers' has action 'purge', not one of create, adopt, "
    )
    out, data = plan_file(root, kb)
    data["payloads"] = []
    result = apply(root, kb, out, data)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {out}: not a kbsync plan (AttributeError: ")
    assert titles(root) == []
