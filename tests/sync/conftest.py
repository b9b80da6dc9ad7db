"""Sync tests: real temporary git repositories synced to the sandbox (in-process by default)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.api import UppzyClient
from pipeline.config import Settings, load_settings
from pipeline.corpus import load_corpus
from pipeline.rollout import load_rollout
from pipeline.sandbox import Sandbox, Scope
from pipeline.sync.desired import membership
from pipeline.sync.payload import payload_for
from pipeline.sync.plan import Plan
from pipeline.sync.service import SyncOptions, SyncOutcome, plan_target, sync_target
from pipeline.targets import Target
from tests.helpers import commit_all, doc, qa, write_repo

CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"

[environments.local.sites.s_local]
audiences = ["public"]

[environments.local.sites.s_agents]
audiences = ["public", "internal"]

[environments.local.http]
backoff_initial = 0.01
backoff_max = 0.05
read_timeout = 0.5
"""

ROLLOUT = """\
batches:
  - id: core
    include: ["docs/core/**", "qa/core/**"]
    environments: [local, staging]
  - id: extra
    include: ["docs/extra/**", "qa/extra/**"]
    environments: [local]
"""


DIALECT_WORDS = {"active": "published", "draft": "inactive"}
SANDBOX_DIALECTS: dict[str, dict[str, Any]] = {
    "page": {},
    "offset": {"dialect": "offset"},
    "cursor": {"dialect": "cursor", "status_words": DIALECT_WORDS},
}
"""Sandbox options per dialect under test: `cursor` pages by `next_cursor` (ignoring `page`) and
says `published`/`inactive`, so a sync proves it reads Uppzy whichever way it answers."""


def sandbox_options(dialect: str) -> dict[str, Any]:
    """Keyword arguments of :class:`Sandbox` for `dialect` (a key of SANDBOX_DIALECTS)."""
    return dict(SANDBOX_DIALECTS[dialect])


def config_for(dialect: str, config: str = CONFIG) -> str:
    """`config` with the `local` environment set up for `dialect`: its in-process sandbox
    speaks it (`sandbox_dialect`) and kbsync maps its status words (`[…api] status_words`)."""
    options = SANDBOX_DIALECTS[dialect]
    if not options:
        return config
    config = config.replace(
        'tenant_id = "t_local"\n',
        f'tenant_id = "t_local"\nsandbox_dialect = "{options["dialect"]}"\n',
        1,
    )
    if "status_words" not in options:
        return config
    words = ", ".join(f'{k} = "{v}"' for k, v in options["status_words"].items())
    return config + f"\n[environments.local.api]\nstatus_words = {{ {words} }}\n"


def base_files() -> dict[str, str | bytes]:
    return {
        "content/rollout.yaml": ROLLOUT,
        "content/docs/core/welcome.md": doc("docs.welcome", "Welcome", "Lockers open at 7."),
        "content/docs/core/plans.md": doc("docs.plans", "Plans", "Starter costs $19."),
        "content/qa/core/reset.md": qa("qa.reset", "How do I reset my password?", "Use the link."),
        "content/qa/core/trial.md": qa("qa.trial", "How long is the trial?", "14 days."),
        "content/docs/extra/api.md": doc("docs.api", "API", "120 requests per minute."),
        "content/docs/core/runbook.md": doc("docs.runbook", "Runbook", "Call billing.").replace(
            "status: approved", "status: approved\naudience: internal"
        ),
        "content/qa/core/draft.md": qa("qa.draft", "Is this a draft?", "Yes.").replace(
            "status: approved", "status: draft"
        ),
    }


class Harness:
    """A content repository, a sandbox and a client on it."""

    def __init__(self, root: Path, sandbox: Sandbox) -> None:
        self.root = root
        self.sandbox = sandbox
        self.client = self.make_client()

    def make_client(self) -> UppzyClient:
        env = self.settings.environment("local")
        return UppzyClient.for_environment(env, transport=self.sandbox.transport())

    @property
    def settings(self) -> Settings:
        return load_settings(self.root)

    def target(self, site: str = "s_local") -> Target:
        return Target("local", site, "t_local")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str = "change") -> str:
        return commit_all(self.root, message)

    def plan(self, site: str = "s_local", **options: Any) -> Plan:
        return plan_target(
            self.settings, self.target(site), client=self.client, options=SyncOptions(**options)
        )

    def sync(self, site: str = "s_local", **options: Any) -> SyncOutcome:
        return sync_target(
            self.settings, self.target(site), self.client, options=SyncOptions(**options)
        )

    def docs(self, site: str = "s_local") -> list[dict[str, Any]]:
        return self.sandbox.documents(site)

    def desired(self, site: str = "s_local") -> dict[str, Any]:
        """title → payload of everything that should be on `site`, from the files."""
        settings = self.settings
        rollout = load_rollout(settings.content_root)
        env = settings.environment("local")
        corpus = load_corpus([settings.content_root], settings.root)
        out = {}
        for item in corpus.items:
            if membership(item, self.target(site), env, rollout, settings.content_dir)[0]:
                payload = payload_for(item, settings.content_dir)
                out[payload.title] = payload
        return out

    def assert_converged(self, site: str = "s_local") -> None:
        """The site holds exactly the desired set: titles, bodies, all active, no duplicates."""
        docs = self.docs(site)
        titles = [d["title"] for d in docs]
        assert len(titles) == len(set(titles)), f"duplicate documents: {sorted(titles)}"
        desired = self.desired(site)
        assert sorted(titles) == sorted(desired)
        for document in docs:
            payload = desired[document["title"]]
            assert document["type"] == payload.type
            assert document["status"] == "active", document["title"]
            if payload.type == "qa":
                assert (document["question"], document["answer"]) == (
                    payload.question, payload.answer
                )  # fmt: skip
            else:
                assert document["content"] == payload.content


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The in-process sandbox; `@pytest.mark.parametrize("sandbox", ["cursor"], indirect=True)`
    makes it speak another dialect (see SANDBOX_DIALECTS; the `harness` follows it)."""
    scope = Scope(tenant_id="t_local", site_ids=("s_local", "s_agents"))
    options = sandbox_options(getattr(request, "param", "page"))
    with Sandbox(
        None, open_scope=scope, ready_delay=0.0, async_delay=0.0, timeout_sleep=1.5, **options
    ) as box:
        yield box


@pytest.fixture
def harness(tmp_path: Path, sandbox: Sandbox) -> Iterator[Harness]:
    config = config_for(sandbox.dialect.paging)
    root = write_repo(tmp_path / "repo", base_files(), config=config)
    (root / ".gitignore").write_text(".kbsync/\n")
    commit_all(root, "initial content")
    h = Harness(root, sandbox)
    try:
        yield h
    finally:
        h.client.close()
