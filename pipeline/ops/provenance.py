"""What a staging smoke ran with, so the promotion gate accepts it only for that.

A smoke proves one combination: a content commit, a kbsync version, the environment settings
that decide what is served, and one API key. The record keeps each (the commit as it is; the
settings as one short hash per part, so the gate can say which part changed; the key as a
salted, truncated hash — never the key itself), and the gate asks for a new smoke when any of
them differs from what a sync would use now.

The settings that matter for what is served: `base_url`, `tenant_id`, `integration` (the name
Uppzy files the documents under), every site with its audiences, and the `[environments.E.api]`
table (pagination, status words). Timeouts, retries, concurrency and the state store are left
out: they change how kbsync talks to Uppzy, not what the assistant serves.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from typing import Any

from pipeline import __version__
from pipeline.config import EnvironmentConfig

HASH_CHARS = 16
"""Hex characters kept of each hash: enough to notice a change, too few to search for a key."""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:HASH_CHARS]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def settings_parts(env: EnvironmentConfig) -> dict[str, str]:
    """One short hash per part of `env` that decides what the assistant serves."""
    api = getattr(env, "api", None)  # `[environments.E.api]`, where this kbsync has it
    api_value = api
    if dataclasses.is_dataclass(api) and not isinstance(api, type):
        api_value = dataclasses.asdict(api)
    parts: dict[str, Any] = {
        "base_url": env.base_url.rstrip("/"),
        "tenant_id": env.tenant_id,
        "integration": env.integration,
        "sites": {sid: dataclasses.asdict(site) for sid, site in sorted(env.sites.items())},
        "api": api_value,
    }
    return {name: _digest(name, _canonical(value)) for name, value in parts.items()}


def key_fingerprint(key: str | None, salt: str | None = None) -> dict[str, str] | None:
    """`{"salt", "hash"}` of `key` (a fresh salt unless given), or None without a key."""
    if key is None:
        return None
    salt = salt if salt is not None else secrets.token_hex(8)
    return {"salt": salt, "hash": _digest("kbsync smoke key", salt, key)}


def provenance(env: EnvironmentConfig) -> dict[str, Any]:
    """What a smoke of `env` records besides its commit."""
    return {
        "kbsync_version": __version__,
        "settings": settings_parts(env),
        "key": key_fingerprint(env.api_key()),
    }


def provenance_problems(record: dict[str, Any], env: EnvironmentConfig) -> list[str]:
    """Why `record` (a smoke of `env`) no longer proves what a sync would use now."""
    recorded = record.get("provenance")
    if not isinstance(recorded, dict):
        return ["the last passing run does not record what it ran with (made by an older kbsync)"]
    problems = []
    version = recorded.get("kbsync_version")
    if version != __version__:
        problems.append(f"kbsync changed since the run ({version} → {__version__})")
    then = recorded.get("settings")
    now = settings_parts(env)
    if not isinstance(then, dict):
        then = {}
    changed = [name for name in now if then.get(name) != now[name]]
    if changed:
        problems.append(f"the settings of {env.name} changed since the run ({', '.join(changed)})")
    problem = _key_problem(recorded.get("key"), env)
    if problem:
        problems.append(problem)
    return problems


def _key_problem(then: Any, env: EnvironmentConfig) -> str | None:
    key = env.api_key()
    if then is None:
        return None if key is None else f"the run used no API key; {env.name} now has one"
    if not isinstance(then, dict) or not isinstance(then.get("salt"), str):
        return "the run's key record is unreadable"
    if key is None:
        variable = env.api_key_env or "api_key_env"
        return (
            f"the API key of {env.name} ({variable}) is not set here, so it cannot be matched "
            "with the run's"
        )
    current = key_fingerprint(key, then["salt"])
    if current is None or current["hash"] != then.get("hash"):
        return f"the API key of {env.name} changed since the run"
    return None
