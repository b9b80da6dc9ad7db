"""`conflicts.*` beyond the data-driven cases: a bad setting, the cache, `--changed-since` on
a real git repository, the repository's own facts, and the same findings with cache and workers.

The facts file's errors are in `test_facts.py`, the question index in `test_questions.py`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.corpus import parse_item
from pipeline.lint.conflicts.facts import find_statements, load_facts
from pipeline.lint.engine import LintOptions, run_lint
from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, git, qa, settings_for, write_repo
from tests.lint.conflicts.test_facts import REFUND_FACTS

REPO_ROOT = Path(__file__).resolve().parents[3]


def _json(run: Run, root: Path, *args: str) -> list[dict[str, object]]:
    result = run(root, "lint", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, object]] = json.loads(result.output)["findings"]
    return findings


# --- settings and the cache -------------------------------------------------------------------


def test_bad_similarity_setting_is_exit_2(tmp_path: Path, run: Run) -> None:
    config = "[lint.conflicts]\nquestion_similarity = 1.5\n"
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")}, config=config)
    result = run(root, "lint")
    assert result.exit_code == 2
    assert (
        "lint.conflicts.question_similarity = 1.5 is out of range: "
        "it must be more than 0 and at most 1"
    ) in result.output


def test_changing_facts_invalidates_the_cache(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/docs/a.md": doc("docs.a", "A", "Refunds are processed within 5 days."),
            "content/docs/b.md": doc("docs.b", "B", "Refunds take 7 days."),
            "rules/facts.yml": REFUND_FACTS,
        },
    )
    assert _json(run, root) == []
    (root / "rules/facts.yml").write_text(
        REFUND_FACTS.replace("(?:are|is) processed within", "(?:are processed within|take)"),
        encoding="utf-8",
    )
    assert [(f["path"], f["rule"]) for f in _json(run, root)] == [
        ("content/docs/a.md", "conflicts.fact"),
        ("content/docs/b.md", "conflicts.fact"),
    ]


# --- --changed-since on a real repository ---------------------------------------------------------


def test_changed_since_reports_a_conflict_with_an_untouched_file(tmp_path: Path, run: Run) -> None:
    facts = REFUND_FACTS + (
        "  - id: return-window\n    pattern: 'returns can be started within (?P<value>\\d+ days)'\n"
    )
    root = write_repo(
        tmp_path,
        {
            "rules/facts.yml": facts,
            "content/docs/billing.md": doc(
                "docs.billing", "Billing", "Refunds are processed within 30 days."
            ),
            "content/qa/refund.md": qa(
                "qa.refund", "How long do refunds take?", "Refunds are processed\nwithin 30 days."
            ),
            # An older conflict between two files the change does not touch.
            "content/docs/old-a.md": doc(
                "docs.old-a", "A", "Returns can be started within 30 days."
            ),
            "content/docs/old-b.md": doc(
                "docs.old-b", "B", "Returns can be started within 14 days."
            ),
            "content/docs/other.md": doc("docs.other", "Other", "Nothing to see."),
        },
    )
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    billing = root / "content/docs/billing.md"
    billing.write_text(billing.read_text().replace("30 days", "14 days"), encoding="utf-8")
    commit_all(root, "shorter refunds")

    full = _json(run, root, "--select", "conflicts")
    assert [f["path"] for f in full] == [
        "content/docs/billing.md",
        "content/docs/old-a.md",
        "content/docs/old-b.md",
        "content/qa/refund.md",
    ]
    # Only the refund conflict involves the changed file: both of its ends are reported, the
    # untouched one naming the changed file; the older return-window conflict is not.
    changed = _json(run, root, "--select", "conflicts", "--changed-since", "main")
    assert [(f["path"], f["line"], f["column"], f["message"]) for f in changed] == [
        (
            "content/docs/billing.md",
            9,
            30,
            "'refund-window' (How long a refund takes) is '14 days' here, but '30 days' in "
            "content/qa/refund.md:8: make them agree",
        ),
        (
            "content/qa/refund.md",
            8,
            8,
            "'refund-window' (How long a refund takes) is '30 days' here, but '14 days' in "
            "content/docs/billing.md:9: make them agree",
        ),
    ]

    # A change elsewhere shows none of these conflicts.
    git(root, "checkout", "-q", "-b", "unrelated", "main")
    (root / "content/docs/other.md").write_text(doc("docs.other", "Other", "Still nothing."))
    assert _json(run, root, "--select", "conflicts", "--changed-since", "main") == []


def test_changed_since_reports_a_new_duplicate_question(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {
            "content/qa/reset.md": qa("qa.reset", "How do I reset my password?", "Use the link."),
            "content/qa/other.md": qa("qa.other", "Where is my parcel?", "In the locker."),
        },
    )
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "content/qa/reset-2.md").write_text(
        qa("qa.reset-2", "How can I reset my password?", "Ask your owner."), encoding="utf-8"
    )
    changed = _json(run, root, "--select", "conflicts", "--changed-since", "main")
    assert [(f["path"], f["rule"], f["severity"]) for f in changed] == [
        ("content/qa/reset-2.md", "conflicts.duplicate-question", "error"),
        ("content/qa/reset.md", "conflicts.duplicate-question", "error"),
    ]


# --- the repository's own content and facts ---------------------------------------------------


def _copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "content", root / "content")
    shutil.copytree(REPO_ROOT / "rules", root / "rules")
    shutil.copy(REPO_ROOT / "kbsync.toml", root / "kbsync.toml")
    return root


def test_sample_content_is_consistent(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path)
    report = run_lint(
        settings_for(root), LintOptions(select=("conflicts", "links"), use_cache=False)
    )
    assert report.findings == []


@pytest.mark.parametrize(
    ("path", "before", "after", "fact"),
    [
        (
            "content/qa/shipping/locker-pickup-window.md",
            "Parcels stay in the locker for 72 hours.",
            "Parcels stay in the locker for 96 hours.",
            "locker-pickup-window",
        ),
        (
            "content/docs/billing/plans.md",
            "The Growth plan costs $49 per month",
            "The Growth plan costs $59 per month",
            "plan-growth",
        ),
        (
            "content/qa/billing/billing-error-refund.md",
            "refunds are processed within 5 business days",
            "refunds are processed within 10 business days",
            "refund-processing-time",
        ),
        (
            "content/docs/troubleshooting/locker-problems.md",
            "Pickup codes have 6 digits.",
            "Pickup codes have 8 digits.",
            "pickup-code-digits",
        ),
    ],
    ids=["pickup window", "growth plan", "refund (lower case, wrapped)", "pickup code"],
)
def test_sample_facts_catch_a_changed_value(
    tmp_path: Path, path: str, before: str, after: str, fact: str
) -> None:
    root = _copy_sample(tmp_path)
    target = root / path
    text = target.read_text(encoding="utf-8")
    flat = " ".join(text.split())
    assert before in flat, "the sample sentence moved: update this test"
    # Replace across line breaks: the sentence may wrap.
    pattern = r"\s+".join(re.escape(word) for word in before.split())
    match = re.search(pattern, text)
    assert match is not None
    new_text = text[: match.start()] + after + text[match.end() :]
    target.write_text(new_text, encoding="utf-8")
    first_line = text.count("\n", 0, match.start()) + 1
    edited = range(first_line, first_line + after.count("\n") + 2)

    report = run_lint(settings_for(root), LintOptions(select=("conflicts.fact",), use_cache=False))
    assert {f.message.split("'")[1] for f in report.findings} == {fact}
    on_edit = [f for f in report.findings if f.path == path and f.line in edited]
    elsewhere = [f for f in report.findings if f.path != path]
    assert on_edit, "no finding on the edited line"
    assert elsewhere, "no finding on the files that disagree"
    # Each end names the other: the edited line names the files it now contradicts...
    for finding in on_edit:
        assert any(f"{o.path}:{o.line}" in finding.message for o in elsewhere)
    # ...and every other statement names the edited line.
    for finding in elsewhere:
        assert f"{path}:{on_edit[0].line}" in finding.message


def test_every_sample_fact_is_stated_more_than_once() -> None:
    """A fact stated once can never conflict: it would be dead weight in rules/facts.yml."""
    book = load_facts(REPO_ROOT / "rules" / "facts.yml", REPO_ROOT)
    counts = dict.fromkeys((f.id for f in book.facts), 0)
    for path in sorted((REPO_ROOT / "content").rglob("*.md")):
        rel = path.relative_to(REPO_ROOT).as_posix()
        kind = "qa" if "/qa/" in rel else "doc"
        item, _ = parse_item(rel, path.read_text(encoding="utf-8"), kind)
        assert item is not None
        for statement in find_statements(item, book.facts, rel.removeprefix("content/")):
            counts[statement.fact] += 1
    assert {fact: n for fact, n in counts.items() if n < 2} == {}


def test_cache_and_workers_give_the_same_cross_file_findings(tmp_path: Path, run: Run) -> None:
    files: dict[str, str | bytes] = {
        "rules/facts.yml": REFUND_FACTS,
        "content/qa/reset.md": qa("qa.reset", "How do I reset my password?", "Use the link."),
        "content/qa/reset-2.md": qa("qa.reset-2", "How can I reset my password?", "Ask."),
        "content/docs/broken.md": doc("docs.broken", "Same", "See [x](missing.md#a)."),
    }
    for n in range(8):
        days = 5 if n % 4 else 7
        files[f"content/docs/d{n}.md"] = doc(
            f"docs.d{n}", "Same", f"Refunds are processed within {days} days."
        )
    root = write_repo(tmp_path, files)
    first = run(root, "lint", "--format", "json", "--select", "conflicts,links").output
    rules = {f["rule"] for f in json.loads(first)["findings"]}
    assert rules == {
        "conflicts.fact",
        "conflicts.duplicate-question",
        "conflicts.duplicate-title",
        "links.broken",
    }
    cached = run(root, "lint", "--format", "json", "--select", "conflicts,links").output
    workers = run(
        root, "lint", "--format", "json", "--select", "conflicts,links", "--no-cache", "-j", "2"
    ).output
    assert cached == first
    assert workers == first
