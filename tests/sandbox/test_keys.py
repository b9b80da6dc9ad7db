"""Keys files: validation with clear errors, hashed storage, lookups."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import ConfigError
from pipeline.sandbox import Limits, Scope, generate_dev_key, load_keys_file, parse_keys


def test_a_keys_file_gives_scopes_by_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {
                "keys": {
                    "secret-1": {
                        "tenant_id": "t_acme",
                        "site_ids": ["s_help", "s_help", "s_shop"],
                        "limits": {"documents": 10},
                    }
                }
            }
        )
    )
    ring = load_keys_file(path)
    scope = ring.lookup("secret-1")
    assert scope == Scope(
        tenant_id="t_acme",
        site_ids=("s_help", "s_shop"),
        plan="level2",
        limits=Limits(documents=10),
    )
    assert ring.lookup("secret-2") is None
    assert ring.lookup("") is None
    # Only digests are kept.
    assert b"secret-1" not in repr(ring).encode()


def test_a_key_may_be_given_as_its_sha256_digest() -> None:
    digest = hashlib.sha256(b"plain-key").hexdigest()
    ring = parse_keys({"keys": {f"sha256:{digest}": {"tenant_id": "t", "site_ids": ["s"]}}})
    assert ring.lookup("plain-key") is not None
    assert ring.lookup(f"sha256:{digest}") is None


def test_a_generated_dev_key_is_for_t_local_and_s_local() -> None:
    key, ring = generate_dev_key()
    assert key.startswith("sbx_") and len(key) > 30
    assert ring.lookup(key) == Scope.local()
    assert generate_dev_key()[0] != key


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "no keys defined"),
        ({"keys": {}}, "no keys defined"),
        ({"keys": {"k": []}}, "key #1: expected an object"),
        ({"keys": {"k": {"site_ids": ["s"]}}}, "key #1: tenant_id must be an id like 't_acme'"),
        (
            {"keys": {"k": {"tenant_id": "t a", "site_ids": ["s"]}}},
            "key #1: tenant_id must be an id like 't_acme'",
        ),
        (
            {"keys": {"k": {"tenant_id": "t", "site_ids": []}}},
            "key #1: site_ids must be a non-empty list",
        ),
        (
            {"keys": {"k": {"tenant_id": "t", "site_ids": ["s"], "plan": "gold"}}},
            "key #1: plan must be one of level1, level2, level3",
        ),
        (
            {"keys": {"k": {"tenant_id": "t", "site_ids": ["s"], "extra": 1}}},
            "key #1: unknown field(s) extra",
        ),
        (
            {"keys": {"k": {"tenant_id": "t", "site_ids": ["s"], "limits": {"documents": -1}}}},
            "key #1: limits.documents must be a non-negative integer",
        ),
        (
            {"keys": {"k": {"tenant_id": "t", "site_ids": ["s"], "limits": {"pages": 1}}}},
            "key #1: unknown limit(s) pages",
        ),
        (
            {"keys": {"sha256:abc": {"tenant_id": "t", "site_ids": ["s"]}}},
            "key #1: a 'sha256:' key needs 64 hex digits",
        ),
        (
            {
                "keys": {
                    "a": {"tenant_id": "t1", "site_ids": ["s"]},
                    "b": {"tenant_id": "t2", "site_ids": ["s"]},
                }
            },
            "key #2: site 's' already belongs to tenant 't1'",
        ),
        (
            {
                "keys": {
                    "a": {"tenant_id": "t", "site_ids": ["s"]},
                    "b": {"tenant_id": "t", "site_ids": ["s"], "plan": "level3"},
                }
            },
            "key #2: tenant 't' has a different plan or limits than an earlier key",
        ),
    ],
)
def test_bad_keys_documents_are_config_errors(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_keys(document, source="keys.json")
    assert caught.value.message.startswith(f"keys.json: {message}")
    assert caught.value.exit_code == 2


def test_keys_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.json: keys file not found"):
        load_keys_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"keys":\n  {"k": }\n}')
    with pytest.raises(ConfigError) as caught:
        load_keys_file(broken)
    assert caught.value.message == f"{broken}:2: not valid JSON: Expecting value"


def test_error_messages_never_show_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_keys({"keys": {"super-secret-value": {"tenant_id": "t"}}})
    assert "super-secret-value" not in str(caught.value)
