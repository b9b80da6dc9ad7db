"""Long texts reach Presidio and spaCy in overlapping windows, never over spaCy's limit.

The window size is made small here (monkeypatched) so that a value can be put exactly on a
cut without writing a megabyte; the one-megabyte file itself is in the slow suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus.parse import parse_item
from pipeline.lint.pii import regions, scanner
from pipeline.lint.pii.entities import ENTITIES
from pipeline.lint.pii.regions import Region, pattern_regions, prose_segments, windows
from tests.lint.rules.test_pii import DOC_HEAD, lint

SIZE = 2_000
CARD = "4539 1488 0343 6467"
NAME = "Maria Gonzalez"


def _cuts(parts: list[Region]) -> list[int]:
    """The region offsets where one window's kept stretch ends and the next one's begins."""
    cuts, at = [], 0
    for part in parts[:-1]:
        assert part.keep is not None
        at += part.keep[1] - part.keep[0]
        cuts.append(at)
    return cuts


@pytest.mark.parametrize("length", [1, 1_999, 2_000, 2_001, 5_000, 12_345])
@pytest.mark.parametrize("blank_every", [0, 1, 7, 600])
def test_windows_cover_the_region_once_within_the_size(length: int, blank_every: int) -> None:
    text = "".join(
        " " if blank_every and i % blank_every == blank_every - 1 else "x" for i in range(length)
    )
    region = Region(text, ((0, 100),))
    parts = windows(region, SIZE)
    assert all(len(p.text) <= SIZE for p in parts)
    kept = [p.text[p.keep[0] : p.keep[1]] if p.keep else p.text for p in parts]
    assert "".join(kept) == text  # every character is some window's, and only one's
    for part in parts:  # each window maps back to the file where its text is
        lo = part.file_offset(0) - 100
        assert text[lo : lo + len(part.text)] == part.text


def _doc(line: str) -> str:
    return DOC_HEAD + "# Case\n\n" + line + "\n"


def _card_region(text: str) -> Region:
    item = parse_item("content/docs/case.md", text, "doc")[0]
    assert item is not None
    found = pattern_regions(item, {"CREDIT_CARD": ENTITIES["CREDIT_CARD"].candidate})
    return next(r for r in found if CARD in r.text)


def test_a_card_number_cut_by_a_window_is_found_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scanner, "MAX_PATTERN_REGION", SIZE)
    target = SIZE - 2 * regions.OVERLAP  # where the first window's kept stretch ends (at most)
    # No blank in the line near the cut but the card's own: the cut falls inside the card.
    line = "Card " + "x" * (target - 16) + " " + CARD + " " + "y" * 3_000
    text = _doc(line)
    region = _card_region(text)
    start = region.text.index(CARD)
    assert any(start < cut < start + len(CARD) for cut in _cuts(windows(region, SIZE)))

    report = lint(tmp_path, {"content/docs/case.md": text}, select=("pii.credit_card",))
    column = line.index(CARD) + 1
    assert [(f.rule, f.line, f.column) for f in report.findings] == [("pii.credit_card", 9, column)]


def test_a_name_cut_by_a_window_is_found_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regions, "MAX_SEGMENT", SIZE)
    target = SIZE - 2 * regions.OVERLAP
    sentence = "The parcel is on its way to the locker."
    filler = " ".join([sentence] * ((target - 40) // (len(sentence) + 1)))
    pad = target - len(NAME.split()[0]) - 1 - len(filler) - len(" Please contact ") - 1
    prefix = f"{filler} {'x' * pad} Please contact"
    line = f"{prefix} {NAME} about the refund. " + " ".join([sentence] * 60)
    text = _doc(line)
    item = parse_item("content/docs/case.md", text, "doc")[0]
    assert item is not None
    monkeypatch.setattr(regions, "MAX_SEGMENT", 10**6)
    whole = next(r for r in prose_segments(item) if NAME in r.text)
    monkeypatch.setattr(regions, "MAX_SEGMENT", SIZE)
    start = whole.text.index(NAME)
    assert any(start < cut < start + len(NAME) for cut in _cuts(windows(whole, SIZE)))

    report = lint(tmp_path, {"content/docs/case.md": text}, select=("pii.person",))
    assert [(f.rule, f.line, f.column) for f in report.findings] == [
        ("pii.person", 9, line.index(NAME) + 1)
    ]


@pytest.mark.slow
def test_a_table_of_numbers_over_spacys_limit_is_linted(tmp_path: Path) -> None:
    """The issue's reproduction: a 1.2 MB table of numbers raised spaCy's E088."""
    rows = [f"| {i} | {i * 7919 % 100000} | {i * 31} |" for i in range(45_000)]
    body = "| a | b | c |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    assert len(body) > 1_000_000
    report = lint(tmp_path, {"content/docs/case.md": DOC_HEAD + body}, select=("pii",))
    assert report.exit_code in (0, 1)
