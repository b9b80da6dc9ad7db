"""API keys of the sandbox: who may call it, for which tenant and sites, on which plan.

A keys file is JSON::

    {"keys": {"<api key>": {"tenant_id": "t_acme", "site_ids": ["s_help"], "plan": "level2",
                            "tenant_name": "Acme", "site_names": {"s_help": "Help centre"},
                            "limits": {"documents": 500, "storage_bytes": 52428800,
                                       "messages": 10000, "max_upload_bytes": 1048576}}}}

Only ``tenant_id`` and ``site_ids`` are required. A key may also be written as
``"sha256:<64 hex digits>"`` so the file need not hold the plaintext. Keys are kept only as
SHA-256 digests and compared with :func:`hmac.compare_digest` against every known digest (no
early exit), so neither the plaintext nor the timing of a comparison reveals a key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

PLANS = ("level1", "level2", "level3")
# Plans whose keys may use the M2M API (Uppzy: "Tenant plan: level2 or level3").
API_PLANS = frozenset({"level2", "level3"})

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_DIGEST_PREFIX = "sha256:"
_KEYS_HINT = (
    'expected {"keys": {"<api key>": {"tenant_id": "t_acme", "site_ids": ["s_help"], '
    '"plan": "level2"}}}'
)


@dataclass(frozen=True)
class Limits:
    """A tenant's quotas, reported by ``GET …/limits`` and enforced on writes and chat."""

    documents: int = 500
    storage_bytes: int = 50 * 1024 * 1024
    messages: int = 10_000
    max_upload_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class Scope:
    """What one key (or the open in-process mode) may reach: one tenant and some of its sites."""

    tenant_id: str
    site_ids: tuple[str, ...]
    plan: str = "level2"
    limits: Limits = field(default_factory=Limits)
    tenant_name: str | None = None
    site_names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def local(cls) -> Scope:
        """The scope of the embedded `local` environment and of the generated development key."""
        return cls(tenant_id="t_local", site_ids=("s_local",), plan="level2")


@dataclass(frozen=True)
class KeyRing:
    """Known keys as SHA-256 digests, each with its scope."""

    entries: tuple[tuple[bytes, Scope], ...] = ()

    def lookup(self, api_key: str) -> Scope | None:
        """The scope of `api_key`, or None; compares against every digest in constant time."""
        digest = hash_key(api_key)
        found: Scope | None = None
        for known, scope in self.entries:
            if hmac.compare_digest(known, digest) and found is None:
                found = scope
        return found

    def scopes(self) -> list[Scope]:
        return [scope for _, scope in self.entries]

    def __len__(self) -> int:
        return len(self.entries)


def hash_key(api_key: str) -> bytes:
    return hashlib.sha256(api_key.encode("utf-8")).digest()


def generate_dev_key() -> tuple[str, KeyRing]:
    """A fresh random key for tenant `t_local` / site `s_local`, and the ring holding it."""
    api_key = "sbx_" + secrets.token_urlsafe(24)
    return api_key, KeyRing(((hash_key(api_key), Scope.local()),))


def load_keys_file(path: Path | str) -> KeyRing:
    """Read a keys file; a clear :class:`ConfigError` (with the path) for anything wrong."""
    where = Path(path)
    try:
        text = where.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("keys file not found", path=where, hint=_KEYS_HINT) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read keys file ({exc.__class__.__name__})", path=where) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc.msg}", path=where, line=exc.lineno) from None
    return parse_keys(data, source=where)


