"""docs/architecture.md names only what exists, and every room of the package is on it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
NAMED = re.compile(r"`(pipeline/[\w/.<>*-]*)`")


def named_paths() -> set[str]:
    return set(NAMED.findall(PAGE.read_text(encoding="utf-8")))


def test_every_path_the_page_names_exists() -> None:
    missing = sorted(
        path
        for path in named_paths()
        if "<" not in path and "*" not in path and not (ROOT / path).exists()
    )
    assert missing == []


def test_every_part_of_the_package_is_on_the_page() -> None:
    page = PAGE.read_text(encoding="utf-8")
    parts = sorted(
        p.name
        for p in (ROOT / "pipeline").iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and not p.name.startswith("_"))
    )
    absent = [part for part in parts if f"pipeline/{part}" not in page and part not in page]
    assert absent == []


def test_the_page_names_paths_at_all() -> None:
    """The pattern above must keep matching the page's way of naming paths."""
    assert len(named_paths()) > 20
