"""`kbsync report --out DIR`: content health as HTML, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.sync.state import Entry, TargetState
from pipeline.sync.store import FileStateStore, GitStateStore
from pipeline.targets import Target
from tests.cli.conftest import Run
from tests.cli.report_figures import mismatches, shown
from tests.helpers import commit_all, write_repo


def item(id: str, reviewed: str, owner: str, *, extra: str = "", body: str = "Text.") -> str:
    kind = "question: Is it <b>bold</b>?" if id.startswith("qa.") else f"title: Title {id}"
    return (
        f"---\nid: {id}\n{kind}\nstatus: approved\nreviewed: {reviewed}\nowner: {owner}\n"
        f"{extra}---\n{body}\n"
    )


ROLLOUT = """\
batches:
  - id: core
    include: ["docs/**"]
    environments: [local, staging]
  - id: later
    include: ["qa/**"]
    environments: [local]
"""


def make_repo(root: Path) -> Path:
    return write_repo(
        root,
        {
            "content/rollout.yaml": ROLLOUT,
            "content/docs/overdue.md": item("docs.overdue", "2025-10-01", "team-a"),
            "content/docs/soon.md": item("docs.soon", "2025-12-01", "team-b"),
            "content/docs/expired.md": item(
                "docs.expired", "2026-11-01", "team-b", extra="expires: 2026-11-01\n"
            ),
            "content/docs/draft.md": item("docs.draft", "2026-11-01", "team-a").replace(
                "approved", "draft"
            ),
            "content/qa/expiring.md": item(
                "qa.expiring", "2026-11-01", "team-a", extra="expires: 2026-12-13\n",
                body="TODO: answer.",
            ),
        },
        config="[lint]\nrules_dir = 'rules'\n",
    )  # fmt: skip


def test_report_writes_three_files_and_a_summary(run: Run, tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    result = run(root, "report", "--out", "health", "--no-cache")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "5 items, 2 lint errors, 1 reviews overdue, 1 due soon, 1 expired: "
        "wrote health/index.html, report.md, report.json\n"
    )
    assert sorted(p.name for p in (root / "health").iterdir()) == [
        "index.html", "report.json", "report.md",
    ]  # fmt: skip


def test_report_json_has_what_comes_due_and_who_owns_it(run: Run, tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    assert run(root, "report", "--out", "health", "--no-cache").exit_code == 0
    data = json.loads((root / "health/report.json").read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert data["today"] == "2026-11-23"
    assert (data["items"], data["documents"], data["qa_entries"]) == (5, 4, 1)
    assert data["by_status"] == {"approved": 4, "draft": 1}
    assert data["batches"] == [
        {"id": "core", "environments": ["local", "staging"], "items": 4, "approved": 3,
         "drafts": 1},
        {"id": "later", "environments": ["local"], "items": 1, "approved": 1, "drafts": 0},
    ]  # fmt: skip
    assert [(d["id"], d["owner"], d["due"], d["days_left"]) for d in data["reviews_overdue"]] == [
        ("docs.overdue", "team-a", "2026-10-01", -53)
    ]
    assert [(d["id"], d["days_left"]) for d in data["reviews_due_soon"]] == [("docs.soon", 8)]
    assert [(d["id"], d["days_left"]) for d in data["expired"]] == [("docs.expired", -22)]
    assert [(d["id"], d["days_left"]) for d in data["expiring_soon"]] == [("qa.expiring", 20)]
    assert data["rules"] == [
        {"rule": "freshness.expired", "severity": "error", "count": 1},
        {"rule": "internal.marker", "severity": "error", "count": 1},
        {"rule": "freshness.review-overdue", "severity": "warning", "count": 1},
    ]
    assert data["owners"] == [
        {"owner": "team-a", "items": 3, "reviews_overdue": 1, "reviews_due_soon": 0,
         "findings": 2},
        {"owner": "team-b", "items": 2, "reviews_overdue": 0, "reviews_due_soon": 1,
         "findings": 1},
    ]  # fmt: skip


def test_report_markdown_and_html_show_the_same_tables(run: Run, tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    assert run(root, "report", "--out", "health", "--no-cache").exit_code == 0
    markdown = (root / "health/report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Content health, 2026-11-23\n")
    assert (
        "| content/docs/overdue.md | Title docs.overdue | team-a | 2026-10-01 | 53 days ago |"
        in markdown
    )
    assert "| content/qa/expiring.md | Is it <b>bold</b>? | team-a | 2026-12-13 | in 20 days |" in (
        markdown
    )
    page = (root / "health/index.html").read_text(encoding="utf-8")
    assert "<td>Is it &lt;b&gt;bold&lt;/b&gt;?</td>" in page
    assert "<b>bold</b>" not in page
    assert '<td data-metric="/reviews_overdue/0/days_left" data-value="-53">53 days ago</td>' in (
        page
    )


def test_report_needs_out(run: Run, tmp_path: Path) -> None:
    result = run(make_repo(tmp_path), "report")
    assert result.exit_code == 2
    assert "Missing option '--out'" in result.output


def test_report_json_counts_findings_by_family_and_file_and_review_ages(
    run: Run, tmp_path: Path
) -> None:
    root = make_repo(tmp_path)
    assert run(root, "report", "--out", "health", "--no-cache").exit_code == 0
    data = json.loads((root / "health/report.json").read_text(encoding="utf-8"))
    assert data["findings_by_family"] == [
        {"name": "freshness", "errors": 1, "warnings": 1, "suggestions": 0, "total": 2},
        {"name": "internal", "errors": 1, "warnings": 0, "suggestions": 0, "total": 1},
    ]
    assert [(f["name"], f["errors"], f["warnings"]) for f in data["findings_by_file"]] == [
        ("content/docs/expired.md", 1, 0),
        ("content/qa/expiring.md", 1, 0),
        ("content/docs/overdue.md", 0, 1),
    ]
    assert [(b["label"], b["count"]) for b in data["review_ages"]] == [
        ("0-30", 3), ("31-90", 0), ("91-180", 0), ("181-365", 1), (">365", 1),
    ]  # fmt: skip
    assert data["never_reviewed"] == 0
    assert [(h["target"], h["entries"], h["smoke"], h["eval"]) for h in data["holdings"]] == [
        ("local/s_local", 0, None, None)
    ]


def test_report_page_is_self_contained_and_its_figures_match_the_json(
    run: Run, tmp_path: Path
) -> None:
    root = make_repo(tmp_path)
    assert run(root, "report", "--out", "health", "--no-cache").exit_code == 0
    page = (root / "health/index.html").read_text(encoding="utf-8")
    data = json.loads((root / "health/report.json").read_text(encoding="utf-8"))
    assert mismatches(page, data) == []
    figures = shown(page)
    assert [figures[f"/review_ages/{i}/count"] for i in range(5)] == ["3", "0", "0", "1", "1"]
    assert figures["/findings_by_family/0/warnings"] == "1"
    assert figures["/findings_by_file/2/warnings"] == "1"
    assert figures["/reviews_overdue/0/days_left"] == "-53"
    assert '<svg class="histogram"' in page
    for outside in ("http://", "https://", "<script", "<link", " src="):
        assert outside not in page


ENV_CONFIG = """\
[lint]
rules_dir = 'rules'