def parse_keys(data: Any, *, source: Path | str = "<keys>") -> KeyRing:
    """Validate the decoded keys document and build the ring (keys never appear in errors)."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict) or not data["keys"]:
        raise ConfigError("no keys defined", path=source, hint=_KEYS_HINT)
    entries: list[tuple[bytes, Scope]] = []
    tenants: dict[str, Scope] = {}
    site_owner: dict[str, str] = {}
    for number, (api_key, spec) in enumerate(data["keys"].items(), start=1):
        label = f"key #{number}"
        if not isinstance(api_key, str) or not api_key.strip():
            raise ConfigError(f"{label}: the key must be a non-empty string", path=source)
        scope = _parse_scope(spec, label, source)
        previous = tenants.get(scope.tenant_id)
        if previous is not None and (
            previous.plan != scope.plan or previous.limits != scope.limits
        ):
            raise ConfigError(
                f"{label}: tenant {scope.tenant_id!r} has a different plan or limits "
                "than an earlier key",
                path=source,
                hint="give every key of one tenant the same plan and limits",
            )
        tenants.setdefault(scope.tenant_id, scope)
        for site_id in scope.site_ids:
            owner = site_owner.setdefault(site_id, scope.tenant_id)
            if owner != scope.tenant_id:
                raise ConfigError(
                    f"{label}: site {site_id!r} already belongs to tenant {owner!r}",
                    path=source,
                )
        entries.append((_digest_of(api_key, label, source), scope))
    digests = [digest for digest, _ in entries]
    if len(set(digests)) != len(digests):
        raise ConfigError("the same key is listed twice", path=source)
    return KeyRing(tuple(entries))


def _digest_of(api_key: str, label: str, source: Path | str) -> bytes:
    if api_key.startswith(_DIGEST_PREFIX):
        hex_digest = api_key[len(_DIGEST_PREFIX) :]
        if not re.fullmatch(r"[0-9a-fA-F]{64}", hex_digest):
            raise ConfigError(
                f"{label}: a 'sha256:' key needs 64 hex digits after the prefix", path=source
            )
        return bytes.fromhex(hex_digest)
    return hash_key(api_key)


def _parse_scope(spec: Any, label: str, source: Path | str) -> Scope:
    if not isinstance(spec, dict):
        raise ConfigError(f"{label}: expected an object", path=source, hint=_KEYS_HINT)
    unknown = set(spec) - {"tenant_id", "site_ids", "plan", "limits", "tenant_name", "site_names"}
    if unknown:
        raise ConfigError(f"{label}: unknown field(s) {', '.join(sorted(unknown))}", path=source)
    tenant_id = spec.get("tenant_id")
    if not isinstance(tenant_id, str) or not _ID_PATTERN.fullmatch(tenant_id):
        raise ConfigError(
            f"{label}: tenant_id must be an id like 't_acme' (letters, digits, '._-')", path=source
        )
    site_ids = spec.get("site_ids")
    if (
        not isinstance(site_ids, list)
        or not site_ids
        or not all(isinstance(s, str) and _ID_PATTERN.fullmatch(s) for s in site_ids)
    ):
        raise ConfigError(
            f"{label}: site_ids must be a non-empty list of ids like 's_help'", path=source
        )
    plan = spec.get("plan", "level2")
    if plan not in PLANS:
        raise ConfigError(f"{label}: plan must be one of {', '.join(PLANS)}", path=source)
    tenant_name = spec.get("tenant_name")
    if tenant_name is not None and not isinstance(tenant_name, str):
        raise ConfigError(f"{label}: tenant_name must be a string", path=source)
    site_names = spec.get("site_names", {})
    if not isinstance(site_names, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in site_names.items()
    ):
        raise ConfigError(f"{label}: site_names must map site ids to names", path=source)
    return Scope(
        tenant_id=tenant_id,
        site_ids=tuple(dict.fromkeys(site_ids)),
        plan=plan,
        limits=_parse_limits(spec.get("limits", {}), label, source),
        tenant_name=tenant_name,
        site_names=dict(site_names),
    )


def _parse_limits(spec: Any, label: str, source: Path | str) -> Limits:
    if not isinstance(spec, dict):
        raise ConfigError(f"{label}: limits must be an object", path=source)
    defaults = Limits()
    values: dict[str, int] = {}
    for name in ("documents", "storage_bytes", "messages", "max_upload_bytes"):
        value = spec.get(name, getattr(defaults, name))
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{label}: limits.{name} must be a non-negative integer", path=source)
        values[name] = value
    unknown = set(spec) - set(values)
    if unknown:
        raise ConfigError(
            f"{label}: unknown limit(s) {', '.join(sorted(unknown))}",
            path=source,
            hint="known limits: documents, storage_bytes, messages, max_upload_bytes",
        )
    return Limits(**values)
