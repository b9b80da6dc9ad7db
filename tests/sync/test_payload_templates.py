"""Template and shortcode links in payloads (issue 13, item 2): what lint resolves becomes the
target's public URL, the rest keeps its label; no `{{ … }}` / `{% … %}` text reaches Uppzy
outside code, and code stays verbatim. Page sets in the style of a Hugo versioned docs site and
a Jekyll help centre, made up here."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.config import LinksConfig, SiteConfig
from pipeline.corpus import parse_item
from pipeline.corpus.links import LinkIndex, PageInfo
from pipeline.sync.links import SiteLinks
from pipeline.sync.payload import outbound_for, readable_text
from pipeline.sync.templates import protect

HUGO_PAGES = [
    PageInfo("content/v3/learning/api.md"),
    PageInfo("content/v3/learning/guarantees.md"),
    PageInfo("content/v3/ops/backup/index.md"),
    PageInfo("content/v3/ops/runbook.md", audience="internal"),
    PageInfo("content/v3/install.md", slug="setup"),
]
HUGO_SITE = SiteConfig(public_base_url="https://docs.example", url_pattern="/{dir}/{slug}/")
HERE = "content/v3/learning/guarantees.md"

JEKYLL_PAGES = [
    PageInfo("content/_articles/webvault.md"),
    PageInfo("content/_articles/two-step.md"),
    PageInfo("content/_articles/staff.md", audience="internal"),
]
JEKYLL_LINKS = LinksConfig(
    permalink="/article/{name}/",
    templates={"{{site.baseurl}}": "", "{{site.url}}": "https://vault.example"},
)
JEKYLL_SITE = SiteConfig(public_base_url="https://vault.example", url_pattern="/article/{name}/")
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def hugo_links(site: SiteConfig = HUGO_SITE) -> SiteLinks:
    return SiteLinks(LinkIndex(HUGO_PAGES, "content", LinksConfig()), site)


def jekyll_links() -> SiteLinks:
    return SiteLinks(LinkIndex(JEKYLL_PAGES, "content", JEKYLL_LINKS), JEKYLL_SITE)


def render(body: str, links: SiteLinks | None = None, path: str = HERE) -> str:
    """The payload content of a page at `path` with `body`, minus its title line."""
    source = f"---\nid: docs.x\ntitle: T\nstatus: approved\n---\n{body}"
    item, _ = parse_item(path, source, "doc")
    assert item is not None
    payload, outbound = outbound_for(item, "content", links.rewrite if links else None)
    assert outbound.text.endswith(payload.content.rstrip("\n"))
    return payload.content


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ('[a]({{< relref "api.md" >}})', "a (https://docs.example/v3/learning/api/)"),
        (
            '[b]({{< ref "/v3/ops/backup" >}}#restore)',
            "b (https://docs.example/v3/ops/backup/#restore)",
        ),
        (
            '[c]({{% relref path="../ops/backup/index.md#restore" %}})',
            "c (https://docs.example/v3/ops/backup/#restore)",
        ),
        ("[d]({{<ref `api`>}})", "d (https://docs.example/v3/learning/api/)"),
        ('[e]({{< ref "/v3/install" >}} "Install")', "e (https://docs.example/v3/setup/)"),
        ('[f]({{< ref "nope.md" >}})', "f"),  # a missing page: lint reports it, the label stays
        ('[g]({{< ref "api.md >}})', "g"),  # an unclosed quote: unchecked by lint
        ('[h]({{< relref "#local" >}})', "h"),  # this page's own anchor
        ('[i]({{< ref "../ops/runbook.md" >}})', "i"),  # internal content
        ('[j]({{< figure src="x.png" >}})', "j"),  # not a page reference
        ('[k]({{<relref "api.md">}})', "k (https://docs.example/v3/learning/api/)"),
        (
            '[see [the] API]({{< ref "api" >}})',
            "see [the] API (https://docs.example/v3/learning/api/)",
        ),
        (
            '[l][ref]\n\n[ref]: {{< ref "/v3/ops/backup" >}}',
            "l (https://docs.example/v3/ops/backup/)",
        ),
    ],
)
def test_hugo_ref_links_become_public_urls_or_their_label(markdown: str, expected: str) -> None:
    assert render(markdown, hugo_links()) == expected + "\n"


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            "[Web Vault]({{ site.baseurl }}/article/webvault/#log-in)",
            "Web Vault (https://vault.example/article/webvault/#log-in)",
        ),
        (
            '[Web Vault]({{  site.baseurl  }}/article/webvault/ "The vault")',
            "Web Vault (https://vault.example/article/webvault/)",
        ),
        (
            "[Web Vault]({% link _articles/webvault.md %}#log-in)",
            "Web Vault (https://vault.example/article/webvault/#log-in)",
        ),
        (
            "[Web Vault]({{ site.url }}/article/webvault/?utm_source=kb)",
            "Web Vault (https://vault.example/article/webvault/)",
        ),
        ("[Gone]({{ site.baseurl }}/article/gone/)", "Gone"),
        ("[Staff]({{ site.baseurl }}/article/staff/)", "Staff"),  # internal content
        ("[Other]({{ site.other }}/article/webvault/)", "Other"),  # not substituted: unchecked
        ("[Other](https://{{ site.domain }}/x)", "Other"),
        ("[Form]({% link files/form.pdf %})", "Form"),  # not content
        (
            "[Two-step]({{ site.baseurl }}/article/two-step/#codes)",
            "Two-step (https://vault.example/article/two-step/#codes)",
        ),
    ],
)
def test_jekyll_liquid_links_become_public_urls_or_their_label(
    markdown: str, expected: str
) -> None:
    path = "content/_articles/two-step.md"
    assert render(markdown, jekyll_links(), path) == expected + "\n"


def test_a_site_without_public_urls_keeps_only_labels_but_substitutes_external_ones() -> None:
    jekyll = SiteLinks(LinkIndex(JEKYLL_PAGES, "content", JEKYLL_LINKS), SiteConfig(), JEKYLL_LINKS)
    body = "[A]({{ site.baseurl }}/article/webvault/) [B]({{ site.url }}/status/)"
    assert render(body, jekyll) == "A B (https://vault.example/status/)\n"
    assert render('[a]({{< relref "api.md" >}})', hugo_links(SiteConfig())) == "a\n"
    assert render('[a]({{< relref "api.md" >}}) {{< ref "api.md" >}}') == "a\n"


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            'See {{< relref "api.md" >}} for more.',
            "See https://docs.example/v3/learning/api/ for more.",
        ),
        ('See {{< ref "nope.md" >}} for more.', "See for more."),
        ('{{< figure src="x.png" caption="A chart" >}}\n\nAfter.', "After."),
        ("{{% note %}}Keep it **dry**.{{% /note %}}", "Keep it dry."),
        ("{{< note >}}\nKeep it dry.\n{{< /note >}}", "Keep it dry."),
        ("Welcome to {{ site.title }}!", "Welcome to !"),
        ('{{% include "/_common/options.md" %}}\n\nText.', "Text."),
        ('Escaped {{</* ref "x" */>}} shortcode.', "Escaped shortcode."),
        ("{% if site.beta %}Beta{% endif %} only.", "Beta only."),
        ("# API {{< new-in 0.120.0 >}}", "API"),
        ('![A {{< param "name" >}} chart](x.png)', "A chart"),
        ("| a | {{< yes >}} |\n|---|---|\n| b | c |", "a |\nb | c"),
    ],
)
def test_bare_shortcodes_are_removed_and_page_references_become_urls(
    markdown: str, expected: str
) -> None:
    assert render(markdown, hugo_links()) == expected + "\n"


def test_a_multi_line_shortcode_is_removed_and_later_lines_keep_their_origin() -> None:
    body = (
        "Before.\n\n"
        "{{< img\n"
        '  src="images/examples/zion.jpg"\n'
        '  alt="Zion National Park"\n'
        '  filter="Process" >}}\n'
        "\nAfter the picture.\n"
    )
    source = f"---\nid: docs.x\ntitle: T\nstatus: approved\n---\n{body}"
    item, _ = parse_item(HERE, source, "doc")
    assert item is not None
    payload, outbound = outbound_for(item, "content")
    assert payload.content == "Before.\n\nAfter the picture.\n"
    lines = outbound.text.split("\n")
    assert outbound.origin(lines.index("After the picture.")) == (13, 13)


@pytest.mark.parametrize(
    "markdown",
    [
        'Write `[a]({{< relref "api.md" >}})` for a link.',
        '```\n[a]({{< relref "api.md" >}})\n{{ .Title }} {% link x.md %}\n```',
        '    {{< figure src="x.png" >}}\n    {{ site.baseurl }}',
        '```go-html-template\n{{< img\n  src="x.jpg" >}}\n{{ range .Pages }}{{ .Title }}{{ end }}\n```',
        "```\n\ue000 0\ue001 \ue002 {{ x }}\n```",
    ],
)
def test_code_keeps_shortcodes_verbatim(markdown: str) -> None:
    without_fences = "\n".join(
        line.removeprefix("    ") for line in markdown.split("\n") if not line.startswith("```")
    )
    text = render(markdown, hugo_links())
    if markdown.startswith(("```", "    ")):
        assert text == without_fences + "\n"
    else:
        assert text == 'Write [a]({{< relref "api.md" >}}) for a link.\n'


def test_an_unclosed_shortcode_stays_text_and_loses_nothing_after_it() -> None:
    body = (
        'Open [Install]({{< relref "install.md" ) now.\n\n'
        "```\ncode }}\n```\n\n"
        '[API]({{< ref "api.md" >}}) and the last words.\n'
    )
    assert render(body, hugo_links()) == (
        'Open [Install]({{< relref "install.md" ) now.\n\n'
        "code }}\n\n"
        "API (https://docs.example/v3/learning/api/) and the last words.\n"
    )


def test_an_expression_never_spans_a_blank_line_or_a_fence() -> None:
    body = "Type {{< here\n\nand }} there.\n\nAnd {{ here\n```\n}}\n```\nend.\n"
    assert render(body) == "Type {{< here\n\nand }} there.\n\nAnd {{ here\n\n}}\n\nend.\n"


def test_nested_braces_are_one_expression() -> None:
    body = (
        '[x]({{< ref path="{{ .Site.Params.api }}" >}}) {{< note a="{{ b }}" >}}text{{< /note >}}'
    )
    text = render(body, hugo_links())
    assert text == "x text\n"


def test_a_ten_thousand_character_template_is_one_expression() -> None:
    long = "{{< " + "x" * 10_000 + " >}}"
    assert render(f"Before {long} after.\n\n[a]({long})") == "Before after.\n\na\n"
    opened = "{{" * 5_000  # 10,000 characters, never closed: text as written
    assert render(f"Before {opened} after.") == f"Before {opened} after.\n"


def test_placeholder_characters_in_the_file_survive() -> None:
    body = "Private \ue000 use \ue0011\ue001 and \ue002 here {{ gone }}."
    assert render(body) == "Private \ue000 use \ue0011\ue001 and \ue002 here .\n"


def test_text_without_templates_is_rendered_exactly_as_before() -> None:
    source = 'A {curly} thing, JSON `{"a": {"b": 1}}`, 50% off, }} and %} alone.\n'
    assert protect(source) == (source, protect(source)[1])
    assert not protect(source)[1].originals
    assert readable_text(source) == (
        'A {curly} thing, JSON {"a": {"b": 1}}, 50% off, }} and %} alone.\n'
    )


PROSE = st.text("abc ", min_size=1, max_size=6)
EXPRESSIONS = st.sampled_from(
    [
        '{{< ref "api.md" >}}',
        '{{< figure src="x" >}}',
        "{{% note %}}",
        "{{% /note %}}",
        "{{ site.title }}",
        "{% if x %}",
        '{{< a b="{{ c }}" >}}',
        "{{<\nimg >}}",
    ]
)


@given(st.lists(st.one_of(PROSE, EXPRESSIONS, PROSE.map(lambda w: f"[{w}]({{{{ x }}}}/y)"))))
def test_no_expression_reaches_the_payload_outside_code(parts: list[str]) -> None:
    text = render("".join(parts) or "x", hugo_links())
    assert not TEMPLATE.search(text), text


UNTEMPLATED = """\
# Lockers

