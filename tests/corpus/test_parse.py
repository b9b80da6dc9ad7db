"""The content model: frontmatter with key lines, the prose view, links, headings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.corpus import Document, QAEntry, load_corpus, parse_item, slugify

TEXT = """\
---
id: docs.a
title: Hello
status: approved
reviewed: 2026-01-02
tags: [a, b]
---
# Getting started

Prose with `inline code`, a [link text](../b.md#anchor "t") and https://example.com/x.
<!-- a note -->

```bash
curl https://api.example.com
```

    indented code

{{< shortcode foo >}} after <b>bold</b> tag.
"""


def test_frontmatter_fields_and_key_lines() -> None:
    item, problems = parse_item("content/docs/a.md", TEXT, "doc")
    assert problems == []
    assert isinstance(item, Document)
    assert (item.id, item.title, item.status, item.audience) == (
        "docs.a", "Hello", "approved", "public"
    )  # fmt: skip
    assert item.reviewed == dt.date(2026, 1, 2)
    assert item.tags == ("a", "b")
    assert item.meta_lines == {"id": 2, "title": 3, "status": 4, "reviewed": 5, "tags": 6}


def test_prose_view_keeps_offsets_and_blanks_non_prose() -> None:
    item, _ = parse_item("content/docs/a.md", TEXT, "doc")
    assert item is not None
    assert len(item.prose) == len(item.text)
    assert item.prose.count("\n") == item.text.count("\n")
    prose = item.prose
    for hidden in ("inline code", "../b.md", "https://", "curl", "indented", "shortcode", "<b>",
                   "a note", "docs.a"):  # fmt: skip
        assert hidden not in prose, hidden
    for shown in ("Getting started", "Prose with", "link text", "bold", "tag."):
        assert shown in prose, shown
    offset = prose.index("link text")
    assert item.text[offset : offset + 9] == "link text"
    assert item.position(offset).line == 10


def test_code_and_comment_spans() -> None:
    item, _ = parse_item("content/docs/a.md", TEXT, "doc")
    assert item is not None
    code = [item.text[s.start : s.end] for s in item.code_spans]
    assert "`inline code`" in code
    assert any("curl https://api.example.com" in c for c in code)
    assert [item.text[s.start : s.end] for s in item.comment_spans] == ["<!-- a note -->"]


def test_links_and_headings() -> None:
    item, _ = parse_item("content/docs/a.md", TEXT, "doc")
    assert item is not None
    assert [(link.text, link.url) for link in item.links] == [("link text", "../b.md#anchor")]
    link = item.links[0]
    assert item.text[link.span.start : link.span.end] == "../b.md#anchor"
    assert [(h.level, h.text, h.slug, h.line) for h in item.headings] == [
        (1, "Getting started", "getting-started", 8)
    ]


def test_slugify_matches_github_anchors() -> None:
    assert slugify("Printing the label") == "printing-the-label"
    assert slugify("What's new in 2.0?") == "whats-new-in-20"
    assert slugify("Plans & prices") == "plans--prices"


def test_qa_entry() -> None:
    text = "---\nid: qa.a\nquestion: How?\nalternates: [Why?]\nstatus: draft\nreviewed: 2026-01-01\n---\nLike this.\n"
    item, _ = parse_item("content/qa/a.md", text, "qa")
    assert isinstance(item, QAEntry)
    assert item.questions == ("How?", "Why?")
    assert item.display_title == "How?"
    assert item.body == "Like this.\n"


def test_crlf_line_endings_keep_positions() -> None:
    crlf = TEXT.replace("\n", "\r\n")
    item, problems = parse_item("content/docs/a.md", crlf, "doc")
    assert problems == [] and item is not None
    assert item.meta_lines["title"] == 3
    offset = item.prose.index("link text")
    assert item.position(offset).line == 10
    assert [h.line for h in item.headings] == [8]


def test_invalid_dates_stay_strings_for_the_schema_rule() -> None:
    text = "---\nid: a\ntitle: A\nstatus: approved\nreviewed: 2026-13-01\n---\n"
    item, problems = parse_item("content/docs/a.md", text, "doc")
    assert problems == [] and item is not None
    assert item.meta["reviewed"] == "2026-13-01"
    assert item.reviewed is None


def test_load_corpus_reports_problems_instead_of_raising(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ok.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    (tmp_path / "docs" / "bom.md").write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    corpus = load_corpus([tmp_path], tmp_path)
    assert sorted(item.path for item in corpus.items) == ["docs/bom.md", "docs/ok.md"]
    assert [(p.path, p.rule, p.line, p.column) for p in corpus.problems] == [
        ("docs/latin1.md", "schema.encoding", 2, 11)
    ]
