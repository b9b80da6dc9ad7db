"""`links.*` beyond the data-driven cases: exact CLI output, `--changed-since` on a real git
repository (a change to the *target* reports the untouched linking file), URL resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.lint.rules.links import resolve, split_url
from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, git, write_repo

RETURNS = """\
---
id: docs.returns
title: Returns
status: approved
reviewed: 2026-10-01
---
# Returns

## Printing the label

Print it.
"""
LINKING = doc(
    "docs.start",
    "Start",
    "Read [printing](returns.md#printing-the-label) and [returns](returns.md).",
)


def test_text_report_of_link_findings(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/docs/returns.md": RETURNS,
            "content/docs/start.md": doc(
                "docs.start",
                "Start",
                "See [label](returns.md#printing-a-label), [plans](plans.md) and "
                "[runbook](runbook.md).",
            ),
            "content/docs/runbook.md": doc("docs.runbook", "Runbook").replace(
                "status: approved", "status: approved\naudience: internal"
            ),
        },
    )
    result = run(root, "lint", "--select", "links", "--no-cache")
    assert result.exit_code == 1
    assert result.output == (
        "content/docs/start.md\n"
        "  9:13  error      no heading '#printing-a-label' in content/docs/returns.md; did you "
        "mean '#printing-the-label'?  links.anchor\n"
        "  9:51  error      link target content/docs/plans.md does not exist  links.broken\n"
        "  9:75  error      public content links to internal content content/docs/runbook.md "
        "('Runbook'): visitors cannot open it and the link leaks its path and title  "
        "links.internal-target\n"
        "\n"
        "3 files: 3 errors, 0 warnings, 0 suggestions\n"
    )


def _changed(run: Run, root: Path) -> list[tuple[str, str, int]]:
    result = run(root, "lint", "--select", "links", "--changed-since", "main", "--format", "json")
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(result.output)["findings"]]


def test_renaming_a_heading_reports_links_in_untouched_files(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path, {"content/docs/returns.md": RETURNS, "content/docs/start.md": LINKING}
    )
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    returns = root / "content/docs/returns.md"
    returns.write_text(RETURNS.replace("Printing the label", "Printing labels"), encoding="utf-8")
    assert _changed(run, root) == [("links.anchor", "content/docs/start.md", 9)]


def test_making_a_target_internal_reports_public_links_to_it(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path, {"content/docs/returns.md": RETURNS, "content/docs/start.md": LINKING}
    )
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    returns = root / "content/docs/returns.md"
    returns.write_text(RETURNS.replace("status:", "audience: internal\nstatus:"), encoding="utf-8")
    assert _changed(run, root) == [
        ("links.internal-target", "content/docs/start.md", 9),
        ("links.internal-target", "content/docs/start.md", 9),
    ]


@pytest.mark.parametrize("how", ["delete", "rename", "delete uncommitted"])
def test_deleting_or_renaming_a_target_reports_links_in_untouched_files(
    tmp_path: Path, run: Run, how: str
) -> None:
    root = write_repo(
        tmp_path, {"content/docs/returns.md": RETURNS, "content/docs/start.md": LINKING}
    )
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    if how == "rename":
        git(root, "mv", "content/docs/returns.md", "content/docs/refunds.md")
    else:
        (root / "content/docs/returns.md").unlink()
    if how != "delete uncommitted":
        commit_all(root, how)
    assert _changed(run, root) == [
        ("links.broken", "content/docs/start.md", 9),
        ("links.broken", "content/docs/start.md", 9),
    ]


def test_an_unrelated_change_reports_no_old_broken_link(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/docs/start.md": LINKING,  # returns.md is missing: broken from the start
            "content/docs/other.md": doc("docs.other", "Other"),
        },
    )
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "content/docs/other.md").write_text(doc("docs.other", "Other", "Edited."))
    assert _changed(run, root) == []
    full = run(root, "lint", "--select", "links", "--format", "json").output
    assert [f["rule"] for f in json.loads(full)["findings"]] == ["links.broken", "links.broken"]


@pytest.mark.parametrize(
    ("source", "link", "expected"),
    [
        ("content/docs/a.md", "b.md", "content/docs/b.md"),
        ("content/docs/a.md", "./sub/../b.md", "content/docs/b.md"),
        ("content/qa/x/a.md", "../../docs/b.md", "content/docs/b.md"),
        ("content/docs/a.md", "/README.md", None),
        ("content/docs/a.md", "../../README.md", "README.md"),
        ("content/docs/a.md", "../../../etc/passwd", None),
        ("content/docs/a.md", "/../x.md", None),
    ],
)
def test_resolve(source: str, link: str, expected: str | None) -> None:
    assert resolve(source, link) == expected


def test_split_url_decodes_and_drops_the_query() -> None:
    assert split_url("My%20Page.md?x=1#Caf%C3%A9") == ("My Page.md", "Café")
    assert split_url("#only-anchor") == ("", "only-anchor")
