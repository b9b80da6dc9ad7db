"""`kbsync impact` through the CLI on scratch repositories (real git, the sandbox's answering)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, git, qa, write_repo
from tests.ops.smoke_support import env_table

EVALS = """\
evals:
  - id: refund-window
    question: How many days do I have to return an item for a refund?
    must_contain: ["30 days"]
  - id: locker
    question: How long do parcels stay in the locker?
    must_contain: ["72 hours"]
"""
REFUNDS = (
    "## Refund window\n\nYou can return any item within {days} days of delivery for a full refund."
)
SHIPPING = "We ship parcels to lockers. Parcels stay in the locker for 72 hours."


def base_repo(root: Path, **extra: str) -> Path:
    files = {
        "content/docs/refunds.md": doc("docs.refunds", "Refunds", REFUNDS.format(days=30)),
        "content/docs/shipping.md": doc("docs.shipping", "Shipping", SHIPPING),
        "content/qa/hours.md": qa(
            "qa.hours", "What are your opening hours?", "We are open 9 to 5, Monday to Friday."
        ),
        "content/evals/smoke.yaml": EVALS,
        **extra,
    }
    write_repo(root, files)
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def impact_json(run: Run, root: Path, *args: str) -> tuple[int, dict]:
    result = run(root, "impact", "--changed-since", "main", "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


def moved(data: dict) -> dict[str, dict]:
    return {q["id"]: q for t in data["targets"] for q in t["questions"]}


def test_an_edit_that_drops_an_evals_phrase_is_a_regression_with_before_and_after(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14))
    )
    result = run(root, "impact", "--changed-since", "main")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    start = lines.index(
        "REGRESSION  eval refund-window: How many days do I have to return an item for a "
        "refund?  (content/evals/smoke.yaml:2)"
    )
    assert lines[start + 1 : start + 10] == [
        "  changed: answer, verdict",
        "  before (main): PASS  confidence high 0.80",
        "    source docs.refunds (content/docs/refunds.md) 4.74",
        "    answer: Refunds Refund window You can return any item within 30 days of delivery "
        "for a full refund.",
        "  after (working tree): FAIL: missing '30 days'  confidence high 0.80",
        "    source docs.refunds (content/docs/refunds.md) 4.74",
        "    answer: Refunds Refund window You can return any item within 14 days of delivery "
        "for a full refund.",
        "local/s_local: 1 regressed, 0 shadowed, 0 improved, 0 changed, 2 unchanged "
        "(2 not asked again)",
        "impact FAILED: 1 question that passed at main fails now",
    ]
    code, data = impact_json(run, root)
    assert code == 1 and data["version"] == 1 and data["regressions"] == 1
    q = moved(data)["refund-window"]
    assert (q["kind"], q["before"]["passed"], q["after"]["passed"]) == ("regression", True, False)
    assert q["after"]["failures"] == ["missing '30 days'"]


def test_an_unrelated_edit_moves_no_question_and_exits_0(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path, **{"content/docs/brand.md": doc("docs.brand", "Brand", "Colours.")})
    (root / "content/docs/brand.md").write_text(doc("docs.brand", "Brand", "Our logo is blue."))
    code, data = impact_json(run, root)
    assert code == 0
    assert moved(data) == {}
    counts = data["targets"][0]["counts"]
    assert counts["questions"] == 3 and counts["unchanged"] == 3
    assert counts["unchanged_not_asked"] == 3
    assert data["targets"][0]["changed_items"] == [
        {"id": "docs.brand", "path": "content/docs/brand.md", "change": "changed"}
    ]


def test_a_new_document_that_outranks_a_qa_entry_is_shadowing_naming_both(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/hours.md").write_text(
        doc("docs.hours", "Opening hours", "Our opening hours: we are open 8 to 8 every day.")
    )
    code, data = impact_json(run, root)
    assert code == 1
    q = moved(data)["qa.hours"]
    assert q["kind"] == "shadowing"
    [note] = [n for n in q["notes"] if "outranked" in n]
    assert note.startswith("qa qa.hours (content/qa/hours.md, score ")
    assert "is now outranked by docs.hours (content/docs/hours.md, score " in note
    text = run(root, "impact", "--changed-since", "main").output
    assert "SHADOWING  qa qa.hours: What are your opening hours?  (content/qa/hours.md)" in text
    markdown = run(root, "impact", "--changed-since", "main", "--format", "markdown").output
    assert "#### 🟠 shadowing: qa `qa.hours`" in markdown
    assert "- qa qa.hours \\(content/qa/hours.md, score " in markdown


def test_a_deleted_document_an_eval_relied_on_is_reported(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/shipping.md").unlink()
    code, data = impact_json(run, root)
    assert code == 1
    q = moved(data)["locker"]
    assert q["kind"] == "regression"
    assert "top source docs.shipping (content/docs/shipping.md) was deleted" in q["notes"]


def test_an_unknown_ref_is_one_line_and_exit_2(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    result = run(root, "impact", "--changed-since", "origin/nope")
    assert result.exit_code == 2
    assert result.output == (
        "error: git does not know 'origin/nope'\n"
        "  hint: fetch it first (git fetch origin nope) or name another ref\n"
    )


def test_outside_git_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")}, config="")
    result = run(root, "impact", "--changed-since", "main")
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.output


def test_a_shallow_clone_without_the_ref_says_how_to_fetch_it(tmp_path: Path, run: Run) -> None:
    origin = base_repo(tmp_path / "origin")
    commit_all(origin, "feature work")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", "--branch", "feature", f"file://{origin}", str(clone))
    result = run(clone, "impact", "--changed-since", "origin/main")
    assert result.exit_code == 2
    assert result.output == (
        "error: git does not know 'origin/main': this is a shallow clone without it\n"
        "  hint: fetch it: git fetch --depth=50 origin main (or clone with fetch-depth: 0)\n"
    )


def test_a_renamed_file_is_a_deletion_and_an_addition_and_moves_nothing(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    git(root, "mv", "content/docs/shipping.md", "content/docs/delivery.md")
    code, data = impact_json(run, root)
    assert code == 0
    assert moved(data) == {}
    assert data["changed_paths"] == ["content/docs/delivery.md", "content/docs/shipping.md"]


def test_a_rollout_change_that_unapproves_an_item_is_a_regression(tmp_path: Path, run: Run) -> None:
    rollout = (
        "batches:\n  - id: docs\n    include: ['docs/**']\n    environments: [local]\n"
        "  - id: qa\n    include: ['qa/**']\n    environments: [local]\n"
    )
    root = base_repo(tmp_path, **{"content/rollout.yaml": rollout})
    (root / "content/rollout.yaml").write_text(
        rollout.replace("[local]\n  - id: qa", "[]\n  - id: qa")
    )
    code, data = impact_json(run, root)
    assert code == 1
    questions = moved(data)
    assert {questions["refund-window"]["kind"], questions["locker"]["kind"]} == {"regression"}
    assert (
        "top source docs.shipping (content/docs/shipping.md) is not in this target's content in "
        "the working tree: batch docs is not approved for local" in questions["locker"]["notes"]
    )


def test_broken_frontmatter_at_one_side_is_a_missing_item_with_its_error(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/shipping.md").write_text("---\nid: [docs.shipping\n---\nText\n")
    code, data = impact_json(run, root)
    assert code == 1
    target = data["targets"][0]
    assert list(target["problems"]["after"]) == ["content/docs/shipping.md"]
    assert target["problems"]["after"]["content/docs/shipping.md"].startswith("line ")
    assert any("no longer reads: line" in n for n in moved(data)["locker"]["notes"])


def test_a_file_that_is_not_utf8_is_reported_not_a_crash(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/latin.md").write_bytes(b"---\nid: docs.latin\ntitle: Caf\xe9\n---\n")
    code, data = impact_json(run, root)
    assert code == 0
    assert "not valid UTF-8" in data["targets"][0]["problems"]["after"]["content/docs/latin.md"]


def test_no_evals_and_no_qa_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path, **{"content/evals/smoke.yaml": ""})
    (root / "content/docs/refunds.md").write_text(doc("docs.refunds", "Refunds", "Changed."))
    result = run(root, "impact", "--changed-since", "main", "--no-include-qa")
    assert result.exit_code == 2
    assert result.output.startswith("error: no questions to ask: no eval questions in ")


def test_a_repository_with_no_evals_and_no_qa_gets_the_untested_changes_not_an_error(
    tmp_path: Path, run: Run
) -> None:
    """What the PR template meets in a repository brought in by `kbsync import`: nothing to ask
    yet. The job must not fail as misconfigured; it lists what nobody tests, with evals to add."""
    root = tmp_path / "repo"
    write_repo(root, {"content/docs/refunds.md": doc("docs.refunds", "Refunds", "Old text.")})
    commit_all(root, "base")
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14))
    )
    result = run(root, "impact", "--changed-since", "HEAD", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "no questions to ask: no eval questions in " in result.stdout
    assert "#### Not covered by any question" in result.stdout
    assert "What should I know about refund window?" in result.stdout


def test_odd_characters_in_questions_stay_inside_the_markdown_table(
    tmp_path: Path, run: Run
) -> None:
    evals = (
        'evals:\n  - id: odd\n    question: "Refund | return <b>window</b> `30` days?\\n'
        'second line"\n    must_contain: ["30 days"]\n'
    )
    root = base_repo(tmp_path, **{"content/evals/smoke.yaml": evals})
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14))
    )
    out = tmp_path / "impact.md"
    result = run(
        root, "impact", "--changed-since", "main", "--format", "markdown", "--out", str(out)
    )
    assert result.exit_code == 1
    assert result.output == f"wrote {out}\n"
    markdown = out.read_text()
    assert "> Refund \\| return &lt;b&gt;window&lt;/b&gt; \\`30\\` days? second line" in markdown
    for line in markdown.splitlines():
        if line.startswith("| verdict"):
            assert line.count(" | ") == 2


def test_impact_answers_as_the_local_environment_does_after_a_sync(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14))
    )
    (root / "kbsync.toml").write_text(env_table("local", "s_local"))
    _code, data = impact_json(run, root, "--all")
    assert run(root, "sync", "--env", "local", "--yes").exit_code == 0
    evaluated = run(root, "eval", "--env", "local", "--include-qa", "--out", "eval.json")
    assert evaluated.exit_code == 1
    answers = {r["id"]: r for r in json.loads((root / "eval.json").read_text())["results"]}
    questions = moved(data)
    assert questions["refund-window"]["after"]["answer"] == answers["refund-window"]["answer"]
    assert (
        questions["refund-window"]["after"]["confidence_score"]
        == answers["refund-window"]["confidence_score"]
    )
    assert answers["qa:qa.hours"]["passed"] is True
