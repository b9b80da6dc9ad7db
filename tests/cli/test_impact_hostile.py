"""`kbsync impact` as a careless or hostile user meets it: secrets in the content, Markdown
that tries to escape the PR comment, odd git states, evals edited in the change, duplicate
Q&A questions, bad options. Each gives a sensible report or one error line with exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.cli.test_impact import EVALS, REFUNDS, base_repo, impact_json, moved
from tests.helpers import commit_all, doc, git, qa, write_repo

GITHUB = "ghp_9gK3lM0nO4qR6sT8uV0wX2yZ4aB6cD8eF0gH2"
PHONE = "+1 415 555 2671"
EMAIL = "jane.doe@acme-corp.com"
FORMATS = ("text", "markdown", "json")


def outputs(run: Run, root: Path) -> dict[str, tuple[int, str]]:
    found = {}
    for fmt in FORMATS:
        result = run(root, "impact", "--changed-since", "main", "--format", fmt)
        found[fmt] = (result.exit_code, result.output)
    return found


# --- secrets and personal data ----------------------------------------------------------------


def test_a_secret_in_a_changed_page_is_blocked_there_named_by_rule_and_never_printed(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=30) + f"\n\nRefund token: {GITHUB}\n")
    )
    for fmt, (code, text) in outputs(run, root).items():
        assert code == 1, fmt  # the page is not on the site: its eval fails now
        assert GITHUB not in text and GITHUB[4:20] not in text, fmt
    _code, data = impact_json(run, root)
    target = data["targets"][0]
    assert target["blocked"] == {
        "before": [],
        "after": [
            {
                "id": "docs.refunds",
                "path": "content/docs/refunds.md",
                "findings": [{"rule": "secrets.vcs-token", "line": 13}],
            }
        ],
    }
    assert {"id": "docs.refunds", "path": "content/docs/refunds.md", "change": "blocked"} in (
        target["changed_items"]
    )
    assert (
        "top source docs.refunds (content/docs/refunds.md) is blocked by the payload gate in "
        "the working tree: secrets.vcs-token (line 13)"
    ) in moved(data)["refund-window"]["notes"]
    text = run(root, "impact", "--changed-since", "main").output
    assert (
        "  blocked by the payload gate at the working tree: docs.refunds "
        "(content/docs/refunds.md): secrets.vcs-token (line 13)"
    ) in text.splitlines()


def test_removing_a_secret_the_gate_blocked_at_the_base_is_an_improvement(
    tmp_path: Path, run: Run
) -> None:
    leaky = doc("docs.refunds", "Refunds", REFUNDS.format(days=30) + f"\n\nToken: {GITHUB}\n")
    root = base_repo(tmp_path, **{"content/docs/refunds.md": leaky})
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=30))
    )
    code, data = impact_json(run, root)
    assert code == 0
    assert moved(data)["refund-window"]["kind"] == "improvement"
    assert [b["id"] for b in data["targets"][0]["blocked"]["before"]] == ["docs.refunds"]
    assert GITHUB not in json.dumps(data)


def test_personal_data_in_quoted_answers_is_masked_in_every_format(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/shipping.md").write_text(
        doc(
            "docs.shipping",
            "Shipping",
            f"Parcels stay in the locker for 48 hours. Call {PHONE} or mail {EMAIL}.",
        )
    )
    for fmt, (code, text) in outputs(run, root).items():
        assert code == 1, fmt
        assert PHONE not in text and EMAIL not in text and "2671" not in text.replace("**71", ""), (
            fmt
        )
        masked = "j***@a********.com" if fmt != "markdown" else "j\\*\\*\\*@&#8203;a\\*"
        assert masked in text, fmt


def test_an_unchanged_page_is_not_gated_but_what_the_report_quotes_of_it_is_masked(
    tmp_path: Path, run: Run
) -> None:
    """Unchanged items are the same at both sides: not checked (a sync's `plan` names them),
    compared as written, and masked wherever the report quotes them."""
    shipping = doc(
        "docs.shipping", "Shipping", f"Parcels stay in the locker for 72 hours. Key {GITHUB}."
    )
    root = base_repo(tmp_path, **{"content/docs/shipping.md": shipping})
    (root / "content/docs/lockers.md").write_text(
        doc("docs.lockers", "Lockers", "How long do parcels stay in the locker? Ask the desk.")
    )
    code, data = impact_json(run, root, "--all")
    target = data["targets"][0]
    assert target["blocked"] == {"before": [], "after": []}
    answers = [q[side]["answer"] for q in target["questions"] for side in ("before", "after")]
    assert any("ghp_…gH2" in a for a in answers)
    assert GITHUB not in json.dumps(data) and code in (0, 1)


# --- the Markdown is quoted, never obeyed -----------------------------------------------------

HOSTILE = (
    "Ping @octocat about #123 and GH-7 </details> <img src=x onerror=alert(1)> "
    "[click](https://evil.example) ![t](https://evil.example/t.png) $x^2$ ``` **bold** | cell"
)


def test_hostile_markdown_in_questions_and_answers_stays_inert_in_the_comment(
    tmp_path: Path, run: Run
) -> None:
    evals = EVALS + f'  - id: hostile\n    question: "{HOSTILE} refund days?"\n'
    evals += '    must_contain: ["30 days"]\n'
    root = base_repo(tmp_path, **{"content/evals/smoke.yaml": evals})
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14) + "\n\n" + HOSTILE + "\n")
    )
    markdown = run(root, "impact", "--changed-since", "main", "--format", "markdown").output
    assert "hostile" in markdown and "@octocat" not in markdown
    for raw in ("#123", "GH-7", "</details>", "<img", "](https://evil", "$x^2$", "**bold**"):
        assert raw not in markdown, raw
    assert "@&#8203;octocat" in markdown and "\\#&#8203;123" in markdown
    for line in markdown.splitlines():
        assert not line.lstrip("> ").startswith("```"), line
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) == 4, line


def test_a_question_of_5000_characters_is_cut_in_the_comment_and_whole_in_the_json(
    tmp_path: Path, run: Run
) -> None:
    question = "How many days do I have to return an item " + "really " * 700 + "?"
    evals = f'evals:\n  - id: long\n    question: "{question}"\n    must_contain: ["30 days"]\n'
    root = base_repo(tmp_path, **{"content/evals/smoke.yaml": evals})
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14) + " Long." * 3000)
    )
    markdown = run(root, "impact", "--changed-since", "main", "--format", "markdown").output
    assert max(len(line) for line in markdown.splitlines()) < 1000
    assert len(markdown) < 5000
    _code, data = impact_json(run, root)
    assert moved(data)["long"]["question"] == question.strip()


def test_a_ref_with_backticks_and_pipes_does_not_break_the_table(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    git(root, "branch", "we`ird|ref", "main")
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14))
    )
    result = run(root, "impact", "--changed-since", "we`ird|ref", "--format", "markdown")
    assert result.exit_code == 1
    assert "(against ``we`ird|ref``)" in result.output
    assert "| | before (``we`ird\\|ref``) | after (this change) |" in result.output


# --- the exit status --------------------------------------------------------------------------


def test_a_new_eval_that_fails_now_fails_the_change(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    (root / "content/evals/smoke.yaml").write_text(
        EVALS + "  - id: weekend\n    question: Are you open on Sunday?\n"
        "    must_contain: ['Sunday']\n"
    )
    code, data = impact_json(run, root)
    assert code == 1 and data["new_failing"] == 1 and data["regressions"] == 0
    q = moved(data)["weekend"]
    assert q["kind"] == "new-failing"
    assert q["notes"][0] == "eval added in this change: asked at both sides with its text"
    text = run(root, "impact", "--changed-since", "main").output
    assert text.endswith("impact FAILED: 1 eval question added or edited in this change fails\n")


def test_a_new_eval_that_passes_and_a_deleted_eval_exit_0(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    (root / "content/evals/smoke.yaml").write_text(
        EVALS.split("  - id: locker")[0]
        + "  - id: hours\n    question: What are your opening hours?\n"
        "    must_contain: ['9 to 5']\n"
    )
    code, data = impact_json(run, root)
    assert code == 0 and moved(data) == {}
    assert data["notes"] == ["eval questions removed by this change (not asked): locker"]


def test_an_eval_id_reused_for_another_question_that_fails_now_fails_the_change(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/evals/smoke.yaml").write_text(
        EVALS.replace("How long do parcels stay in the locker?", "What are your opening hours?")
    )
    code, data = impact_json(run, root)
    assert code == 1
    q = moved(data)["locker"]
    assert q["kind"] == "new-failing" and q["question"] == "What are your opening hours?"
    assert q["notes"][0] == "eval edited in this change: asked at both sides with its new text"


def test_a_question_that_fails_at_both_sides_is_no_regression(tmp_path: Path, run: Run) -> None:
    root = base_repo(
        tmp_path, **{"content/evals/smoke.yaml": EVALS.replace('["30 days"]', '["45 days"]')}
    )
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14))
    )
    code, data = impact_json(run, root)
    assert code == 0
    q = moved(data)["refund-window"]
    assert (q["kind"], q["before"]["passed"], q["after"]["passed"]) == ("changed", False, False)


# --- Q&A entries ------------------------------------------------------------------------------


def test_two_entries_asking_the_same_question_do_not_shadow_each_other(
    tmp_path: Path, run: Run
) -> None:
    question = "What are your opening hours?"
    files = {
        "content/qa/a.md": qa("qa.a", question, "Our opening hours are 9 to 5 on weekdays."),
        "content/qa/b.md": qa("qa.b", question, "Weekdays 9 to 5."),
    }
    root = base_repo(tmp_path, **files)
    (root / "content/qa/b.md").write_text(
        qa("qa.b", question, "Opening hours: our opening hours are 9 to 5, opening hours.")
    )
    code, data = impact_json(run, root)
    assert code == 0, data
    a = moved(data)["qa.a"]
    assert a["before"]["sources"][0]["id"] == "qa.a" and a["after"]["sources"][0]["id"] == "qa.b"
    assert (a["kind"], a["after"]["passed"]) == ("changed", True)
    assert "also asked by qa.b, qa.hours: any of them as top source passes" in a["notes"]


def test_a_qa_entry_moved_to_internal_says_why_it_left_and_is_no_regression(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/qa/hours.md").write_text(
        qa("qa.hours", "What are your opening hours?", "We are open 9 to 5.").replace(
            "status: approved", "status: approved\naudience: internal"
        )
    )
    code, data = impact_json(run, root)
    assert code == 0
    assert (
        "qa qa.hours is not in this target's content in the working tree: site s_local does "
        "not take internal content" in moved(data)["qa.hours"]["notes"]
    )


def test_a_file_whose_id_changed_names_its_new_id(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/refunds.md").write_text(
        doc("docs.returns", "Refunds", REFUNDS.format(days=30))
    )
    _code, data = impact_json(run, root)
    assert (
        "top source docs.refunds (content/docs/refunds.md) is now docs.returns (its id changed)"
        in moved(data)["refund-window"]["notes"]
    )


# --- git and files ----------------------------------------------------------------------------


def test_an_edit_to_a_file_with_a_non_ascii_name_is_seen(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path, **{"content/docs/remboursé.md": doc("docs.rem", "Remb", "x")})
    (root / "content/docs/remboursé.md").write_text(
        doc("docs.rem", "Remb", "Return any item within 90 days for a refund.")
    )
    _code, data = impact_json(run, root)
    assert data["changed_paths"] == ["content/docs/remboursé.md"]
    assert data["targets"][0]["changed_items"] == [
        {"id": "docs.rem", "path": "content/docs/remboursé.md", "change": "changed"}
    ]


def test_a_repository_without_commits_is_one_line_and_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")})
    git(root, "init", "-q")
    for ref in ("main", "HEAD"):
        result = run(root, "impact", "--changed-since", ref)
        assert result.exit_code == 2
        assert result.output == (
            f"error: cannot compare with {ref!r}: this repository has no commit yet\n"
            "  hint: commit the content first (git add -A && git commit), then compare\n"
        )


@pytest.mark.parametrize("where", ["a-file/impact.md", "missing/folder/impact.md"])
def test_out_into_an_unwritable_or_missing_folder(tmp_path: Path, run: Run, where: str) -> None:
    root = base_repo(tmp_path, **{"a-file": "not a folder"})
    result = run(root, "impact", "--changed-since", "main", "--out", where)
    if where.startswith("a-file"):
        assert result.exit_code == 2
        assert result.output == (
            f"error: {where}: cannot write the report: a part of its folder is a file, not a folder\n"
            "  hint: name a file in a folder you can write to\n"
        )
    else:
        assert result.exit_code == 0 and (root / where).is_file()


def test_detached_head_and_a_tag_as_ref_compare_like_a_branch(tmp_path: Path, run: Run) -> None:
    root = base_repo(tmp_path)
    git(root, "tag", "v1", "main")
    (root / "content/docs/refunds.md").write_text(
        doc("docs.refunds", "Refunds", REFUNDS.format(days=14))
    )
    commit_all(root, "edit")
    git(root, "checkout", "-q", "--detach", "HEAD")
    code, data = impact_json(run, root)
    assert code == 1 and moved(data)["refund-window"]["kind"] == "regression"
    result = run(root, "impact", "--changed-since", "v1", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.output)["ref"] == "v1"


# --- what sync refuses, impact refuses (one per-item step: pipeline.sync.desired) -------------


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("id: ../../evil", "content/docs/a.md:2: id '../../evil' is not a safe identifier"),
        (
            "id: docs.a\nbatch: ../all",
            "content/docs/a.md:3: batch '../all' is not a safe identifier",
        ),
    ],
)
def test_an_id_or_batch_that_is_a_path_stops_impact_as_it_stops_plan(
    tmp_path: Path, run: Run, front: str, message: str
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/a.md").write_text(doc("docs.a").replace("id: docs.a", front))
    plan = run(root, "plan")
    result = run(root, "impact", "--changed-since", "main")
    assert (plan.exit_code, result.exit_code) == (2, 2)
    [error] = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert error.startswith(f"error: {message}")
    assert error in plan.output.splitlines()
    assert "Traceback" not in result.output


def test_an_unsafe_id_the_change_fixes_is_a_problem_of_the_base_not_a_refusal(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(
        tmp_path, **{"content/docs/a.md": doc("docs.a").replace("id: docs.a", "id: ../x")}
    )
    (root / "content/docs/a.md").write_text(doc("docs.a"))
    code, data = impact_json(run, root)
    assert code == 0
    problems = data["targets"][0]["problems"]
    assert problems["after"] == {}
    [(path, why)] = problems["before"].items()
    assert path == "content/docs/a.md"
    assert why.startswith("line 2: id '../x' is not a safe identifier (letters, digits")


def test_of_two_items_sharing_an_id_impact_keeps_the_one_sync_keeps(
    tmp_path: Path, run: Run
) -> None:
    root = base_repo(tmp_path)
    (root / "content/docs/a").mkdir(parents=True)
    (root / "content/docs/a.md").write_text(doc("docs.dup", "File", "Beside the folder."))
    (root / "content/docs/a/b.md").write_text(doc("docs.dup", "Folder", "Inside the folder."))
    plan = run(root, "plan")
    said = "content/docs/a.md: id 'docs.dup' is also used by content/docs/a/b.md; kept the first"
    assert said in plan.output
    _code, data = impact_json(run, root)
    [target] = data["targets"]
    assert target["problems"]["after"] == {
        "content/docs/a.md": "id 'docs.dup' is also used by content/docs/a/b.md; kept the first"
    }
    assert target["changed_items"] == [
        {"id": "docs.dup", "path": "content/docs/a/b.md", "change": "added"}
    ]