[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"

[environments.local.sites.s_local]
audiences = ["public"]
"""


def entry(path: str, batch: str | None, status: str = "active") -> Entry:
    return Entry(f"doc_{path}", "h", status, "text", path, path, batch)


HELD = {
    "docs.overdue": entry("content/docs/overdue.md", "core"),
    "docs.soon": entry("content/docs/soon.md", "core"),
    "docs.draft": entry("content/docs/draft.md", "core", "draft"),
    "qa.expiring": entry("content/qa/expiring.md", "later"),
    "docs.old": entry("content/docs/old.md", None),
}
SMOKE = {"passed": True, "at": "2026-11-22T10:00:00Z", "commit": "a" * 40,
         "steps": [{"name": "chat.sync", "status": "passed"}] * 3}  # fmt: skip
EVAL = {"passed": False, "at": "2026-11-22T11:00:00Z", "commit": "b" * 40, "pass_rate": 0.5,
        "min_pass": 0.9, "total": 2, "failed": ["locker-hours"]}  # fmt: skip


def held_state(target: Target) -> TargetState:
    return TargetState(target=target, commit="c" * 40, entries=dict(HELD),
                       records={"smoke": SMOKE, "eval": EVAL})  # fmt: skip


def test_report_shows_what_each_target_holds_by_batch_and_its_last_runs(
    run: Run, tmp_path: Path
) -> None:
    root = make_repo(tmp_path)
    (root / "kbsync.toml").write_text(ENV_CONFIG, encoding="utf-8")
    FileStateStore(root / ".kbsync/state").save(held_state(Target("local", "s_local")))

    assert run(root, "report", "--out", "health", "--no-cache").exit_code == 0
    data = json.loads((root / "health/report.json").read_text(encoding="utf-8"))
    (held,) = data["holdings"]
    assert (held["target"], held["entries"], held["commit"], held["revision"]) == (
        "local/s_local", 5, "c" * 40, 1,
    )  # fmt: skip
    assert held["updated_at"] != ""
    assert held["store"] == ".kbsync/state/local/s_local.json"
    assert held["batches"] == [
        {"batch": "core", "active": 2, "draft": 1, "total": 3},
        {"batch": "later", "active": 1, "draft": 0, "total": 1},
        {"batch": "(no batch)", "active": 1, "draft": 0, "total": 1},
    ]
    assert held["smoke"] == {"kind": "smoke", "passed": True, "at": "2026-11-22T10:00:00Z",
                             "commit": "a" * 40, "detail": "3 of 3 steps passed"}  # fmt: skip
    assert held["eval"]["passed"] is False
    assert held["eval"]["detail"] == "50% of 2 cases (minimum 90%); failed: locker-hours"
    page = (root / "health/index.html").read_text(encoding="utf-8")
    assert mismatches(page, data) == []
    figures = shown(page)
    assert figures["/holdings/0/batches/0/draft"] == "1"
    assert figures["/holdings/0/smoke/passed"] == "true"
    assert figures["/holdings/0/eval/passed"] == "false"
    markdown = (root / "health/report.md").read_text(encoding="utf-8")
    assert "| core | 2 | 1 | 3 |" in markdown
    assert "| local/s_local | eval | FAILED | 2026-11-22T11:00:00Z | bbbbbbbbbbbb |" in markdown


def test_report_reads_a_git_store_locally_without_fetching_its_remote(
    run: Run, tmp_path: Path
) -> None:
    root = make_repo(tmp_path / "repo")
    missing_remote = tmp_path / "no-such-remote.git"
    config = (
        ENV_CONFIG + f'\n[environments.local.state]\nstore = "git"\nremote = "{missing_remote}"\n'
    )
    (root / "kbsync.toml").write_text(config, encoding="utf-8")
    commit_all(root, "content")
    GitStateStore(root, None).save(held_state(Target("local", "s_local")))

    result = run(root, "report", "--out", "health", "--no-cache")
    assert result.exit_code == 0, result.output
    data = json.loads((root / "health/report.json").read_text(encoding="utf-8"))
    (held,) = data["holdings"]
    assert (held["entries"], held["error"]) == (5, None)
    assert held["store"] == "git ref refs/kbsync/local/s_local"


def test_report_names_a_target_whose_state_cannot_be_read(run: Run, tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "kbsync.toml").write_text(ENV_CONFIG, encoding="utf-8")
    broken = root / ".kbsync/state/local/s_local.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")

    result = run(root, "report", "--out", "health", "--no-cache")
    assert result.exit_code == 0, result.output
    data = json.loads((root / "health/report.json").read_text(encoding="utf-8"))
    (held,) = data["holdings"]
    assert held["entries"] == 0
    assert held["error"].startswith(f"{broken}: cannot read the sync state: ")
    page = (root / "health/index.html").read_text(encoding="utf-8")
    assert "cannot read state: " in page
