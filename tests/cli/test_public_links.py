"""Links in what reaches Uppzy (failure 3 of issue 13): a relative link becomes its target's
public URL, or only its label — never a repository path the assistant would repeat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.api import UppzyClient
from pipeline.config import load_settings
from pipeline.sandbox import Sandbox, Scope
from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, qa, write_repo

__all__ = ["Run"]

CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"
sandbox_db = "site/sandbox.sqlite3"
sandbox_ready_delay = 0.0
sandbox_async_delay = 0.0

[environments.local.sites.s_local]
audiences = ["public"]
public_base_url = "https://help.parcelly.example"
url_pattern = "/{dir}/{slug}/"
"""

PLANS = """\
---
id: docs.plans
title: Plans and pricing
status: approved
reviewed: 2026-10-01
slug: pricing
---
# Plans and pricing

## Plans at a glance

Three plans.
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(
        tmp_path / "repo",
        {
            "content/docs/billing/plans.md": PLANS,
            "content/docs/billing/runbook.md": doc("docs.runbook", "Refund runbook").replace(
                "status: approved", "status: approved\naudience: internal"
            ),
            "content/qa/billing/upgrade.md": qa(
                "qa.upgrade",
                "How do I change my plan?",
                "See [Plans and pricing](../../docs/billing/plans.md#plans-at-a-glance), the\n"
                "[price list](../../../files/prices.pdf) and [our blog](https://blog.example/x).",
            ),
        },
        config=CONFIG,
    )
    (root / "files").mkdir()
    (root / "files/prices.pdf").write_bytes(b"%PDF-1.4")
    (root / ".gitignore").write_text(".kbsync/\nsite/\n")
    commit_all(root, "initial content")
    return root


EXPECTED = (
    "See Plans and pricing (https://help.parcelly.example/docs/billing/pricing/#plans-at-a-glance),"
    " the price list and our blog (https://blog.example/x).\n"
)


def test_sync_sends_public_urls_not_repository_paths(run: Run, repo: Path) -> None:
    result = run(repo, "sync", "--yes")
    assert result.exit_code == 0, result.output
    env = load_settings(repo).environment("local")
    scope = Scope(tenant_id="t_local", site_ids=("s_local",))
    with Sandbox(repo / "site/sandbox.sqlite3", open_scope=scope, ready_delay=0.0) as box:
        client = UppzyClient.for_environment(env, transport=box.transport())
        client.close()
        stored = {d["title"]: d for d in box.documents("s_local")}
    answer = stored["How do I change my plan?"]["answer"]
    assert answer == EXPECTED
    assert "../" not in answer and ".md" not in answer


def test_show_payload_shows_the_public_url(run: Run, repo: Path) -> None:
    result = run(repo, "plan", "--show-payload", "qa.upgrade")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answer"] == EXPECTED


def test_without_a_public_base_url_a_relative_link_keeps_only_its_label(
    run: Run, repo: Path
) -> None:
    config = (repo / "kbsync.toml").read_text().replace("public_base_url", "# public_base_url")
    (repo / "kbsync.toml").write_text(config)
    result = run(repo, "plan", "--show-payload", "qa.upgrade")
    assert json.loads(result.output)["answer"] == (
        "See Plans and pricing, the price list and our blog (https://blog.example/x).\n"
    )


def test_a_changed_public_url_re_renders_documents_that_link_to_it(run: Run, repo: Path) -> None:
    assert run(repo, "sync", "--yes").exit_code == 0
    plans = repo / "content/docs/billing/plans.md"
    plans.write_text(PLANS.replace("slug: pricing", "slug: plans"), encoding="utf-8")
    commit_all(repo, "rename the pricing page")
    result = run(repo, "plan", "--format", "json")
    changes = {c["id"]: c["action"] for c in json.loads(result.stdout)["changes"]}
    assert changes == {"qa.upgrade": "update"}


def test_a_link_to_internal_content_keeps_only_its_label(run: Run, repo: Path) -> None:
    (repo / "content/qa/billing/refund.md").write_text(
        qa(
            "qa.refund",
            "Refund?",
            "Ask us; staff follow the [runbook](../../docs/billing/runbook.md).",
        )
    )
    result = run(repo, "plan", "--show-payload", "qa.refund")
    assert json.loads(result.output)["answer"] == "Ask us; staff follow the runbook.\n"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('[lint.links]\nstyle = "hugo"\n', "lint.links.style must be one of auto, file, pretty"),
        ('[lint.links]\nbase_path = "docs"\n', "lint.links.base_path must start with '/'"),
        ('[lint.links.templates]\n"site.baseurl" = ""\n', "is not a template expression"),
        ('[lint.links]\npermalink = "/a/{title}/"\n', "unknown field {title}"),
    ],
)
def test_bad_link_settings_are_one_line_and_exit_2(
    run: Run, repo: Path, setting: str, message: str
) -> None:
    (repo / "kbsync.toml").write_text(CONFIG + setting)
    result = run(repo, "lint", "--select", "links")
    assert result.exit_code == 2
    assert message in result.output


def test_a_bad_public_base_url_is_refused(run: Run, repo: Path) -> None:
    config = CONFIG.replace("https://help.parcelly.example", "help.parcelly.example")
    (repo / "kbsync.toml").write_text(config)
    result = run(repo, "plan", "--show-payload", "qa.upgrade")
    assert result.exit_code == 2
    assert "environments.local.sites.s_local.public_base_url must be an http(s) URL" in (
        result.output
    )


JEKYLL_CONFIG = """\
[lint.links]
permalink = "/article/{name}/"

