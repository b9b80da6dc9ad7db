"""The text a Vale rule sees: the prose and raw views, the blocks of each scope, and sentences
and paragraphs as units."""

from __future__ import annotations

import pytest

from pipeline.corpus import Item, parse_item
from pipeline.lint.vale.scopes import PLACEHOLDER, ItemViews, Scope


def item_of(text: str, path: str = "content/docs/case.md") -> Item:
    item, _problems = parse_item(path, text, "doc")
    assert item is not None
    return item


@pytest.mark.parametrize(
    "body",
    [
        "Run `make` now, see [docs](https://example.com) and <b>bold</b>.\n",
        "CJK 丠 `丠code丠` and 😀 `😀` and tabs\t`x`\r\n",
        "```\nfenced 丠\n```\n\n    indented\n",
        "No markup at all.\n",
    ],
)
def test_prose_view_marks_what_was_blanked(body: str) -> None:
    item = item_of(f"---\nid: doc.view\n---\n{body}")
    view = ItemViews(item).view(raw=False)
    start = item.body_start
    expected = item.prose[:start] + "".join(
        PLACEHOLDER if p != t else p
        for p, t in zip(item.prose[start:], item.text[start:], strict=True)
    )
    assert view == expected
    assert len(view) == len(item.text)


def test_raw_view_hides_only_the_frontmatter() -> None:
    item = item_of("---\nid: doc.raw\n---\nSee `code`.\n")
    raw = ItemViews(item).view(raw=True)
    assert raw == "   \n           \n   \nSee `code`.\n"


SCOPED = """\
---
id: doc.scoped
---
# Title one

Intro text.

## Part two

- item a
- item b

> quoted words

| Head | Col |
| ---- | --- |
| cell | two |
"""


@pytest.mark.parametrize(
    ("scope", "blocks"),
    [
        (("heading",), ["Title one", "Part two"]),
        (("heading.h2.md",), ["Part two"]),
        (("heading", "blockquote"), ["Title one", "Part two", "> quoted words"]),
        (("list",), ["- item a\n- item b"]),
        (("table.header",), ["| Head | Col |"]),
        (("table.cell",), ["| cell | two |"]),
        (("text & ~heading & ~list & ~table",), ["#", "Intro text.\n\n##", "> quoted words"]),
        (("summary",), ["#", "Intro text.\n\n##", "- item a\n- item b\n\n> quoted words"]),
    ],
)
def test_scopes(scope: tuple[str, ...], blocks: list[str]) -> None:
    views = ItemViews(item_of(SCOPED))
    found = [block.text.strip() for block in views.blocks(Scope.parse(scope))]
    assert [text for text in found if text] == blocks


@pytest.mark.parametrize("scope", [("text",), ("sentence",), ("paragraph",), ("alt",), ()])
def test_unknown_and_prose_scopes_see_the_whole_prose(scope: tuple[str, ...]) -> None:
    item = item_of(SCOPED)
    (block,) = ItemViews(item).blocks(Scope.parse(scope))
    assert (block.offset, block.pos) == (0, item.body_start)
    assert block.text == ItemViews(item).view(raw=False)


UNITS = """\
---
id: doc.units
---
# Title here

One. Two e.g. three! four? Five
six. "Quoted." Seven.
Eight

- Item one
- Item two
: A definition

| a b | c |
|-----|---|

```
code. Here
```
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_sentences_and_paragraphs_are_units(newline: str) -> None:
    views = ItemViews(item_of(UNITS.replace("\n", newline)))
    view = views.view(raw=False)

    def units(*scope: str) -> list[str]:
        spans = views.units(Scope.parse(scope))
        return [view[start:end].replace("\r\n", "\n") for start, end in spans]

    sentences = units("sentence")
    assert sentences == [
        "Title here",
        "One.",
        "Two e.g. three! four?",
        "Five\nsix.",
        '"Quoted."',
        "Seven.",
        "Eight",
        "Item one",
        "Item two",
        "A definition",
        "a b",
        "c",
    ]
    assert units("paragraph") == [
        "Title here",
        'One. Two e.g. three! four? Five\nsix. "Quoted." Seven.\nEight',
        *sentences[7:],
    ]
    assert units("sentence & ~heading") == sentences[1:]
    assert units("heading") == ["Title here"]


def test_raw_wins_in_a_list_of_scopes() -> None:
    item = item_of(SCOPED)
    (block,) = ItemViews(item).blocks(Scope.parse(("heading", "raw")))
    assert block.text.endswith("| cell | two |\n")
