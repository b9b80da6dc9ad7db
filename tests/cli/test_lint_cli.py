"""`kbsync lint` end to end: exact output, exit codes, every bad-input path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, git, qa, write_repo

GOOD = doc("docs.good", "Good", "All fine here.")
OVERDUE = doc("docs.old", "Old", "Fine words.").replace("2026-10-01", "2025-10-01")


def test_clean_repository_exits_zero(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD})
    result = run(root, "lint")
    assert result.exit_code == 0
    assert result.output == "1 file: 0 errors, 0 warnings, 0 suggestions\n"


def test_text_report_exact(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/docs/good.md": GOOD,
            "content/docs/old.md": OVERDUE + "TODO: fix\n",
        },
    )
    result = run(root, "lint", "--no-cache")
    assert result.exit_code == 1
    assert result.output == (
        "content/docs/old.md\n"
        "  5:1   warning    last reviewed 418 days ago (2025-10-01); reviews are due every 365 "
        "days (was due 2026-10-01): review it and update 'reviewed'  freshness.review-overdue\n"
        "  10:1  error      'TODO' marks a team-only note in public content: resolve it or move "
        "it to an internal document  internal.marker\n"
        "\n"
        "2 files: 1 error, 1 warning, 0 suggestions\n"
    )


def test_json_report_is_the_stable_shape(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/old.md": OVERDUE})
    result = run(root, "lint", "--format", "json")
    assert result.exit_code == 0  # a warning does not fail the run
    data = json.loads(result.output)
    assert data == {
        "version": 1,
        "findings": [
            {
                "rule": "freshness.review-overdue",
                "category": "freshness",
                "severity": "warning",
                "path": "content/docs/old.md",
                "line": 5,
                "column": 1,
                "end_line": 5,
                "end_column": 21,
                "message": data["findings"][0]["message"],
                "fix": None,
            }
        ],
        "summary": {"files": 1, "errors": 0, "warnings": 1, "suggestions": 0},
    }


def test_github_annotations(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD + "Fix this, TODO: now\n"})
    result = run(root, "lint", "--format", "github")
    assert result.exit_code == 1
    assert result.output == (
        "::error file=content/docs/a.md,line=10,col=11,endLine=10,endColumn=15,"
        "title=internal.marker::'TODO' marks a team-only note in public content: resolve it "
        "or move it to an internal document\n"
    )


def test_select_and_ignore(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/old.md": OVERDUE + "TODO\n"})
    only = json.loads(run(root, "lint", "--format", "json", "--select", "freshness").output)
    assert {f["rule"] for f in only["findings"]} == {"freshness.review-overdue"}
    rest = json.loads(
        run(root, "lint", "--format", "json", "--ignore", "freshness.review-overdue").output
    )
    assert {f["rule"] for f in rest["findings"]} == {"internal.marker"}


def test_output_file(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD})
    result = run(root, "lint", "--format", "json", "-o", "report.json")
    assert result.output == ""
    assert json.loads((root / "report.json").read_text())["summary"]["files"] == 1


# --- bad input: a clear finding or error, never a traceback -------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "rule", "line", "fragment"),
    [
        ("bad-yaml.md", "---\nid: a\ntitle: [unclosed\n---\n", "schema.yaml", 4, "not valid YAML"),
        ("latin1.md", "---\nid: caf\xe9\n---\n".encode("latin-1"), "schema.encoding", 2,
         "not valid UTF-8 (byte 0xe9)"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "schema.unreadable", 1, "binary file"),
        ("empty.md", "", "schema.frontmatter", 1, "no YAML frontmatter"),
        ("huge.md", "---\nid: a\n---\n" + "x" * (3 * 1024 * 1024), "schema.unreadable", 1,
         "over the 2 MiB limit"),
    ],
)  # fmt: skip
def test_bad_files_are_findings(
    tmp_path: Path, run: Run, name: str, content: str | bytes, rule: str, line: int, fragment: str
) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD, f"content/docs/{name}": content})
    result = run(root, "lint", "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    [finding] = [f for f in findings if f["path"] == f"content/docs/{name}"]
    assert (finding["rule"], finding["line"]) == (rule, line)
    assert fragment in finding["message"]


def test_bom_and_crlf_are_fine(tmp_path: Path, run: Run) -> None:
    text = GOOD.replace("\n", "\r\n").encode("utf-8")
    root = write_repo(tmp_path, {"content/docs/bom.md": b"\xef\xbb\xbf" + text})
    result = run(root, "lint")
    assert result.exit_code == 0, result.output


def test_symlink_outside_the_repository(tmp_path: Path, run: Run) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(GOOD)
    root = write_repo(tmp_path / "repo", {"content/docs/good.md": GOOD})
    os.symlink(outside, root / "content" / "docs" / "link.md")
    result = run(root, "lint", "--format", "json")
    assert result.exit_code == 1
    [finding] = json.loads(result.output)["findings"]
    assert finding["rule"] == "schema.unreadable"
    assert finding["path"] == "content/docs/link.md"
    assert "outside the repository" in finding["message"]


def test_unknown_config_key_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD}, config="[lint]\nmax_age = 3\n")
    result = run(root, "lint")
    assert result.exit_code == 2
    assert result.output == (
        f"error: {root / 'kbsync.toml'}: unknown key 'lint.max_age'\n"
        "  hint: known keys here: baseline, conflicts, ignore, internal_hosts, "
        "internal_markers, links, max_review_age_days, pattern_timeout, pii, rules_dir, secrets, select\n"
    )


def test_invalid_toml_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD}, config="[lint\n")
    result = run(root, "lint")
    assert result.exit_code == 2
    assert "kbsync.toml:1: not valid TOML" in result.output


def test_pyproject_table_is_read(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/docs/old.md": OVERDUE,
            "pyproject.toml": "[tool.kbsync.lint]\nmax_review_age_days = 1000\n",
        },
    )
    assert run(root, "lint").output == "1 file: 0 errors, 0 warnings, 0 suggestions\n"


def test_missing_path_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD})
    result = run(root, "lint", "content/nope")
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_bad_rollout_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {"content/docs/good.md": GOOD, "content/rollout.yaml": "batches:\n  - id: Core!\n"},
    )
    result = run(root, "lint")
    assert result.exit_code == 2
    assert "rollout.yaml:2: batch #1: 'id' must match" in result.output


# --- suppression, baseline, changed-since, cache, jobs, fix -------------------------------------


def test_inline_suppression(tmp_path: Path, run: Run) -> None:
    body = (
        "<!-- kbsync-disable-next-line internal.marker -->\n"
        "TODO one\n"
        "TODO two\n"
        "<!-- kbsync-disable internal -->\n"
        "TODO three\n"
        "<!-- kbsync-enable internal -->\n"
        "TODO four\n"
    )
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD + body})
    result = run(root, "lint", "--format", "json")
    lines = [f["line"] for f in json.loads(result.output)["findings"]]
    assert lines == [12, 16]
    assert run(root, "lint").output.endswith("(2 suppressed)\n")


def test_baseline_survives_edits_elsewhere(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD + "TODO: old debt\n"})
    result = run(root, "lint", "--baseline", "baseline.json", "--update-baseline")
    assert result.exit_code == 0
    assert "wrote 1 findings to baseline.json" in result.output
    path = root / "content/docs/a.md"
    path.write_text(GOOD.replace("# Good", "# Good\n\nNew intro.\n") + "TODO: old debt\n")
    result = run(root, "lint", "--baseline", "baseline.json")
    assert result.exit_code == 0
    assert result.output.endswith("(1 in baseline)\n")
    path.write_text(path.read_text() + "TODO: new debt\n")
    result = run(root, "lint", "--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 1
    assert [f["line"] for f in json.loads(result.output)["findings"]] == [14]


def test_corrupt_baseline_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD, "baseline.json": "{nope"})
    result = run(root, "lint", "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert "not a kbsync baseline file" in result.output


def test_changed_since_lints_only_changed_files(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {"content/docs/a.md": GOOD + "TODO a\n", "content/docs/b.md": doc("docs.b", "B")},
    )
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "content/docs/b.md").write_text(doc("docs.b", "B", "TODO b"))
    (root / "content/docs/c.md").write_text(doc("docs.c", "C", "TODO c"))  # untracked
    result = run(root, "lint", "--changed-since", "main", "--format", "json")
    data = json.loads(result.output)
    assert sorted({f["path"] for f in data["findings"]}) == [
        "content/docs/b.md", "content/docs/c.md"
    ]  # fmt: skip
    assert data["summary"]["files"] == 2


def test_changed_since_unknown_ref_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD})
    commit_all(root)
    result = run(root, "lint", "--changed-since", "origin/nope")
    assert result.exit_code == 2
    assert "git does not know 'origin/nope'" in result.output


SELECTION_HINT = (
    "  hint: `kbsync rules` lists every rule id; a family (schema, wording, pii, …) names its "
    "rules\n"
)


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_a_selection_that_names_no_rule_is_exit_2(tmp_path: Path, run: Run, flag: str) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD + "TODO\n"})
    for _ in range(2):  # the second run answers from the manifest, and still checks
        result = run(root, "lint", flag, "schema,internal.markr")
        assert result.exit_code == 2
        assert result.output == (
            f"error: {flag} internal.markr: no rule or family has that name\n" + SELECTION_HINT
        )


def test_a_selection_may_name_a_family_an_id_a_style_or_a_skipped_rule(
    tmp_path: Path, run: Run
) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/docs/a.md": GOOD + "TODO\n",
            "rules/House/Odd.yml": "extends: metric\nmessage: x\nformula: '1'\n",
            "rules/House/Simply.yml": "extends: existence\nmessage: x\ntokens: [simply]\n",
        },
    )
    for args in (
        ("--select", "internal"),
        ("--select", "internal.marker"),
        ("--select", "ALL"),
        ("--ignore", "House"),
        ("--ignore", "House.Odd"),
    ):
        assert run(root, "lint", *args).exit_code == 1, args


def test_a_configured_selection_that_names_no_rule_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path, {"content/docs/a.md": GOOD}, config='[lint]\nignore = ["freshnes"]\n'
    )
    result = run(root, "lint")
    assert result.exit_code == 2
    assert result.output == (
        f"error: {root / 'kbsync.toml'}: [lint] ignore: 'freshnes' names no rule or family\n"
        + SELECTION_HINT
    )


def test_changed_since_outside_git_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD}, config="")
    result = run(root, "lint", "--changed-since", "main")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def test_cache_gives_the_same_findings_and_notices_changes(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD + "TODO a\n"})
    first = run(root, "lint", "--format", "json").output
    assert list((root / ".kbsync" / "cache").glob("lint-*.json"))
    assert run(root, "lint", "--format", "json").output == first
    (root / "content/docs/a.md").write_text(GOOD)
    assert json.loads(run(root, "lint", "--format", "json").output)["findings"] == []


def test_jobs_give_the_same_findings(tmp_path: Path, run: Run) -> None:
    files: dict[str, str | bytes] = {
        f"content/docs/d{i}.md": doc(f"docs.d{i}", f"D{i}", "TODO x" if i % 3 else "ok")
        for i in range(12)
    }
    files["content/qa/q.md"] = qa("qa.q")
    root = write_repo(tmp_path, files)
    one = run(root, "lint", "--format", "json", "--no-cache").output
    two = run(root, "lint", "--format", "json", "--no-cache", "--jobs", "2").output
    assert one == two
    assert len(json.loads(one)["findings"]) == 8


def test_rules_command_lists_documented_rules(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": GOOD})
    result = run(root, "rules")
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("freshness.expired"))
    assert line.split()[:2] == ["freshness.expired", "error"]
    markdown = run(root, "rules", "--format", "markdown").output
    assert "### `internal.link`" in markdown
    assert "Hosts are set by `[lint] internal_hosts`" in markdown


def test_output_file_that_cannot_be_written_is_one_line(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/good.md": GOOD})
    result = run(root, "lint", "--format", "sarif", "-o", "no/such/folder/report.sarif")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.splitlines()[0] == (
        "error: -o no/such/folder/report.sarif: cannot write the report (No such file or directory)"
    )


def test_output_file_holds_exactly_what_stdout_shows(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/old.md": OVERDUE + "TODO: fix\n"})
    for fmt in ("text", "json", "sarif", "github"):
        shown = run(root, "lint", "--format", fmt).output
        run(root, "lint", "--format", fmt, "-o", "report.out")
        assert (root / "report.out").read_text(encoding="utf-8") == shown, fmt
