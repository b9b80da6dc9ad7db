"""Helpers and fixtures for the ops command tests, imported explicitly by each module: the
sandbox on a real loopback port with keys, and kbsync run through click's CliRunner inside a
temporary git repository."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.api import UppzyClient
from pipeline.config import load_settings
from pipeline.sandbox import Sandbox, parse_keys, run_on_port

STAGING_KEY = "sbx_canary_staging_5f0c2a9d8e7b6a514c3d2e1f"
PROD_KEY = "sbx_canary_prod_0a1b2c3d4e5f60718293a4b5"
OTHER_KEY = "sbx_other_tenant_key_77aa88bb99cc00dd"
BASIC_KEY = "sbx_level1_plan_key_1234abcd5678ef90"
STAGING_VAR = "KBSYNC_TEST_STAGING_KEY"
PROD_VAR = "KBSYNC_TEST_PROD_KEY"

KEYS = {
    "keys": {
        STAGING_KEY: {
            "tenant_id": "t_acme",
            "site_ids": ["s_help", "s_faq"],
            "tenant_name": "Acme",
        },
        PROD_KEY: {"tenant_id": "t_acme", "site_ids": ["s_help", "s_faq"], "tenant_name": "Acme"},
        OTHER_KEY: {"tenant_id": "t_other", "site_ids": ["s_other"]},
        BASIC_KEY: {"tenant_id": "t_basic", "site_ids": ["s_basic"], "plan": "level1"},
    }
}

HTTP = """\
[environments.{name}.http]
connect_timeout = 2.0
read_timeout = 2.0
total_timeout = 10.0
backoff_initial = 0.005
backoff_max = 0.02
"""


def environment(
    name: str,
    url: str,
    *,
    tenant: str = "t_acme",
    key_var: str = STAGING_VAR,
    sites: tuple[str, ...] = ("s_help", "s_faq"),
    extra: str = 'session_strategy = "per-visitor"\nmetrics_out = ".kbsync/metrics.json"\n',
) -> str:
    text = f'[environments.{name}]\nbase_url = "{url}"\ntenant_id = "{tenant}"\n'
    text += f'api_key_env = "{key_var}"\n{extra}\n'
    for site in sites:
        text += f"[environments.{name}.sites.{site}]\n"
    return text + "\n" + HTTP.format(name=name) + "\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def make_repo(root: Path, config: str, files: dict[str, str] | None = None) -> Path:
    """A git repository with `config` as kbsync.toml and `files`, all committed."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    (root / "kbsync.toml").write_text(config, encoding="utf-8")
    (root / ".gitignore").write_text(".kbsync/\n", encoding="utf-8")
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "init")
    return root


class Port:
    """The sandbox on a port, its URL, and helpers to build repositories and clients for it."""

    def __init__(self, sandbox: Sandbox, url: str, tmp: Path) -> None:
        self.sandbox = sandbox
        self.url = url
        self.tmp = tmp

    def repo(self, config: str | None = None, files: dict[str, str] | None = None) -> Path:
        config = config if config is not None else environment("staging", self.url)
        return make_repo(self.tmp / "repo", config, files)

    def client(self, root: Path, env: str = "staging") -> UppzyClient:
        return UppzyClient.for_environment(load_settings(root).environment(env))


def _serve(tmp: Path, monkeypatch: pytest.MonkeyPatch, async_delay: float) -> Iterator[Port]:
    monkeypatch.setenv(STAGING_VAR, STAGING_KEY)
    monkeypatch.setenv(PROD_VAR, PROD_KEY)
    with Sandbox(
        None, keys=parse_keys(KEYS), ready_delay=0.0, async_delay=async_delay, timeout_sleep=2.0
    ) as sandbox, run_on_port(sandbox) as url:  # fmt: skip
        yield Port(sandbox, url, tmp)


@pytest.fixture
def port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Port]:
    yield from _serve(tmp_path, monkeypatch, async_delay=0.0)


@pytest.fixture
def slow_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Port]:
    """Async requests stay pending for an hour."""
    yield from _serve(tmp_path, monkeypatch, async_delay=3600.0)


Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run(root, "check", "--env", "staging")` runs kbsync with `root` as working folder."""
    monkeypatch.delenv("NO_COLOR", raising=False)

    def invoke(root: Path, *args: str) -> Result:
        from pipeline.cli import cli

        monkeypatch.chdir(root)
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def logged(sandbox: Sandbox, operation: str, *, expect: int | None = None) -> int:
    """Requests the sandbox logged for `operation`; it logs a moment after the response went
    out, so with `expect` wait up to 5 s for that count."""
    deadline = time.monotonic() + 5
    while True:
        count = len(sandbox.request_log(operation=operation))
        if expect is None or count >= expect or time.monotonic() > deadline:
            return count
        time.sleep(0.01)
