"""README.md and docs/ stand alone: every relative link resolves to a file in the repository."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _hrefs(tokens: list[Token]) -> list[str]:
    found: list[str] = []
    for token in tokens:
        if token.type == "link_open":
            found.append(str(token.attrs.get("href", "")))
        elif token.type == "image":
            found.append(str(token.attrs.get("src", "")))
        if token.children:
            found += _hrefs(token.children)
    return found


def relative_links(page: Path) -> list[str]:
    """The page's Markdown links and images that name a file (no scheme, not only `#…`), as
    a Markdown parser reads them: examples in code spans and code blocks are not links."""
    tokens = MarkdownIt("commonmark").enable("table").parse(page.read_text(encoding="utf-8"))
    targets = [unquote(t.split("#", 1)[0]) for t in _hrefs(tokens)]
    return [t for t in targets if t and not EXTERNAL.match(t)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve_inside_the_repository(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        resolved = (page.parent / target).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(target)
    assert broken == []


def test_no_page_names_a_file_outside_the_repository() -> None:
    """Not even as text: `../shared/API.md` is what a reader of a clone cannot open."""
    outside = [page.name for page in PAGES if "../shared" in page.read_text(encoding="utf-8")]
    assert outside == []


def test_the_checker_sees_links_at_all() -> None:
    readme = relative_links(ROOT / "README.md")
    assert "docs/uppzy-api.md" in readme
    assert "docs/report.png" in readme


def test_a_link_leaving_the_repository_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("See [the API](../shared/API.md) and [x](https://example.com).\n")
    assert relative_links(page) == ["../shared/API.md"]
