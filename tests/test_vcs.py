"""`vcs.changed_lines`: the lines a pull request added or changed, as GitHub's diff shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import vcs
from pipeline.errors import UsageError
from tests.helpers import commit_all, git


def test_changed_lines_of_edited_new_untracked_and_trimmed_files(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("one\ntwo\nthree\nfour\n")
    (tmp_path / "content" / "b.md").write_text("keep\ndrop\n")
    base = commit_all(tmp_path, "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "content" / "a.md").write_text("zero\none\ntwo\nTHREE\nfour\nfive\n")
    (tmp_path / "content" / "b.md").write_text("keep\n")
    (tmp_path / "content" / "new é.md").write_text("x\ny\n")
    commit_all(tmp_path, "feature")
    (tmp_path / "content" / "untracked.md").write_text("u\n")
    changed = vcs.changed_lines(tmp_path / "content", base)
    assert changed == {
        "a.md": frozenset({1, 4, 6}),
        "b.md": frozenset(),
        "new é.md": frozenset({1, 2}),
        "untracked.md": None,
    }


def test_an_unknown_ref_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a\n")
    commit_all(tmp_path)
    with pytest.raises(UsageError, match="git does not know 'origin/nope'"):
        vcs.changed_lines(tmp_path, "origin/nope")


def test_diff_paths_names_non_ascii_files_as_they_are(tmp_path: Path) -> None:
    """git quotes such names by default (`"content/caf\\303\\251.md"`): an incremental plan
    then matched no file and never sent the edit."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "café.md").write_text("one\n")
    (tmp_path / "content" / "smørrebrød.md").write_text("one\n")
    base = commit_all(tmp_path, "base")
    (tmp_path / "content" / "café.md").write_text("two\n")
    (tmp_path / "content" / "smørrebrød.md").unlink()
    (tmp_path / "content" / "naïve 日本.md").write_text("new\n")
    assert vcs.diff_paths(tmp_path, base) == {
        "content/café.md",
        "content/smørrebrød.md",
        "content/naïve 日本.md",
    }
