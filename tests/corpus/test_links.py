"""Link resolution as site generators do it (:mod:`pipeline.corpus.links`), on page sets in the
style of a Hugo versioned docs site and a Jekyll help centre (made up here)."""

from __future__ import annotations

import pytest

from pipeline.config import LinksConfig
from pipeline.corpus.links import (
    LinkIndex,
    PageInfo,
    Resolution,
    fill_pattern,
    github_slug,
    heading_ids,
    kramdown_slug,
    public_url,
)

HUGO = [
    PageInfo("content/v2/learning/_index.md"),
    PageInfo("content/v2/learning/api_guarantees.md"),
    PageInfo("content/v2/learning/api.md"),
    PageInfo("content/v2/ops/_index.md"),
    PageInfo("content/v2/ops/backup/index.md"),
    PageInfo("content/v2/ops/Upgrade.md"),
    PageInfo("content/v2/faq.md", slug="questions"),
    PageInfo("content/v2/install.md", aliases=("/v2/setup/",)),
    PageInfo("content/v2/tuning.md", url="/performance/tuning/"),
]


def hugo(style: str = "auto", **kwargs: object) -> LinkIndex:
    return LinkIndex(HUGO, "content", LinksConfig(style=style, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("link", "target", "fragment"),
    [
        ("../api/#grpc-services", "content/v2/learning/api.md", "grpc-services"),
        ("../api", "content/v2/learning/api.md", ""),
        ("api.md#x", "content/v2/learning/api.md", "x"),
        ("../../ops/backup/", "content/v2/ops/backup/index.md", ""),
        ("../../ops/upgrade/", "content/v2/ops/Upgrade.md", ""),  # Hugo lower-cases URLs
        ("../../ops/", "content/v2/ops/_index.md", ""),
        ("../", "content/v2/learning/_index.md", ""),
        ("../../questions/", "content/v2/faq.md", ""),
        ("/v2/setup/", "content/v2/install.md", ""),
        ("/performance/tuning/", "content/v2/tuning.md", ""),
        ("/v2/learning/api/", "content/v2/learning/api.md", ""),
        ("#guarantees", "content/v2/learning/api_guarantees.md", "guarantees"),
    ],
)
def test_hugo_links_resolve_against_the_page_url(link: str, target: str, fragment: str) -> None:
    found = hugo().resolve("content/v2/learning/api_guarantees.md", link)
    assert found == Resolution("page", target, fragment)


def test_a_folder_page_resolves_relative_to_its_folder() -> None:
    found = hugo().resolve("content/v2/learning/_index.md", "api/#grpc-services")
    assert found == Resolution("page", "content/v2/learning/api.md", "grpc-services")


def test_file_style_does_not_read_pretty_urls() -> None:
    found = hugo("file").resolve("content/v2/learning/api_guarantees.md", "../api/#grpc-services")
    assert found.kind == "missing"
    assert hugo("file").resolve("content/v2/learning/api_guarantees.md", "api.md").kind == "page"


def test_pretty_style_does_not_read_file_paths_relative_to_the_folder() -> None:
    index = hugo("pretty")
    assert index.resolve("content/v2/learning/api_guarantees.md", "api.md").kind == "missing"
    assert index.resolve("content/v2/learning/api_guarantees.md", "../api.md").kind == "page"


def test_a_missing_page_and_a_climb_out_of_the_repository() -> None:
    index = hugo()
    assert index.resolve("content/v2/learning/api.md", "../nowhere/").kind == "missing"
    assert index.resolve("content/v2/learning/api.md", "../../../../../x.md").kind == "outside"


def test_base_path_is_stripped_from_root_relative_links() -> None:
    index = hugo(base_path="/docs")
    found = index.resolve("content/v2/faq.md", "/docs/v2/learning/api/#a")
    assert found == Resolution("page", "content/v2/learning/api.md", "a")


JEKYLL = [
    PageInfo("content/_articles/getting-started-webvault.md"),
    PageInfo("content/_articles/import-data.md", permalink="/article/import-from-other/"),
    PageInfo("content/_articles/two-step.md"),
]
TEMPLATES = {"{{site.baseurl}}": "", "{{ site.help }}": "/help"}


def jekyll(**kwargs: object) -> LinkIndex:
    config = LinksConfig(templates=TEMPLATES, permalink="/article/{name}/", **kwargs)  # type: ignore[arg-type]
    return LinkIndex(JEKYLL, "content", config)


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("{{site.baseurl}}/article/getting-started-webvault/", "getting-started-webvault.md"),
        (
            "{{ site.baseurl }}/article/getting-started-webvault/#vault",
            "getting-started-webvault.md",
        ),
        ("{{site.baseurl}}/article/import-from-other/", "import-data.md"),
        ("../getting-started-webvault/", "getting-started-webvault.md"),
    ],
)
def test_jekyll_links_resolve_through_templates_and_permalinks(link: str, target: str) -> None:
    found = jekyll().resolve("content/_articles/two-step.md", link)
    assert (found.kind, found.target) == ("page", f"content/_articles/{target}")


