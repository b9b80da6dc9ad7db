"""The loader never raises on a strange file: symbolic link loops become a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus.loader import load_corpus, read_text
from tests.helpers import doc, write_repo


@pytest.fixture
def looped(tmp_path: Path) -> Path:
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")})
    docs = root / "content/docs"
    (docs / "self.md").symlink_to("self.md")
    (docs / "x.md").symlink_to("y.md")
    (docs / "y.md").symlink_to("x.md")
    (docs / "sub").mkdir()
    (docs / "sub/up").symlink_to("..", target_is_directory=True)
    return root


def test_a_link_to_itself_is_a_problem_not_an_exception(looped: Path) -> None:
    text, problem = read_text(looped / "content/docs/self.md", looped)
    assert text is None
    assert problem is not None
    assert problem.rule == "schema.unreadable"
    assert problem.path == "content/docs/self.md"
    assert problem.message.startswith("symbolic link loop")


def test_the_corpus_loads_around_loops(looped: Path) -> None:
    corpus = load_corpus([looped / "content"], looped)
    assert [item.path for item in corpus.items] == ["content/docs/a.md"]
    assert sorted((p.path, p.rule) for p in corpus.problems) == [
        ("content/docs/self.md", "schema.unreadable"),
        ("content/docs/x.md", "schema.unreadable"),
        ("content/docs/y.md", "schema.unreadable"),
    ]


def test_a_dangling_link_is_still_no_such_file(tmp_path: Path) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")})
    (root / "content/docs/gone.md").symlink_to("missing.md")
    problem = read_text(root / "content/docs/gone.md", root)[1]
    assert problem is not None
    assert problem.message == "no such file"
