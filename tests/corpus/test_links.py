"""Link resolution as site generators do it (:mod:`pipeline.corpus.links`), on page sets in the
style of a Hugo versioned docs site and a Jekyll help centre (made up here)."""

from __future__ import annotations

import pytest

from pipeline.config import LinksConfig
from pipeline.corpus.links import (
    LinkIndex,
    PageInfo,
    Resolution,
    anchor_ids,
    fill_pattern,
    github_slug,
    heading_ids,
    is_asset,
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


# --- render hooks, GetPage, assets, ref shortcodes, aliases (issue 13) ---------------------------

DOCS = [
    PageInfo("content/methods/page/Date.md"),
    PageInfo("content/content-management/menus.md"),
    PageInfo("content/content-management/multilingual.md"),
    PageInfo("content/templates/introduction.md"),
    PageInfo("content/host/netlify/index.md"),
    PageInfo("content/v3/install.md", aliases=("setup", "../old-setup", "/v2/setup/")),
]
FILES = {"static/images/logo.png", "assets/images/sunset.jpg", "content/host/netlify/a.png"}


def docs(**kwargs: object) -> LinkIndex:
    config = LinksConfig(**kwargs)  # type: ignore[arg-type]
    return LinkIndex(DOCS, "content", config, exists=FILES.__contains__)


def test_hook_patterns_leave_links_unchecked() -> None:
    intro = "content/templates/introduction.md"
    assert docs().resolve(intro, "g").kind == "missing"
    hooked = docs(unchecked=["^g$", r"^/glossary/#"])
    assert hooked.resolve(intro, "g") == Resolution("unchecked", reason="hook")
    assert hooked.resolve(intro, "/glossary/#term") == Resolution("unchecked", reason="hook")
    assert hooked.resolve(intro, "gg").kind == "missing"


@pytest.mark.parametrize(
    ("from_path", "link", "target"),
    [
        ("content/templates/introduction.md", "methods/page/date/", "content/methods/page/Date.md"),
        ("content/templates/introduction.md", "/METHODS/page/Date.md", "content/methods/page/Date.md"),
        ("content/content-management/menus.md", "multilingual/", "content/content-management/multilingual.md"),
        ("content/content-management/menus.md", "Multilingual#x", "content/content-management/multilingual.md"),
        ("content/templates/introduction.md", "host/netlify", "content/host/netlify/index.md"),
        ("content/templates/introduction.md", "host/netlify/index.md", "content/host/netlify/index.md"),
    ],
)  # fmt: skip
def test_getpage_finds_content_files_by_path(from_path: str, link: str, target: str) -> None:
    assert docs().resolve(from_path, link).kind == "missing"
    assert docs(getpage=True).resolve(from_path, link).target == target


def test_getpage_does_not_climb_out_of_the_content_root() -> None:
    index = docs(getpage=True)
    assert index.get_page("content/templates/introduction.md", "../../methods/page/date") is None
    assert index.get_page("content/templates/introduction.md", "../methods/page/date") == (
        "content/methods/page/Date.md"
    )
    assert index.get_page("content/templates/introduction.md", "https://x.example/") is None


def test_files_served_at_the_root_are_found_in_the_asset_folders() -> None:
    intro = "content/templates/introduction.md"
    assert docs().resolve(intro, "/images/logo.png") == Resolution("file", "static/images/logo.png")
    assert docs(asset_dirs=[]).resolve(intro, "/images/logo.png").kind == "missing"
    assert docs().resolve(intro, "images/sunset.jpg").kind == "missing"  # relative: no
    found = docs(getpage=True).resolve(intro, "images/sunset.jpg")  # a global resource
    assert found == Resolution("file", "assets/images/sunset.jpg")


def test_missing_assets_are_unchecked_when_the_repository_does_not_hold_them() -> None:
    bundle = "content/host/netlify/index.md"
    assert docs(check_assets=False).resolve(bundle, "a.png") == Resolution(
        "file", "content/host/netlify/a.png"
    )
    for link in ("b.png", "../files/form.PDF", "/img/x.svg?v=2"):
        assert docs(check_assets=False).resolve(bundle, link).reason == "asset"
    for link in ("b.md", "../vercel/", "install", "b.html"):
        assert docs(check_assets=False).resolve(bundle, link).kind == "missing"
    assert is_asset("a/b.png") and not is_asset("a/.hidden") and not is_asset("a.b/")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ('{{< ref "/v3/install.md" >}}', Resolution("page", "content/v3/install.md", reason="ref")),
        ('{{< ref "/v3/install#step" >}}', Resolution("page", "content/v3/install.md", "step", "ref")),
        ('{{< relref "../v3/install.md" >}}#x', Resolution("page", "content/v3/install.md", "x", "ref")),
        ('{{% relref path="/v3/install" lang="en" %}}', Resolution("page", "content/v3/install.md", reason="ref")),
        ('{{<ref `/v3/install.md`>}}', Resolution("page", "content/v3/install.md", reason="ref")),
        ("{{< ref /v3/install >}}", Resolution("page", "content/v3/install.md", reason="ref")),
        ('{{< ref "#top" >}}', Resolution("page", "content/templates/introduction.md", "top", "ref")),
        ('{{< ref "/v3/gone.md" >}}', Resolution("missing", "/v3/gone.md", reason="ref")),
        ('{{< ref "/v3/install.md >}}', Resolution("unchecked", reason="template")),
        ('{{< ref path=`/v3/install.md >}}', Resolution("unchecked", reason="template")),
        ("{{< ref >}}", Resolution("unchecked", reason="template")),
        ('{{< ref "/v3/install.md" >}}{{ .x }}', Resolution("unchecked", reason="template")),
    ],
)  # fmt: skip
def test_ref_and_relref_shortcodes(link: str, expected: Resolution) -> None:
    assert docs().resolve("content/templates/introduction.md", link) == expected


def test_relative_aliases_are_relative_to_the_page_section() -> None:
    intro = "content/templates/introduction.md"
    for alias in ("/v3/setup/", "/old-setup/", "/v2/setup/"):
        assert docs().resolve(intro, alias).target == "content/v3/install.md"
    assert docs().resolve(intro, "/setup/").kind == "missing"


def test_terms_and_headings_share_one_register_of_ids() -> None:
    events = [("t", "cascade"), ("h", "Cascade"), ("x", "cascade-2"), ("h", "Cascade")]
    assert anchor_ids(events, "github") == ["cascade", "cascade-1", "cascade-2", "cascade-3"]
    assert anchor_ids(events, "kramdown") == ["cascade", "cascade-1", "cascade-2"]
