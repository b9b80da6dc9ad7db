"""`links.*` on content written for a site generator (failure 1 of issue 13): a Hugo versioned
docs site whose pages link by URL, and a Jekyll help centre whose links go through Liquid and
permalinks. Both fixtures are made up here, in those sites' style."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Run
from tests.helpers import write_repo

__all__ = ["Run"]


def page(id: str, title: str, body: str, extra: str = "") -> str:
    return (
        f"---\nid: {id}\ntitle: {title}\nstatus: approved\nreviewed: 2026-10-01\n{extra}---\n"
        f"{body}\n"
    )


HUGO = {
    "content/v3/learning/_index.md": page("v3.learning", "Learning", "See [the API](api/)."),
    "content/v3/learning/api.md": page(
        "v3.api", "API", "# API\n\n## gRPC services\n\nThe services.\n"
    ),
    "content/v3/learning/api_guarantees.md": page(
        "v3.guarantees",
        "API guarantees",
        "Read [gRPC services](../api/#grpc-services), [the section](../) and\n"
        "[backups](../../ops/backup/) and [upgrades](/v3/ops/upgrade/#before-you-start).\n",
    ),
    "content/v3/ops/backup/index.md": page("v3.backup", "Backup", "# Backup\n"),
    "content/v3/ops/Upgrade.md": page("v3.upgrade", "Upgrade", "## Before you start\n"),
}


def test_hugo_links_by_page_url_are_not_broken(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, HUGO)
    result = run(root, "lint", "--select", "links", "--no-cache")
    assert result.output == "5 files: 0 errors, 0 warnings, 0 suggestions\n"
    assert result.exit_code == 0


def test_hugo_links_that_are_really_broken_are_still_found(tmp_path: Path, run: Run) -> None:
    files = dict(HUGO)
    files["content/v3/learning/api_guarantees.md"] = page(
        "v3.guarantees", "API guarantees", "[gone](../apis/#grpc-services) [x](../api/#grpc)"
    )
    root = write_repo(tmp_path, files)
    result = run(root, "lint", "--select", "links", "--no-cache")
    assert result.output == (
        "content/v3/learning/api_guarantees.md\n"
        "  7:8   error      no page at '../apis/' (looked for content/v3/learning/apis and its "
        "folder page); did you mean '../api/'?  links.broken\n"
        "  7:36  error      no heading '#grpc' in content/v3/learning/api.md  links.anchor\n"
        "\n"
        "5 files: 2 errors, 0 warnings, 0 suggestions\n"
    )


def test_file_style_reports_links_by_page_url(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, HUGO, config='[lint.links]\nstyle = "file"\n')
    result = run(root, "lint", "--select", "links.broken", "--no-cache", "--format", "github")
    assert result.exit_code == 1
    assert result.output.count("links.broken") == 3


JEKYLL = {
    "content/_articles/getting-started-webvault.md": page(
        "art.webvault",
        "Getting started with the web vault",
        "## Log in to the vault\n",
        "permalink: /article/getting-started-webvault/\n",
    ),
    "content/_articles/two-step-login.md": page(
        "art.two-step",
        "Two-step login",
        "Open the [Web Vault]({{site.baseurl}}/article/getting-started-webvault/) and\n"
        "[log in]({{ site.baseurl }}/article/getting-started-webvault/#log-in-to-the-vault).\n"
        "Then see [import]({{site.baseurl}}/article/import-data/) and\n"
        "and [more]({{site.url}}/x/) and [again]({{site.url}}/y/).\n",
    ),
    "content/_articles/import-data.md": page("art.import", "Import data", "## 1. Export\n"),
}
JEKYLL_CONFIG = """\
[lint.links]
anchors = "kramdown"
permalink = "/article/{name}/"

