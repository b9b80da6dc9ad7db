"""Regions map every analysed character back to its place in the file."""

from __future__ import annotations

from pipeline.corpus import Item, parse_item
from pipeline.lint.pii.entities import ENTITIES
from pipeline.lint.pii.regions import pattern_regions, prose_segments, shown_values

TEXT = """\
---
id: qa.refund
question: Can Maria Gonzalez get a refund?
alternates:
  - Refund for jane@acme.io
  - "Quoted: can't find it"
status: approved
reviewed: 2026-10-01
---
# Refunds for **Maria Gonzalez**

- First item with `inline code` inside.
- Second item, written by Customer John Smith.

| Plan | Owner |
| --- | --- |
| Pro | Olga Petrova |

{{< code-toggle >}}
title: Example
author:
  - Robert Smith
{{< /code-toggle >}}

```json
{"email": "olga@acme.io"}
```
Call +1 415 839 2274.
"""


def item() -> Item:
    parsed, problems = parse_item("content/qa/refund.md", TEXT, "qa")
    assert parsed is not None and not problems
    return parsed


def test_prose_segments_are_clean_text_mapped_to_the_file() -> None:
    it = item()
    segments = prose_segments(it)
    texts = [s.text for s in segments]
    assert "Refunds for Maria Gonzalez" in texts
    assert "First item with inside." in texts
    assert "Second item, written by Customer John Smith." in texts
    assert "Pro Olga Petrova" in texts
    assert not any("Robert" in t or "olga@acme.io" in t for t in texts)  # code and config
    heading = next(s for s in segments if s.text == "Refunds for Maria Gonzalez")
    start, end = heading.file_span(12, 26)
    assert it.text[start:end] == "Maria Gonzalez"
    row = next(s for s in segments if s.text == "Pro Olga Petrova")
    start, end = row.file_span(4, 16)
    assert it.text[start:end] == "Olga Petrova"


def test_shown_frontmatter_values_are_located_or_fall_back_to_their_key() -> None:
    it = item()
    values = list(shown_values(it))
    assert [(k, v) for k, v, _ in values] == [
        ("question", "Can Maria Gonzalez get a refund?"),
        ("alternates", "Refund for jane@acme.io"),
        ("alternates", "Quoted: can't find it"),
    ]
    for _key, value, offset in values:
        assert offset is not None and it.text[offset : offset + len(value)] == value
    segments = prose_segments(it)
    question = next(s for s in segments if s.key == "question")
    start, end = question.file_span(4, 18)
    assert it.text[start:end] == "Maria Gonzalez"


def test_filter_sees_cleaned_segments_before_they_are_built() -> None:
    seen: list[str] = []
    assert prose_segments(item(), lambda text: seen.append(text) or False) == []
    assert "Second item, written by Customer John Smith." in seen


def test_pattern_regions_cover_candidate_lines_in_code_and_prose() -> None:
    it = item()
    wanted = {name: ENTITIES[name].candidate for name in ("EMAIL_ADDRESS", "PHONE_NUMBER")}
    regions = pattern_regions(it, wanted)
    by_text = {r.text: r for r in regions}
    assert by_text["Refund for jane@acme.io"].key == "alternates"
    code = next(r for r in regions if "olga@acme.io" in r.text)
    assert code.entities == {"EMAIL_ADDRESS"}
    assert code.text.startswith("```json\n")  # the line before, for context words
    phone = next(r for r in regions if "415" in r.text)
    assert phone.entities == {"PHONE_NUMBER"}
    at = phone.text.index("+1 415")
    start, end = phone.file_span(at, at + 15)
    assert it.text[start:end] == "+1 415 839 2274"