def test_an_unknown_template_leaves_the_link_unchecked() -> None:
    found = jekyll().resolve("content/_articles/two-step.md", "{{site.other}}/article/x/")
    assert found == Resolution("unchecked", reason="template")
    found = jekyll().resolve("content/_articles/two-step.md", "{% post_url 2024-01-01-x %}")
    assert found == Resolution("unchecked", reason="template")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("{% link _articles/import-data.md %}", ("page", "import-data.md", "")),
        (
            "{{ site.baseurl }}{% link _articles/import-data.md %}#x",
            ("page", "import-data.md", "x"),
        ),
        ("{%- link /_articles/import-data.md -%}", ("page", "import-data.md", "")),
        ("{% link _articles/x.md %}", ("missing", "x.md", "")),  # Jekyll fails the build
        ("{% link _articles/Import-Data.md %}", ("missing", "Import-Data.md", "")),  # exact
    ],
)
def test_jekyll_link_tags_name_a_source_file_exactly(
    link: str, expected: tuple[str, str, str]
) -> None:
    found = jekyll().resolve("content/_articles/two-step.md", link)
    kind, name, fragment = expected
    assert found == Resolution(kind, f"content/_articles/{name}", fragment, reason="ref")  # type: ignore[arg-type]


def test_a_known_template_to_a_missing_permalink_is_missing() -> None:
    found = jekyll().resolve("content/_articles/two-step.md", "{{site.baseurl}}/article/gone/")
    assert found.kind == "missing"


def test_heading_ids_of_each_generator() -> None:
    assert github_slug("1. Set up_the API!") == "1-set-up_the-api"
    assert kramdown_slug("1. Set up_the API!") == "set-upthe-api"
    assert kramdown_slug("123") == "section"
    assert heading_ids(["Setup", "Setup"], "github") == ["setup", "setup-1"]
    assert heading_ids(["2FA codes"], "kramdown") == ["fa-codes"]
    assert heading_ids(["2FA codes"], "auto") == ["2fa-codes", "fa-codes"]


def test_url_patterns_and_public_urls() -> None:
    assert fill_pattern("{dir}/{slug}/", "docs/billing/plans.md") == "/docs/billing/plans/"
    assert fill_pattern("{dir}/{slug}/", "docs/billing/_index.md") == "/docs/billing/"
    assert fill_pattern("/help/{name}/", "docs/x/How.md", "how-to") == "/help/How/"
    index = hugo()
    base = "https://docs.example.com/"
    page = index.pages["content/v2/faq.md"]
    assert public_url(index, page, base, "{dir}/{slug}/", ["public"]) == (
        "https://docs.example.com/v2/questions/"
    )
    assert public_url(index, page, "", "{dir}/{slug}/", ["public"]) is None
    tuning = index.pages["content/v2/tuning.md"]
    assert public_url(index, tuning, base, "{dir}/{slug}/", ["public"]) == (
        "https://docs.example.com/performance/tuning/"
    )
    internal = PageInfo("content/v2/runbook.md", audience="internal", url="https://x.example/r")
    assert public_url(index, internal, base, "{dir}/{slug}/", ["public", "internal"]) is None