Lockers open at 7 am. See [Plans](../billing/plans.md#plans-at-a-glance), [our blog](https://blog.example/x?utm_source=a)
and the [runbook](runbook.md). JSON: `{"a": {"b": 1}}` and 50% off.

| Size | Price {curly} |
|------|-------|
| S    | 3 EUR |

```json
{"nested": {"x": 1}}
```

- one
- two with **bold** and <span>tag</span>
"""


def test_a_document_without_templates_keeps_its_payload_hash() -> None:
    """Only documents whose text changes get a new hash (PAYLOAD_FORMAT is not bumped): this
    hash was computed by the renderer before template expressions were read."""
    source = f"---\nid: docs.lockers\ntitle: Lockers\nstatus: approved\n---\n{UNTEMPLATED}"
    item, _ = parse_item("content/docs/shipping/lockers.md", source, "doc")
    assert item is not None
    pages = [
        PageInfo("content/docs/billing/plans.md"),
        PageInfo("content/docs/shipping/lockers.md"),
        PageInfo("content/docs/shipping/runbook.md", audience="internal"),
    ]
    links = SiteLinks(
        LinkIndex(pages, "content", LinksConfig()),
        SiteConfig(public_base_url="https://help.example"),
    )
    payload, _ = outbound_for(item, "content", links.rewrite)
    assert payload.content_hash == (
        "de45ada6ff9ce699aca32f97b3a51c4f65f385ea45f8b3b46112cf7d70f2789c"
    )


CODE_TEXT = st.text(alphabet="{}%<>/ \nabx\ue000\ue001\ue002\"'", max_size=80)


@given(CODE_TEXT)
def test_fenced_code_is_verbatim_whatever_braces_it_holds(content: str) -> None:
    text = readable_text(f"Code:\n\n~~~~\n{content}\n~~~~\n")
    expected = [line.rstrip() for line in content.split("\n") if line.strip()]
    assert [line for line in text.split("\n")[1:] if line.strip()] == expected


@given(st.text(alphabet="{}%<>/abx\ue000\ue001\ue002\"'", min_size=1, max_size=80))
def test_a_code_span_is_verbatim_whatever_braces_it_holds(content: str) -> None:
    assert readable_text(f"Code: ``` {content} ``` end.") == f"Code: {content} end.\n"
