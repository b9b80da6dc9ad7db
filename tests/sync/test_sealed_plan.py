"""Sealed plans (issue 12, item 2) and plan files that hold the content (item 9).

`kbsync sync --plan` re-derives every payload from the commit the plan names and refuses a plan
whose payloads differ (an edited file), whose commit is unknown, or that is not sealed.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from pipeline import __version__
from pipeline.sync.payload import PAYLOAD_FORMAT
from tests.helpers import commit_all, doc
from tests.sync.test_payload_gate import AWS, SPLIT, Run, kb, kbsync_bytes, make_repo, stored

__all__ = ["kb"]

HOLDS = (
    "warning: {} holds the full text of every item it sends: keep it as private as the content\n"
)


def saved_plan(root: Path, kb: Run) -> tuple[Path, dict[str, object]]:
    out = root / "plan.json"
    result = kb(root, "plan", "--offline", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, json.loads(out.read_text())


def test_a_saved_plan_records_its_seal_and_is_private(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"returns": "Returns take 14 days."})
    out = root / "plan.json"
    out.write_text("old")
    out.chmod(0o644)
    result = kb(root, "plan", "--offline", "--out", str(out))
    assert result.exit_code == 0
    assert result.stderr == HOLDS.format(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = json.loads(out.read_text())
    head = commit_all(root, "nothing")  # --allow-empty: a new HEAD; the plan keeps its own
    assert data["version"] == 2
    assert data["kbsync_version"] == __version__
    assert data["payload_format"] == PAYLOAD_FORMAT
    assert len(data["head_commit"]) == 40 and data["head_commit"] != head
    hashes = {c["id"]: c["hash"] for c in data["changes"] if c["action"] == "create"}
    assert sorted(hashes) == ["docs.lockers", "docs.returns"] and all(hashes.values())


def test_plan_json_on_stdout_warns_it_holds_the_content(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {})
    result = kb(root, "plan", "--offline", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == HOLDS.format("the plan JSON")
    assert "Lockers open at 7 am." in result.stdout


def test_an_untouched_sealed_plan_applies(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"returns": "Returns take 14 days."})
    out, _ = saved_plan(root, kb)
    result = kb(root, "sync", "--plan", str(out), "--yes")
    assert result.exit_code == 0, result.output
    assert sorted(str(d["title"]) for d in stored(root)) == ["About returns", "Lockers"]


def test_an_edited_payload_is_refused_and_the_site_untouched(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"returns": "Returns take 14 days."})
    out, data = saved_plan(root, kb)
    payloads = data["payloads"]
    assert isinstance(payloads, dict)
    payloads["docs.returns"]["content"] = "Returns take 90 days. Visit https://evil.example/"
    out.write_text(json.dumps(data))

    result = kb(root, "sync", "--plan", str(out), "--yes")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: local/s_local: the plan's payloads for 1 item(s) differ from what commit "
        f"{str(data['head_commit'])[:12]} makes: docs.returns; nothing was written\n"
    )
    assert stored(root) == []


def test_a_tampered_hash_and_payload_together_are_still_refused(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"returns": "Returns take 14 days."})
    out, data = saved_plan(root, kb)
    payloads = data["payloads"]
    changes = data["changes"]
    assert isinstance(payloads, dict) and isinstance(changes, list)
    payloads["docs.returns"]["content"] = "Returns take 90 days.\n"
    for change in changes:  # a careful forger recomputes nothing kbsync can check against
        if change["id"] == "docs.returns":
            change["hash"] = "0" * 64
    out.write_text(json.dumps(data))
    result = kb(root, "sync", "--plan", str(out), "--yes")
    assert result.exit_code == 1 and "docs.returns" in result.stderr
    assert stored(root) == []


def test_a_plan_from_uncommitted_changes_warns_then_is_refused(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"returns": "Returns take 14 days."})
    (root / "content/docs/returns.md").write_text(doc("docs.returns", "About returns", "30 days."))
    out = root / "plan.json"
    result = kb(root, "plan", "--offline", "--out", str(out))
    assert result.exit_code == 0
    assert "warning: 1 item(s) differ from commit" in result.stderr
    assert "(uncommitted changes: docs.returns)" in result.stderr
    refused = kb(root, "sync", "--plan", str(out), "--yes")
    assert refused.exit_code == 1 and "docs.returns" in refused.stderr
    assert stored(root) == []


def test_a_plan_whose_commit_is_unknown_is_a_clear_error(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {})
    out, data = saved_plan(root, kb)
    data["head_commit"] = "1234567890abcdef1234567890abcdef12345678"
    out.write_text(json.dumps(data))
    result = kb(root, "sync", "--plan", str(out), "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: local/s_local: the plan's commit 1234567890ab is unknown to this repository\n"
        "  hint: fetch it (git fetch, or a full clone instead of a shallow one), or make a new "
        "plan from this checkout\n"
    )
    assert stored(root) == []


def test_an_unsealed_plan_is_refused(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {})
    out, data = saved_plan(root, kb)
    data["version"] = 1
    del data["kbsync_version"], data["payload_format"]
    out.write_text(json.dumps(data))
    result = kb(root, "sync", "--plan", str(out), "--yes")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {out}: plan version 1 is not 2 (an unsealed plan")
    assert stored(root) == []


def test_sync_plan_gates_the_rederived_payloads(tmp_path: Path, kb: Run) -> None:
    """A plan made while a value was allowed is blocked when the allow list no longer has it."""
    root = make_repo(tmp_path, {"aws": SPLIT["aws"][0]})
    config = root / "kbsync.toml"
    plain = config.read_text()
    config.write_text(plain + f'\n[lint.secrets]\nallow = ["{AWS}"]\n')
    out, data = saved_plan(root, kb)
    assert "docs.aws" in str(data["payloads"])
    config.write_text(plain)  # the allow list is gone by the time the plan is applied

    result = kb(root, "sync", "--plan", str(out), "--yes")

    assert result.exit_code == 1, result.output
    assert "blocked docs.aws:" in result.stdout
    assert "content/docs/aws.md:9: secrets.cloud-key: AWS access key ID (AKIA…2XM)" in result.stdout
    assert sorted(str(d["title"]) for d in stored(root)) == ["Lockers"]
    assert AWS.encode() not in kbsync_bytes(root)


def test_a_sealed_plan_with_shortcode_links_re_derives_the_same_public_urls(
    tmp_path: Path, kb: Run
) -> None:
    root = make_repo(
        tmp_path,
        {
            "returns": 'See [lockers]({{< relref "lockers.md" >}}) {{< figure src="x.png" >}}.',
        },
    )
    config = root / "kbsync.toml"
    config.write_text(config.read_text() + 'public_base_url = "https://help.example"\n')
    commit_all(root, "publish")
    out, data = saved_plan(root, kb)
    payloads = data["payloads"]
    assert isinstance(payloads, dict)
    sent = "See lockers (https://help.example/docs/lockers/) ."
    assert payloads["docs.returns"]["content"] == f"About returns\n\n{sent}\n"

    result = kb(root, "sync", "--plan", str(out), "--yes")

    assert result.exit_code == 0, result.output
    contents = {str(d["title"]): str(d["content"]) for d in stored(root)}
    assert sent in contents["About returns"]
