"""`kbsync lint` for CI: --fail-level, GitHub's changed-lines order and job summary, GitLab
fingerprints through real edits, every format from the command line."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, write_repo

GOOD = doc("docs.good", "Good", "All fine here.")
OVERDUE = doc("docs.old", "Old", "Fine words.").replace("2026-10-01", "2025-10-01")


@pytest.mark.parametrize(
    ("level", "warnings_only", "with_error"),
    [("error", 0, 1), ("warning", 1, 1), ("suggestion", 1, 1)],
)
def test_fail_level_decides_the_exit_status(
    tmp_path: Path, run: Run, level: str, warnings_only: int, with_error: int
) -> None:
    warned = write_repo(tmp_path / "w", {"content/docs/old.md": OVERDUE})
    assert run(warned, "lint", "--fail-level", level).exit_code == warnings_only
    failed = write_repo(tmp_path / "e", {"content/docs/a.md": GOOD + "TODO: now\n"})
    assert run(failed, "lint", "--fail-level", level).exit_code == with_error


def test_fail_level_default_keeps_warnings_passing_and_rejects_nonsense(
    tmp_path: Path, run: Run
) -> None:
    root = write_repo(tmp_path, {"content/docs/old.md": OVERDUE})
    assert run(root, "lint").exit_code == 0
    bad = run(root, "lint", "--fail-level", "info")
    assert bad.exit_code == 2
    assert "'info' is not one of 'error', 'warning', 'suggestion'" in bad.output


def test_github_puts_the_changed_line_first_and_writes_the_summary(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "\n".join(f"TODO old {n}" for n in range(1, 13))
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a", "A", body)})
    commit_all(root, "base")
    path = root / "content/docs/a.md"
    path.write_text(path.read_text() + "A new line, TODO: check\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run(root, "lint", "--changed-since", "HEAD", "--format", "github", "--no-cache")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("::error file=content/docs/a.md,line=21,col=13,")
    assert [line.split(",")[1] for line in lines[1:10]] == [f"line={n}" for n in range(9, 18)]
    assert lines[10].startswith("::notice title=kbsync::3 more findings not annotated")
    assert lines[11:] == [
        f"content/docs/a.md:{n}:1: error: 'TODO' marks a team-only note in public content: "
        "resolve it or move it to an internal document [internal.marker]"
        for n in (18, 19, 20)
    ]
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## kbsync lint\n")
    assert "**1 file: 13 errors, 0 warnings, 0 suggestions**" in written
    rows = [line for line in written.splitlines() if line.startswith("| error |")]
    assert len(rows) == 13
    assert rows[0].startswith("| error | `content/docs/a.md:21:13` (changed) |")


def test_no_summary_without_the_variable_or_for_other_formats(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD + "TODO\n"})
    summary = tmp_path / "summary.md"
    assert run(root, "lint", "--format", "github").exit_code == 1
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run(root, "lint", "--format", "sarif")
    assert not summary.exists()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "dir.md"))
    result = run(root, "lint", "--format", "github")
    assert result.exit_code == 1
    assert "warning: could not write the job summary to " in result.output


def test_gitlab_fingerprints_survive_lines_added_above(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD + "TODO one\nTODO two\n"})
    first = json.loads(run(root, "lint", "--format", "gitlab").output)
    path = root / "content/docs/a.md"
    path.write_text(path.read_text().replace("All fine here.", "All fine.\n\nMore.\n"))
    second = json.loads(run(root, "lint", "--format", "gitlab").output)
    assert [i["location"]["lines"]["begin"] for i in first] == [10, 11]
    assert [i["location"]["lines"]["begin"] for i in second] == [13, 14]
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]


def test_junit_and_rdjsonl_from_the_command_line(tmp_path: Path, run: Run) -> None:
    style = (
        "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\nlevel: warning\n"
        "ignorecase: true\naction:\n  name: replace\nswap:\n  e-mail: email\n"
    )
    root = write_repo(
        tmp_path,
        {
            "rules/House/Terms.yml": style,
            "content/docs/a.md": doc("docs.a", "A", "Café e-mail."),
            "content/docs/good.md": GOOD,
        },
    )
    junit = ET.fromstring(run(root, "lint", "--format", "junit").output)
    assert [c.get("name") for c in junit.iter("testcase")] == [
        "content/docs/a.md",
        "1 file without findings",
    ]
    result = run(root, "lint", "--format", "rdjsonl", "--fail-level", "warning")
    assert result.exit_code == 1
    (diagnostic,) = [json.loads(line) for line in result.output.splitlines()]
    where = {"start": {"line": 9, "column": 7}, "end": {"line": 9, "column": 13}}
    assert diagnostic["location"] == {"path": "content/docs/a.md", "range": where}
    assert diagnostic["suggestions"] == [{"range": where, "text": "email"}]


def test_thirty_errors_ten_annotations_a_notice_and_the_summary(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "\n".join(f"TODO {n}" for n in range(1, 31))
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a", "A", body)})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run(root, "lint", "--format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(notices) == 1 and "::20 more findings not annotated" in notices[0]
    assert len(lines) == 10 + 1 + 20
    written = summary.read_text(encoding="utf-8")
    assert len(written.encode("utf-8")) <= 1024 * 1024
    assert "**1 file: 30 errors, 0 warnings, 0 suggestions**" in written
    assert "| internal | `internal.marker` | 30 | 0 | 0 |" in written
    assert "| `content/docs/a.md` | 30 | 0 | 0 |" in written
    assert sum(line.startswith("| error |") for line in written.splitlines()) == 30


@pytest.mark.parametrize("fmt", ["rdjsonl", "github"])
def test_line_formats_without_findings_print_nothing(tmp_path: Path, run: Run, fmt: str) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD})
    result = run(root, "lint", "--format", fmt)
    assert (result.exit_code, result.output) == (0, "")
    run(root, "lint", "--format", fmt, "-o", "out.txt")
    assert (root / "out.txt").read_text() == ""  # reviewdog rejects a blank line


FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "rdjsonl")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_from_the_cache_is_what_a_fresh_lint_writes(
    tmp_path: Path, run: Run, fmt: str
) -> None:
    """A warm run renders findings decoded from the cache, rule descriptions from the manifest
    and no file's text unless a format asks for it: its report must be byte for byte what a
    run with `--no-cache` writes, in every format."""
    style = (
        "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\nlevel: warning\n"
        "ignorecase: true\naction:\n  name: replace\nswap:\n  e-mail: email\n"
    )
    body = "Grüße — “Café” e-mail & <b>markup</b>, TODO: twice.\nTODO: twice.\n[gone](nowhere.md)"
    root = write_repo(
        tmp_path,
        {
            "rules/House/Terms.yml": style,
            "content/docs/a.md": doc("docs.a", "Same title", body),
            "content/docs/b.md": doc("docs.b", "Same title", "See [a](a.md#no-such-heading)."),
            "content/docs/old.md": OVERDUE,
            "content/docs/good.md": GOOD,
            "content/docs/broken.md": b"---\nid: docs.x\n---\n\xff\xfe not UTF-8\n",
        },
    )
    commit_all(root, "base")
    fresh = run(root, "lint", "--format", fmt, "--no-cache")
    assert not (root / ".kbsync").exists()
    cold = run(root, "lint", "--format", fmt)
    assert any((root / ".kbsync" / "cache").glob("lint-*.json"))
    warm = run(root, "lint", "--format", fmt)
    assert fresh.exit_code == cold.exit_code == warm.exit_code == 1
    assert warm.output == cold.output == fresh.output
    for rule in (
        "internal.marker",
        "links.broken",
        "links.anchor",
        "freshness.review-overdue",
        "conflicts.duplicate-title",
        "schema.",
        "House.Terms",
    ):
        assert rule in fresh.output, rule