[lint.links.templates]
"{{site.baseurl}}" = ""
"""


def test_jekyll_liquid_links_resolve_and_the_rest_are_counted_once(
    tmp_path: Path, run: Run
) -> None:
    root = write_repo(tmp_path, JEKYLL, config=JEKYLL_CONFIG)
    result = run(root, "lint", "--select", "links", "--no-cache")
    assert result.output == (
        "content/_articles/two-step-login.md\n"
        "  10:12  suggestion 2 links in 1 file left unchecked: they hold template expressions "
        "(first: '{{site.url}}/x/'); say what each stands for in "
        "[lint.links] templates  links.unchecked\n"
        "\n"
        "3 files: 0 errors, 0 warnings, 1 suggestion\n"
    )
    assert result.exit_code == 0


def test_jekyll_links_without_templates_are_unchecked_not_broken(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, JEKYLL)
    result = run(root, "lint", "--select", "links", "--no-cache", "--format", "github")
    assert "links.broken" not in result.output
    # `{{ site.baseurl }}` with spaces is no link to a Markdown parser, but is one to Jekyll
    assert "5 links in 1 file left unchecked" in result.output
    assert result.exit_code == 0


def test_kramdown_anchors_differ_from_github_ones(tmp_path: Path, run: Run) -> None:
    files = dict(JEKYLL)
    files["content/_articles/two-step-login.md"] = page(
        "art.two-step",
        "Two-step login",
        "[Export](../import-data/#export) [x](../import-data/#1-export)",
    )
    root = write_repo(tmp_path, files, config=JEKYLL_CONFIG)
    result = run(root, "lint", "--select", "links.anchor", "--no-cache", "--format", "github")
    assert result.output.count("links.anchor") == 1
    assert "no heading '#1-export'" in result.output


def test_links_unpublished_warns_only_once_a_site_publishes(tmp_path: Path, run: Run) -> None:
    files = {
        "content/docs/a.md": page(
            "docs.a", "A", "[B](b.md) [form](../../files/form.pdf) ![chart](../../files/c.png)"
        ),
        "content/docs/b.md": page("docs.b", "B", "Text.", "audience: partner\n"),
        "files/form.pdf": "%PDF",
        "files/c.png": "png",
    }
    root = write_repo(tmp_path, files)
    assert "links.unpublished" not in run(root, "lint", "--select", "links", "--no-cache").output
    config = (
        '[environments.local]\nbase_url = "sandbox:"\ntenant_id = "t"\n'
        '[environments.local.sites.s]\npublic_base_url = "https://help.example.com"\n'
    )
    (root / "kbsync.toml").write_text(config, encoding="utf-8")
    result = run(root, "lint", "--select", "links.unpublished", "--no-cache")
    assert result.output == (
        "content/docs/a.md\n"
        "  7:5   warning    public content links to content/docs/b.md, which has no public URL: "
        "the assistant gets only the link's label; set public_base_url on a site that takes "
        "it, or give it a `url`  links.unpublished\n"
        "  7:18  warning    public content links to files/form.pdf, which is not content: it has "
        "no public URL, so the assistant gets only the link's label  links.unpublished\n"
        "\n"
        "2 files: 0 errors, 2 warnings, 0 suggestions\n"
    )


def test_url_fields_are_known_frontmatter(tmp_path: Path, run: Run) -> None:
    extra = 'url: /a/\nslug: a\npermalink: /b/\naliases: ["/c/"]\n'
    root = write_repo(tmp_path, {"content/docs/a.md": page("docs.a", "A", "Text.", extra)})
    result = run(root, "lint", "--select", "schema", "--no-cache")
    assert result.output == "1 file: 0 errors, 0 warnings, 0 suggestions\n"


def test_hugo_gives_definition_terms_ids(tmp_path: Path, run: Run) -> None:
    files = {
        "content/docs/all.md": page(
            "docs.all", "All", "`publishDir`\n: Where the site goes.\n\n```\nfake\n: term\n```\n"
        ),
        "content/docs/a.md": page("docs.a", "A", "[p](../all/#publishdir) [f](../all/#fake)"),
    }
    root = write_repo(tmp_path, files)
    result = run(root, "lint", "--select", "links", "--no-cache", "--format", "github")
    assert result.output.count("links.anchor") == 1
    assert "no heading '#fake'" in result.output
    kramdown = write_repo(tmp_path / "k", files, config='[lint.links]\nanchors = "kramdown"\n')
    result = run(kramdown, "lint", "--select", "links", "--no-cache", "--format", "github")
    assert result.output.count("links.anchor") == 2
