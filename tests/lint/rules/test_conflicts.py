"""`conflicts.*` beyond the data-driven cases: facts.yml errors through the CLI, the cache,
`--changed-since` on a real git repository, the repository's own facts, and the indexes."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from pipeline.corpus import parse_item
from pipeline.errors import ConfigError
from pipeline.lint.conflicts.facts import FlatProse, find_statements, load_facts, parse_facts
from pipeline.lint.conflicts.questions import (
    is_negated,
    jaccard,
    near_duplicates,
    normalize_question,
    question_tokens,
    similar_pairs,
)
from pipeline.lint.engine import LintOptions, run_lint
from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, git, qa, settings_for, write_repo

REPO_ROOT = Path(__file__).resolve().parents[3]
REFUND_FACTS = """\
facts:
  - id: refund-window
    description: How long a refund takes
    pattern: 'refunds? (?:are|is) processed within (?P<value>\\d+ (?:business )?days)'
"""


def _json(run: Run, root: Path, *args: str) -> list[dict[str, object]]:
    result = run(root, "lint", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, object]] = json.loads(result.output)["findings"]
    return findings


# --- facts.yml: errors are configuration errors ----------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            "facts:\n  - id: refund-window\n    pattern: 'processed within (?P<value>\\d+ days'\n",
            "error: rules/facts.yml:3: fact 'refund-window': pattern is not a valid regular "
            "expression: missing ), unterminated subpattern at position 17\n"
            "  hint: patterns use Python's re syntax; quote them in single quotes in YAML\n",
        ),
        (
            "facts:\n  - id: ok\n    pattern: 'a (?P<value>b)'\n"
            "  - id: refund-window\n    pattern:\n      - 'within (?P<value>\\d+) days'\n"
            "      - 'within (\\d+) business days'\n",
            "error: rules/facts.yml:7: fact 'refund-window': pattern #2 has no group named "
            "'value'\n"
            "  hint: capture the stated value with (?P<value>…), e.g. (?P<value>\\d+ days)\n",
        ),
    ],
    ids=["bad regex", "missing value group"],
)
def test_malformed_facts_file_is_exit_2(
    tmp_path: Path, run: Run, facts: str, expected: str
) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a"), "rules/facts.yml": facts})
    result = run(root, "lint")
    assert result.exit_code == 2
    assert result.output == expected


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ("facts: [\n", "rules/facts.yml:2: not valid YAML"),
        ("- id: a\n", "rules/facts.yml:1: a facts file is a mapping with one key, 'facts:'"),
        ("facts: []\nrules: []\n", "rules/facts.yml:2: unknown top-level key 'rules'"),
        ("facts:\n  - pattern: '(?P<value>x)'\n", "rules/facts.yml:2: fact #1: needs an 'id'"),
        (
            "facts:\n  - id: a\n    description: A\n",
            "rules/facts.yml:2: fact 'a': needs a 'pattern'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    severty: warning\n",
            "rules/facts.yml:4: fact 'a': unknown key 'severty'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n  - id: a\n    pattern: '(?P<value>y)'\n",
            "rules/facts.yml:4: fact 'a': fact 'a' is defined twice (first on line 2)",
        ),
        (
            "facts:\n  - id: Bad Id\n    pattern: '(?P<value>x)'\n",
            "rules/facts.yml:2: fact 'Bad Id': 'id' must match",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    severity: fatal\n",
            "rules/facts.yml:4: fact 'a': unknown level 'fatal'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    normalize: [upper]\n",
            "rules/facts.yml:4: fact 'a': unknown normalize step 'upper'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    scope: {audiences: public}\n",
            "rules/facts.yml:4: fact 'a': unknown key 'audiences' in 'scope'",
        ),
    ],
    ids=[
        "bad yaml",
        "not a mapping",
        "unknown top-level key",
        "missing id",
        "missing pattern",
        "unknown key",
        "duplicate id",
        "bad id",
        "bad severity",
        "bad normalize",
        "bad scope",
    ],
)
def test_facts_file_errors_name_file_entry_and_line(
    tmp_path: Path, facts: str, message: str
) -> None:
    path = tmp_path / "rules" / "facts.yml"
    path.parent.mkdir()
    path.write_text(facts, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_facts(path, tmp_path)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_missing_facts_file_means_no_facts(tmp_path: Path) -> None:
    book = load_facts(tmp_path / "rules" / "facts.yml", tmp_path)
    assert book.facts == ()


def test_bad_similarity_setting_is_exit_2(tmp_path: Path, run: Run) -> None:
    config = "[lint.conflicts]\nquestion_similarity = 1.5\n"
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")}, config=config)
    result = run(root, "lint")
    assert result.exit_code == 2
    assert "question_similarity must be above 0 and at most 1, not 1.5" in result.output


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


# --- matching surface ----------------------------------------------------------------------------


def test_flat_prose_maps_back_to_file_offsets() -> None:
    text = (
        "---\nid: a\ntitle: T\nstatus: approved\n---\n"
        "Refunds are **processed**\n> within 7 business\n> days.\n\nNext   paragraph.\n"
    )
    item, _ = parse_item("content/docs/a.md", text, "doc")
    assert item is not None
    flat = FlatProse.of(item)
    assert flat.text == "Refunds are processed within 7 business days.\nNext paragraph. "
    index = flat.text.index("7 business days")
    start, end = flat.original_span(index, index + len("7 business days"))
    assert text[start:end] == "7 business\n> days"
    facts = parse_facts(REFUND_FACTS)
    (statement,) = find_statements(item, facts, "docs/a.md")
    assert (statement.value, statement.normalized) == ("7 business days", "7 business days")
    assert item.position(statement.start).line == 7


# --- questions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("How do I reset my password?", "How can I reset my password?", True),
        ("How do I reset my password?", "how do i reset my password", True),
        ("Where are my parcels?", "Where is my parcel?", True),
        ("What's the API rate limit?", "What is the API rate limit?", True),
        ("How do I reset my password?", "How do I change my password?", False),
        ("How do I send a parcel to a locker?", "How do I send a parcel from a locker?", False),
    ],
)
def test_question_tokens(a: str, b: str, same: bool) -> None:
    assert (question_tokens(a) == question_tokens(b)) is same


def test_negation_survives_normalisation() -> None:
    assert normalize_question("Why can't I sign in?") == "why can not i sign in"
    assert is_negated(question_tokens("Why doesn’t my code work?"))
    assert not is_negated(question_tokens("Why does my code work?"))


def test_similar_pairs_equals_brute_force() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(40)]
    sets = []
    for _ in range(400):
        base = rng.sample(vocabulary, rng.randint(1, 9))
        sets.append(base)
        if rng.random() < 0.3:  # a near copy
            copy = list(base)
            if rng.random() < 0.5:
                copy.append(rng.choice(vocabulary))
            elif len(copy) > 1:
                copy.pop()
            sets.append(copy)
    owners = [n // 3 for n in range(len(sets))]
    for threshold in (0.3, 0.5, 0.7, 0.8, 0.9, 1.0):
        for replaced in (None, 0, 1):
            fast = {(i, j) for i, j, _ in similar_pairs(sets, owners, threshold, replaced)}
            slow = {
                (i, j)
                for i in range(len(sets))
                for j in range(i + 1, len(sets))
                if owners[i] != owners[j] and near_duplicates(sets[i], sets[j], threshold, replaced)
            }
            assert fast == slow, (threshold, replaced)
            assert slow  # the data has pairs at every setting


def test_near_duplicates_allow_added_words_not_replaced_ones() -> None:
    trial = question_tokens("How long is the free trial?")
    last = question_tokens("How long does the free trial last?")
    assert jaccard(trial, last) == 0.8
    assert near_duplicates(trial, last, 0.8, replaced=0)
    track = question_tokens("What do I need to track this monthly credit note in bulk?")
    tag = question_tokens("What do I need to tag this monthly credit note in bulk?")
    assert jaccard(track, tag) >= 0.8
    assert not near_duplicates(track, tag, 0.8, replaced=0)
    assert near_duplicates(track, tag, 0.8, replaced=1)


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
