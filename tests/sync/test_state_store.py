"""Both state stores: round trip, compare-and-swap, the git ref's history and its remote."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
