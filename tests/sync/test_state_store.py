"""Both state stores: round trip, compare-and-swap, the git ref's history and its remote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.sync.state import (
    Claim,
    Entry,
    StaleStateError,
    StateError,
    TargetState,
    new_claim,
)
from pipeline.sync.store import FileStateStore, GitStateStore, StateStore
from pipeline.targets import Target
from tests.helpers import commit_all, git, write_repo

TARGET = Target("staging", "s_help", "t_acme")


def _stores(tmp_path: Path) -> list[StateStore]:
    repo = write_repo(tmp_path / "repo", {"README.md": "x\n"})
    commit_all(repo)
    return [FileStateStore(tmp_path / "state"), GitStateStore(repo)]


@pytest.mark.parametrize("kind", ["file", "git"])
def test_round_trip_and_compare_and_swap(tmp_path: Path, kind: str) -> None:
    store = _stores(tmp_path)[0 if kind == "file" else 1]
    state = store.load(TARGET)
    assert state.revision == 0 and state.entries == {}
    state.entries["qa.a"] = Entry("doc_1", "h1", "active", "qa", "A?", "content/qa/a.md", "core")
    store.save(state)
    assert state.revision == 1
    mine = store.load(TARGET)
    theirs = store.load(TARGET)
    assert mine.entries == state.entries
    theirs.commit = "abc"
    store.save(theirs)
    mine.commit = "def"
    with pytest.raises(StaleStateError, match="another sync"):
        store.save(mine)
    assert store.load(TARGET).commit == "abc"
    assert mine.revision == 1  # a refused save leaves the caller's revision as it was


def test_git_store_history_is_the_deploy_log(tmp_path: Path) -> None:
    store = _stores(tmp_path)[1]
    assert isinstance(store, GitStateStore)
    state = store.load(TARGET)
    store.save(state, "kbsync sync staging/s_help: 3 created")
    store.save(state, "kbsync sync staging/s_help: 1 updated")
    log = git(tmp_path / "repo", "log", "--format=%s", "refs/kbsync/staging/s_help")
    assert log.splitlines() == [
        "kbsync sync staging/s_help: 1 updated",
        "kbsync sync staging/s_help: 3 created",
    ]
    # The content branch is untouched.
    assert git(tmp_path / "repo", "log", "--format=%s", "main").splitlines() == ["change"]


def test_git_store_shares_state_through_a_remote(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    runners = []
    for name in ("runner-a", "runner-b"):
        repo = write_repo(tmp_path / name, {"README.md": "x\n"})
        commit_all(repo)
        git(repo, "remote", "add", "origin", str(remote))
        runners.append(GitStateStore(repo, remote="origin"))
    a, b = runners
    state_a = a.load(TARGET)
    state_a.commit = "from-a"
    a.save(state_a)
    state_b = b.load(TARGET)
    assert state_b.commit == "from-a" and state_b.revision == 1
    stale = a.load(TARGET)
    state_b.commit = "from-b"
    b.save(state_b)
    stale.commit = "late"
    with pytest.raises(StaleStateError):
        a.save(stale)
    assert a.load(TARGET).commit == "from-b"


def test_corrupt_state_is_a_clear_error(tmp_path: Path) -> None:
    store = FileStateStore(tmp_path / "state")
    path = store.path(TARGET)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(StateError, match="cannot read the sync state"):
        store.load(TARGET)
    path.write_text('{"version": 99}')
    with pytest.raises(StateError, match="state version 99"):
        store.load(TARGET)


def test_claims_of_dead_processes_are_stale() -> None:
    live = new_claim()
    assert not live.is_stale()
    dead = Claim(run="x", host=live.host, pid=2**22 + 12345, at=live.at)
    assert dead.is_stale()
    old = Claim(run="y", host="elsewhere", pid=1, at="2020-01-01T00:00:00Z")
    assert old.is_stale()


def test_state_json_round_trip() -> None:
    state = TargetState(target=TARGET, revision=3, commit="c")
    state.entries["a"] = Entry("d", "h", "draft", "text", "T", "p", None)
    again = TargetState.from_json(state.to_json(), "x")
    assert again.to_json() == state.to_json()


# --- records as kbsync writes them take a one-step check; anything else the field-by-field one ---

_WRONG = {"number": 5, "boolean": True, "null": None, "array": [], "object": {}, "float": 1.5}


def _written_state() -> dict[str, object]:
    state = TargetState(target=TARGET, revision=3, commit="c")
    state.entries["docs.a"] = Entry("d1", "h1", "active", "text", "A", "content/docs/a.md", "b1")
    state.entries["docs.b"] = Entry("d2", "h2", "draft", "qa", "B", "content/qa/b.md", None)
    state.claim = Claim(run="r", host="h", pid=7, at="2026-12-07T10:00:00Z")
    return state.to_json()


@pytest.mark.parametrize("field", ["doc_id", "hash", "status", "type", "title", "path", "batch"])
@pytest.mark.parametrize("wrong", sorted(_WRONG))
def test_an_entry_in_written_order_with_a_value_of_another_type_is_refused_by_name(
    field: str, wrong: str
) -> None:
    """Every field in its place, as kbsync writes it, but one holds another JSON type: the
    quick check must not let it through (`null` is a batch's own value)."""
    data = _written_state()
    entries = data["entries"]
    assert isinstance(entries, dict)
    entries["docs.b"][field] = _WRONG[wrong]
    if field == "batch" and wrong == "null":
        assert TargetState.from_json(data, "x").entries["docs.b"].batch is None
        return
    with pytest.raises(
        StateError, match=rf"x: cannot read the sync state: entries\.'docs\.b'\.{field}: "
    ):
        TargetState.from_json(data, "x")


@pytest.mark.parametrize("wrong", ["boolean", "float", "null"])
def test_a_claim_in_written_order_whose_pid_is_not_a_whole_number_is_refused(wrong: str) -> None:
    data = _written_state()
    claim = data["claim"]
    assert isinstance(claim, dict)
    claim["pid"] = _WRONG[wrong]
    with pytest.raises(StateError, match=r"claim\.pid: a (boolean|JSON number|JSON null) where"):
        TargetState.from_json(data, "x")


def test_a_hand_edited_state_with_its_keys_reordered_reads_the_same() -> None:
    """`jq -S` sorts every object's keys: the records are no longer in the order kbsync writes
    them, and must still load, checked field by field, to the same state."""
    data = _written_state()
    reordered = json.loads(json.dumps(data, sort_keys=True))
    assert TargetState.from_json(reordered, "x") == TargetState.from_json(data, "x")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda e: e.update(extra="x"), "entries.'docs.a': unknown field 'extra'"),
        (lambda e: e.pop("hash"), "entries.'docs.a': missing field 'hash'"),
        (lambda e: e.update(status="gone"), "entries.'docs.a'.status: 'gone' is not one of"),
        (lambda e: e.update(doc_id="d2"), "entries 'docs.a' and 'docs.b' both hold document"),
    ],
)
def test_an_entry_with_a_field_added_removed_or_out_of_range_is_refused_by_name(
    change: Any, why: str
) -> None:
    data = _written_state()
    entries = data["entries"]
    assert isinstance(entries, dict)
    change(entries["docs.a"])
    with pytest.raises(StateError) as raised:
        TargetState.from_json(data, "x")
    assert why in str(raised.value)
