"""`kbsync eval --from-qa / --include-qa`: each approved Q&A entry asked of an environment.

Through the API (no sources in Uppzy's chat response) an entry passes when the answer holds its
answer text. Entries the payload gate blocks are never on the site and are not asked; failures
never quote the entry's text (CI logs are read by more people than the content).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, qa, write_repo
from tests.ops.smoke_support import env_table

GITHUB_TOKEN = "ghp_9gK3lM0nO4qR6sT8uV0wX2yZ4aB6cD8eF0gH2"
HOURS = "We are open 9 to 5, Monday to Friday, and closed on public holidays."
RESET = "Use the reset link on the sign-in page. The link is valid for 60 minutes."


def repo(root: Path, **extra: str) -> Path:
    write_repo(
        root,
        {
            "content/docs/shipping.md": doc(
                "docs.shipping", "Shipping", "Parcels stay in the locker for 72 hours."
            ),
            "content/qa/hours.md": qa("qa.hours", "What are your opening hours?", HOURS),
            "content/qa/reset.md": qa("qa.reset", "How do I reset my password?", RESET),
            **extra,
        },
        config=env_table("local", "s_local"),
    )
    commit_all(root, "content")
    return root


def test_from_qa_asks_each_entry_and_passes_when_the_site_answers_with_it(
    tmp_path: Path, run: Run
) -> None:
    root = repo(tmp_path / "repo")
    assert run(root, "sync", "--env", "local", "--yes").exit_code == 0
    result = run(root, "eval", "--env", "local", "--from-qa", "--out", "eval.json")
    assert result.exit_code == 0, result.output
    rows = [line.split()[:2] for line in result.stdout.splitlines()[1:-2]]
    assert rows == [["PASS", "qa:qa.hours"], ["PASS", "qa:qa.reset"]]
    assert result.stdout.splitlines()[-2] == ("eval passed: 2 of 2 (100%, minimum 90%) on local")
    data = json.loads((root / "eval.json").read_text())
    assert [r["id"] for r in data["results"]] == ["qa:qa.hours", "qa:qa.reset"]


def test_an_entry_the_site_does_not_answer_fails_without_quoting_its_text(
    tmp_path: Path, run: Run
) -> None:
    root = repo(tmp_path / "repo")
    assert run(root, "sync", "--env", "local", "--yes").exit_code == 0
    # Edited after the sync: the site still answers with the old text.
    (root / "content/qa/hours.md").write_text(
        qa("qa.hours", "What are your opening hours?", "We now open at 8 every weekday.")
    )
    result = run(root, "eval", "--env", "local", "--from-qa")
    assert result.exit_code == 1
    (failed,) = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed.split()[1] == "qa:qa.hours"
    assert failed.endswith("missing the entry's answer")
    assert "open at 8" not in result.output


def test_an_entry_the_payload_gate_blocks_is_not_asked(tmp_path: Path, run: Run) -> None:
    leaky = qa("qa.token", "Which token does the build use?", f"It uses {GITHUB_TOKEN} for now.")
    root = repo(tmp_path / "repo", **{"content/qa/token.md": leaky})
    synced = run(root, "sync", "--env", "local", "--yes")
    assert synced.exit_code == 1  # the sync blocks the entry and says so; the rest syncs
    result = run(root, "eval", "--env", "local", "--include-qa", "--min-pass", "0")
    assert result.exit_code == 0, result.output
    assert "qa:qa.token" not in result.output
    assert "qa:qa.hours" in result.output
    assert GITHUB_TOKEN not in result.output


def test_from_qa_with_no_entries_is_a_usage_error(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "repo"
    write_repo(
        root,
        {"content/docs/shipping.md": doc("docs.shipping", "Shipping", "Lockers keep parcels.")},
        config=env_table("local", "s_local"),
    )
    commit_all(root, "content")
    result = run(root, "eval", "--env", "local", "--from-qa")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "error: no questions to ask: no eval questions and no approved Q&A entry for local/s_local"
    )


def test_a_site_with_no_entry_is_asked_nothing_and_gets_no_eval_record(
    tmp_path: Path, run: Run
) -> None:
    """The promotion gate reads each target's eval record: a site with nothing to ask must not
    get a failing one (it used to: a report of no results does not pass)."""
    root = repo(tmp_path / "repo")
    config = (root / "kbsync.toml").read_text() + (
        '[environments.local.sites.s_staff]\naudiences = ["internal"]\n'
    )
    (root / "kbsync.toml").write_text(config)
    commit_all(root, "a staff site")
    assert run(root, "sync", "--env", "local", "--yes").exit_code == 0
    result = run(root, "eval", "--env", "local", "--from-qa")
    assert result.exit_code == 0, result.output
    assert {line.split()[2] for line in result.stdout.splitlines()[1:-1]} == {"local/s_local"}
    records = {
        site: json.loads((root / f".kbsync/state/local/{site}.json").read_text()).get("records", {})
        for site in ("s_local", "s_staff")
    }
    assert records["s_local"]["eval"]["passed"] is True
    assert "eval" not in records["s_staff"]