[lint.links.templates]
"{{site.baseurl}}" = ""

[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"

[environments.local.sites.s_local]
public_base_url = "https://help.vault.example"
url_pattern = "/article/{name}/"
"""


def test_a_jekyll_liquid_link_becomes_the_public_url(run: Run, tmp_path: Path) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/docs/webvault.md": doc("docs.webvault", "Web vault", "## Log in now"),
            "content/docs/two-step.md": doc(
                "docs.two-step",
                "Two-step login",
                "Open the [Web Vault]({{site.baseurl}}/article/webvault/#log-in-now) and the\n"
                "[other]({{site.url}}/article/webvault/).",
            ),
        },
        config=JEKYLL_CONFIG,
    )
    result = run(root, "plan", "--show-payload", "docs.two-step")
    assert json.loads(result.output)["content"] == (
        "Two-step login\n\nOpen the Web Vault (https://help.vault.example/article/webvault/#log-in-now) and the "
        "other.\n"
    )


HUGO_CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"

[environments.local.sites.s_local]
public_base_url = "https://docs.example"
url_pattern = "/{dir}/{slug}/"
"""

HUGO_GUARANTEES = """\
---
id: docs.guarantees
title: API guarantees
status: approved
reviewed: 2026-10-01
---
Read the [API]({{< relref "api.md#grpc-services" >}}), [backups]({{< ref "/v3/ops/backup" >}})
and the [runbook]({{< ref "../ops/runbook.md" >}}). See also {{< relref "api.md" >}}.

{{< img
  src="images/zion.jpg"
  alt="Zion National Park" >}}

{{% note %}}Stable since **v3**.{{% /note %}}

Write a link as `[API]({{< relref "api.md" >}})`:

```go-html-template
{{ range .Pages }}{{ .Title }}{{ end }}
```
"""


def test_show_payload_on_a_hugo_site_turns_shortcode_links_into_public_urls(
    run: Run, tmp_path: Path
) -> None:
    root = write_repo(
        tmp_path / "hugo",
        {
            "content/v3/learning/api.md": doc("docs.api", "API", "## gRPC services\n\nText."),
            "content/v3/learning/guarantees.md": HUGO_GUARANTEES,
            "content/v3/ops/backup/_index.md": doc("docs.backup", "Backup"),
            "content/v3/ops/runbook.md": doc("docs.runbook", "Runbook").replace(
                "status: approved", "status: approved\naudience: internal"
            ),
        },
        config=HUGO_CONFIG,
    )
    result = run(root, "plan", "--show-payload", "docs.guarantees")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["content"] == (
        "Read the API (https://docs.example/v3/learning/api/#grpc-services), backups "
        "(https://docs.example/v3/ops/backup/) and the runbook. See also "
        "https://docs.example/v3/learning/api/.\n\n"
        "Stable since v3.\n\n"
        'Write a link as [API]({{< relref "api.md" >}}):\n\n'
        "{{ range .Pages }}{{ .Title }}{{ end }}\n"
    )
    lint = run(root, "lint", "--select", "links", "--no-cache")
    # lint resolves the same links: only the one to internal content (the payload's label) fails
    assert "1 error, 0 warnings, 0 suggestions" in lint.output
    assert "8:19  error      public content links to internal content" in lint.output


JEKYLL_HELP_CENTRE = """\
---
id: docs.two-step
title: Two-step login
status: approved
reviewed: 2026-10-01
---
Open the [Web Vault]({{ site.baseurl }}/article/webvault/#log-in-now), the
[vault]({% link _articles/webvault.md %}), the [status page]({{ site.url }}/status/) and
[a page we cannot read]({{ site.data.links.other }}).
{% if site.beta %}Beta users also see {{ site.title }} Labs.{% endif %}
"""


def test_show_payload_on_a_jekyll_help_centre_turns_liquid_links_into_public_urls(
    run: Run, tmp_path: Path
) -> None:
    config = JEKYLL_CONFIG.replace(
        '"{{site.baseurl}}" = ""',
        '"{{site.baseurl}}" = ""\n"{{site.url}}" = "https://vault.example"',
    )
    root = write_repo(
        tmp_path / "jekyll",
        {
            "content/_articles/webvault.md": doc("docs.webvault", "Web vault", "## Log in now"),
            "content/_articles/two-step.md": JEKYLL_HELP_CENTRE,
        },
        config=config,
    )
    result = run(root, "plan", "--show-payload", "docs.two-step")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["content"] == (
        "Open the Web Vault (https://help.vault.example/article/webvault/#log-in-now), the vault "
        "(https://help.vault.example/article/webvault/), the status page "
        "(https://vault.example/status/) and a page we cannot read. Beta users also see Labs.\n"
    )


def test_a_changed_template_re_renders_documents_on_a_site_without_public_urls(
    run: Run, tmp_path: Path
) -> None:
    config = CONFIG.replace('public_base_url = "https://help.parcelly.example"\n', "")
    templates = '\n[lint.links.templates]\n"{{site.url}}" = "https://parcelly.example"\n'
    root = write_repo(
        tmp_path / "repo",
        {
            "content/docs/status.md": doc(
                "docs.status", "Status", "See the [status page]({{ site.url }}/status/)."
            ),
            "content/docs/other.md": doc("docs.other", "Other"),
        },
        config=config + templates,
    )
    (root / ".gitignore").write_text(".kbsync/\nsite/\n")
    commit_all(root, "initial content")
    assert run(root, "sync", "--yes").exit_code == 0
    (root / "kbsync.toml").write_text(config + templates.replace("parcelly", "parcelly-status"))
    commit_all(root, "the status page moved")
    result = run(root, "plan", "--format", "json")
    changes = {c["id"]: c["action"] for c in json.loads(result.stdout)["changes"]}
    assert changes == {"docs.status": "update"}
    shown = run(root, "plan", "--show-payload", "docs.status")
    assert "See the status page (https://parcelly-status.example/status/)." in shown.output


def test_an_upgrade_that_renders_some_documents_anew_sends_exactly_those(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kbsync whose rendering changed for some documents (RENDERING bumped) must not carry
    their old payloads over from the state until someone edits the file, nor send the others."""
    assert run(repo, "sync", "--yes").exit_code == 0
    state_file = repo / ".kbsync/state/local/s_local.json"
    state = json.loads(state_file.read_text())
    # As an older kbsync left it: another rendering of qa.upgrade, another fingerprint.
    state["entries"]["qa.upgrade"]["hash"] = "0" * 64
    state_file.write_text(json.dumps(state, indent=2))
    assert "0 to update" in run(repo, "plan").stdout  # the state still vouches for it

    monkeypatch.setattr("pipeline.sync.desired.RENDERING", 99)
    result = run(repo, "plan", "--format", "json")
    plan = json.loads(result.stdout)
    assert {c["id"]: c["action"] for c in plan["changes"]} == {"qa.upgrade": "update"}
    assert plan["full_scan"] is True
    assert "the way this kbsync renders payloads changed" in plan["scan_reason"]


def test_a_catastrophic_unchecked_pattern_gives_up_promptly_in_plan(run: Run, repo: Path) -> None:
    """`^(a|a)+$` on a long link of `a`s would take hours; the plan finishes, the link keeps
    its label, and the plan says which setting gave up."""
    config = (repo / "kbsync.toml").read_text()
    (repo / "kbsync.toml").write_text(
        '[lint]\npattern_timeout = 0.2\n\n[lint.links]\nunchecked = ["^(a|a)+$"]\n\n' + config
    )
    link = "a" * 3000 + ".md"
    (repo / "content/qa/billing/long.md").write_text(
        qa(
            "qa.long",
            "Long?",
            f"See [the long page]({link}) and [plans](../../docs/billing/plans.md).",
        )
    )
    result = run(repo, "plan", "--format", "json")
    assert result.exit_code == 0, result.output
    (warning,) = [w for w in json.loads(result.stdout)["warnings"] if "[lint.links]" in w]
    assert warning.startswith(
        "[lint.links] unchecked: the patterns ran out of their time limit ([lint] "
        "pattern_timeout) on 1 link (first: 'aaaaaaaaaa"
    )
    assert "in content/qa/billing/long.md), so it keeps only the label" in warning
    shown = run(repo, "plan", "--show-payload", "qa.long")
    assert json.loads(shown.output)["answer"] == (
        "See the long page and plans (https://help.parcelly.example/docs/billing/pricing/).\n"
    )
