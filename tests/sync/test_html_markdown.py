"""The HTML → Markdown converter behind `kbsync import`."""

from __future__ import annotations

import pytest

from pipeline.sync.html_markdown import html_to_markdown, looks_like_html, to_markdown
from pipeline.sync.payload import readable_text


def test_headings_paragraphs_emphasis_links_and_breaks() -> None:
    html = (
        "<h1>Returns &amp; refunds</h1><h3>Window</h3>"
        "<p>Send it back within <strong>30 days</strong>, <em>unworn</em>. "
        'See <a href="https://parcelly.example/returns">the policy</a>.<br>Thanks</p>'
    )
    assert html_to_markdown(html) == (
        "# Returns & refunds\n\n### Window\n\n"
        "Send it back within **30 days**, *unworn*. "
        "See [the policy](https://parcelly.example/returns).\\\nThanks\n"
    )


def test_lists_nested_and_numbered() -> None:
    html = (
        "<ul><li>One <b>item</b><ul><li>nested</li></ul></li><li>Two</li></ul>"
        '<ol start="3"><li>three</li><li><p>four</p><p>more</p></li></ol>'
    )
    assert html_to_markdown(html) == (
        "- One **item**\n  - nested\n- Two\n\n3. three\n4. four\n\n   more\n"
    )


def test_code_tables_quotes_and_rules() -> None:
    html = (
        "<pre><code>a *b* ```c```</code></pre><p>Run <code>kbsync plan</code></p>"
        "<table><thead><tr><th>Plan</th><th>Price</th></tr></thead>"
        "<tbody><tr><td>A|B</td><td>$5</td></tr><tr><td>C</td></tr></tbody></table>"
        "<blockquote><p>quoted</p><p>twice</p></blockquote><hr>"
    )
    assert html_to_markdown(html) == (
        "````\na *b* ```c```\n````\n\nRun `kbsync plan`\n\n"
        "| Plan | Price |\n| --- | --- |\n| A\\|B | $5 |\n| C |  |\n\n"
        "> quoted\n>\n> twice\n\n---\n"
    )


def test_scripts_styles_and_comments_are_dropped_unknown_tags_keep_their_text() -> None:
    html = (
        "<style>p{}</style><p>Hello <span class='x'>there</span><!-- note --></p>"
        "<script>track()</script><custom>kept</custom>"
    )
    assert html_to_markdown(html) == "Hello there\n\nkept\n"


def test_unclosed_and_stray_tags_are_forgiven() -> None:
    html = "<p>first<p>second</b><ul><li>a<li>b</ul></div><table><tr><td>x<td>y</table>"
    assert html_to_markdown(html) == ("first\n\nsecond\n\n- a\n- b\n\n| x | y |\n| --- | --- |\n")


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>5 * 3 = 15_000 [sic] &lt;tag&gt;</p>", "5 * 3 = 15_000 [sic] <tag>\n"),
        ("<p># not a heading</p>", "# not a heading\n"),
        ("<p>1. not a list</p>", "1. not a list\n"),
        ("<p>- not a bullet</p>", "- not a bullet\n"),
        ("<p>a\\b `c`</p>", "a\\b `c`\n"),
    ],
)
def test_markup_characters_in_text_stay_text(html: str, text: str) -> None:
    """What the payload renders from the Markdown is the HTML's own text."""
    assert readable_text(html_to_markdown(html)) == text


def test_the_payload_of_converted_html_reads_like_the_page() -> None:
    html = "<h2>Lockers</h2><p>Open at <b>7</b>.</p><ul><li>Pick up</li><li>Return</li></ul>"
    assert readable_text(to_markdown(html)) == "Lockers\n\nOpen at 7.\n\n- Pick up\n- Return\n"


def test_plain_text_and_markdown_are_kept() -> None:
    assert not looks_like_html("Prices in <EUR> and a < b")
    assert to_markdown("## Title\r\n\r\nSome **bold** text.") == "## Title\n\nSome **bold** text."
    assert looks_like_html("Text with <br> a break")


def test_empty_html_is_empty() -> None:
    assert html_to_markdown("<p> </p><script>x</script>") == ""
