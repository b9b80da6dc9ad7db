"""`kbsync report --out DIR`: content health as HTML, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run
from tests.helpers import write_repo


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
    assert '<td class="num">-53</td>' not in page and "<td>53 days ago</td>" in page


def test_report_needs_out(run: Run, tmp_path: Path) -> None:
    result = run(make_repo(tmp_path), "report")
    assert result.exit_code == 2
    assert "Missing option '--out'" in result.output
