"""Identifiers that become file names and git refs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ids import contained, is_safe_id, shown


@pytest.mark.parametrize(
    "value",
    [
        "s_local",
        "help.v2",
        "A-1",
        "_x",
        "-x",
        "t_" + "a" * 126,
        "a.b.c",
        "console",
        "com10",
        "nul_x",
    ],
)
def test_safe_ids(value: str) -> None:
    assert is_safe_id(value)


@pytest.mark.parametrize(
    "value",
    ["", ".", "..", ".hidden", "a..b", "../x", "a/b", "a\\b", "x.", "x.lock", "a b", "a\nb",
     "é", "x" * 129, "a:b", "a@{b", None, 3, "s_help\n", "CON", "nul", "Aux.v2", "com1", "LPT9"],
)  # fmt: skip
def test_unsafe_ids(value: object) -> None:
    assert not is_safe_id(value)


def test_contained_resolves_links_and_dots(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "out").symlink_to(tmp_path)
    assert contained(tmp_path / "root", tmp_path / "root" / "a" / "b.json")
    assert not contained(tmp_path / "root", tmp_path / "root" / ".." / "b.json")
    assert not contained(tmp_path / "root", tmp_path / "root" / "out" / "b.json")


def test_shown_escapes_and_cuts() -> None:
    assert shown("a\nb") == "'a\\nb'"
    assert shown("x" * 100) == repr("x" * 100)[:57] + "..."
