"""The SQLite file: persistence across restarts, WAL, and clear errors for bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from pipeline.errors import ConfigError
from pipeline.sandbox import IN_PROCESS_BASE_URL, KeyRing, Sandbox


def test_state_survives_a_restart(tmp_path: Path, keys: KeyRing) -> None:
    db = tmp_path / "state" / "sandbox.sqlite3"
    with Sandbox(db, keys=keys) as first:
        client = httpx.Client(
            base_url=IN_PROCESS_BASE_URL,
            transport=first.transport(),
            headers={"X-API-Key": "key-acme"},
        )
        created = client.post(
            "/m2m/sites/s_help/documents/text", json={"title": "Kept", "content": "x"}
        ).json()
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Sandbox(db, keys=keys) as second:
        assert [d["id"] for d in second.documents("s_help")] == [created["id"]]


def test_a_database_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError) as caught:
        Sandbox(db)
    assert caught.value.message == (f"{db}: sandbox database has schema version 99, expected 1")
    assert caught.value.hint == "delete the file or pass another --db"


def test_a_file_that_is_not_a_database_is_a_config_error(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("not a database, just text that is long enough to have a header " * 20)
    with pytest.raises(ConfigError, match=r"notes\.txt: cannot open the sandbox database"):
        Sandbox(db)
