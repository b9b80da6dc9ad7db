"""Normalisation never drops prose (issue 12, item 8).

markdown-it stops at 20 levels of nesting and skips the rest of the container; the normaliser
flattens what lies deeper instead, so every word of the body's prose reaches the payload. Only
comments, kbsync directives and tags are removed.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.corpus import parse_item
from pipeline.sync.payload import outbound_for, readable_text

WORDS = st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8)


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text))


def test_a_list_nested_ten_deep_keeps_the_paragraph_after_it() -> None:
    nested = "".join("  " * i + f"- level{'abcdefghij'[i]}\n" for i in range(10))
    text = readable_text(nested + "\nThe closing paragraph.\n\nAnd the last one.\n")
    for level in "abcdefghij":
        assert f"level{level}" in text
    assert text.endswith("\n\nThe closing paragraph.\n\nAnd the last one.\n")
    assert text.startswith("- levela\n  - levelb\n")


def test_five_thousand_nested_quotes_keep_their_text() -> None:
    text = readable_text(">" * 5000 + " deep words here\n\nafter them\n")
    assert text == "deep words here\n\nafter them\n"
    assert readable_text(">" * 5000 + " alone\n") == "alone\n"


def test_flattened_lines_map_to_their_source_lines() -> None:
    body = "".join("  " * i + f"- level{i}\n" for i in range(10)) + "\nsecret paragraph\n"
    source = f"---\nid: docs.deep\ntitle: Deep\nstatus: approved\n---\n{body}"
    item, _ = parse_item("content/docs/deep.md", source, "doc")
    assert item is not None
    _, outbound = outbound_for(item, "content")
    lines = outbound.text.split("\n")
    assert outbound.origin(lines.index("secret paragraph")) == (17, 17)
    assert outbound.origin(lines.index("- level9")) == (15, 15)
    assert outbound.origin(0) == (3, 3)  # the title, on its frontmatter line


@st.composite
def inline(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A line of prose: words, some wrapped in emphasis, code, links or tags."""
    chosen = draw(st.lists(WORDS, min_size=1, max_size=6))
    parts = []
    for word in chosen:
        wrap = draw(st.sampled_from(["", "**", "*", "`", "link", "span", "_"]))
        if wrap == "link":
            parts.append(f"[{word}](https://docs.example/{word})")
        elif wrap == "span":
            parts.append(f'<span class="x">{word}</span>')
        else:
            parts.append(f"{wrap}{word}{wrap}")
    return " ".join(parts), chosen


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> tuple[str, list[str]]:
    kind = draw(st.sampled_from(["para", "heading", "list", "quote", "code", "comment"]))
    text, chosen = draw(inline())
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + text, chosen
    if kind == "list":
        levels = draw(st.integers(1, 14))
        lines, every = [], []
        for level in range(levels):
            item, item_words = draw(inline())
            marker = draw(st.sampled_from(["-", "*", "1."]))
            lines.append("  " * level * (2 if marker == "1." else 1) + f"{marker} {item}")
            every += item_words
        return "\n".join(lines), every
    if kind == "quote":
        return ">" * draw(st.integers(1, 60)) + " " + text, chosen
    if kind == "code":
        return f"```\n{' '.join(chosen)}\n```", chosen
    if kind == "comment":
        return f"<!-- {text} -->", []  # comments are removed: their words need not arrive
    return text, chosen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(block(), min_size=1, max_size=8))
def test_every_word_of_the_prose_reaches_the_payload(blocks: list[tuple[str, list[str]]]) -> None:
    markdown = "\n\n".join(text for text, _ in blocks) + "\n"
    expected = {word for _, chosen in blocks for word in chosen}
    missing = expected - words(readable_text(markdown))
    assert not missing, f"dropped {sorted(missing)} from:\n{markdown}"
