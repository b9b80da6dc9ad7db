"""`kbsync eval`: questions asked on the sandbox, scored, tabled, written as JSON, recorded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.ops.evals import EvalCase, load_evals, score
from pipeline.ops.records import load_record
from pipeline.targets import Target
from tests.helpers import commit_all, settings_for
from tests.ops.smoke_support import Run, repo, run

__all__ = ["repo", "run"]

LOCAL = Target("local", "s_local", "t_local")


def synced(run: Run, root: Path) -> Path:
    result = run(root, "sync", "--env", "local", "--yes")
    assert result.exit_code == 0, result.output
    return root


def test_eval_passes_and_writes_json(run: Run, repo: Path) -> None:
    synced(run, repo)

    result = run(repo, "eval", "--env", "local", "--out", "out/eval.json")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["eval", "target", "confidence", "request", "why"]
    assert [line.split()[:3] for line in lines[1:3]] == [
        ["PASS", "locker-hours", "local/s_local"],
        ["PASS", "reset-password", "local/s_local"],
    ]
    assert lines[3:] == [
        "eval passed: 2 of 2 (100%, minimum 90%) on local",
        "wrote out/eval.json",
    ]
    data = json.loads((repo / "out/eval.json").read_text())
    assert (data["passed"], data["pass_rate"], data["total"], data["failed"]) == (True, 1.0, 2, 0)
    first = data["results"][0]
    assert first["id"] == "locker-hours"
    assert first["request_id"].startswith("req_")
    assert first["request_id"] in lines[1]
    assert "7 am" in first["answer"]
    assert first["source"].endswith("content/evals/basic.yaml:2")
    record = load_record(settings_for(repo), LOCAL, "eval")
    assert record is not None
    assert (record["passed"], record["total"], record["failed"]) == (True, 2, [])


def test_eval_below_min_pass_exits_1(run: Run, repo: Path) -> None:
    synced(run, repo)
    evals = repo / "content/evals/basic.yaml"
    evals.write_text(evals.read_text().replace('["60 minutes"]', '["24 hours"]'))

    failed = run(repo, "eval", "--env", "local", "--async")

    assert failed.exit_code == 1
    row = next(line for line in failed.stdout.splitlines() if "reset-password" in line)
    assert row.startswith("FAIL  reset-password")
    assert row.endswith("missing '24 hours'")
    assert failed.stdout.splitlines()[-1] == "eval FAILED: 1 of 2 (50%, minimum 90%) on local"
    record = load_record(settings_for(repo), LOCAL, "eval")
    assert record is not None and record["failed"] == ["reset-password"]

    lenient = run(repo, "eval", "--env", "local", "--min-pass", "0.5")
    assert lenient.exit_code == 0


def test_eval_before_sync_fails_on_confidence(run: Run, repo: Path) -> None:
    result = run(repo, "eval", "--env", "local")

    assert result.exit_code == 1
    assert "confidence low < medium" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("evals: [\n", "basic.yaml:2: not valid YAML"),
        ("questions: []\n", "basic.yaml:1: expected a mapping with a list 'evals:'"),
        (
            "evals:\n  - id: a\n    question: Q?\n  - id: b\n    question: ''\n",
            "basic.yaml:4: eval #2 (b): 'question' must be a non-empty string",
        ),
        (
            "evals:\n  - id: a\n    question: Q?\n    must_contains: [x]\n",
            "basic.yaml:2: eval #1 (a): unknown key 'must_contains'",
        ),
        (
            "evals:\n  - id: a\n    question: Q?\n    min_confidence: great\n",
            "basic.yaml:2: eval #1 (a): 'min_confidence' must be one of low, medium, high, "
            "not 'great'",
        ),
        (
            "evals:\n  - id: a\n    question: Q?\n    must_contain: 72 hours\n",
            "basic.yaml:2: eval #1 (a): 'must_contain' must be a list of non-empty strings",
        ),
        (
            "evals:\n  - id: a\n    question: Q?\n  - id: a\n    question: R?\n",
            "basic.yaml:4: eval 'a' is defined twice",
        ),
    ],
)
def test_malformed_eval_yaml_is_a_config_error(
    run: Run, repo: Path, text: str, message: str
) -> None:
    (repo / "content/evals/basic.yaml").write_text(text)

    with pytest.raises(ConfigError) as caught:
        load_evals(repo / "content")
    assert message in str(caught.value)

    result = run(repo, "eval", "--env", "local")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_score() -> None:
    case = EvalCase("x", "Q?", ("72 hours",), ("internal",), "medium")

    assert score(case, "It stays 72  Hours.", "high") == ()
    assert score(case, "It stays 3 days (internal).", "low") == (
        "missing '72 hours'",
        "contains 'internal'",
        "confidence low < medium",
    )
    assert score(case, "72 hours", None) == ("confidence unknown (no level given)",)


def test_shipped_evals_load() -> None:
    cases = load_evals(Path(__file__).resolve().parents[2] / "content")

    assert len(cases) >= 10
    assert all(case.must_contain and case.min_confidence == "medium" for case in cases)


@pytest.mark.slow
def test_shipped_evals_and_smoke_pass_on_the_sample_content(run: Run, tmp_path: Path) -> None:
    """What `make demo` does: sync the repository's own content to `local`, then eval, smoke."""
    main = Path(__file__).resolve().parents[2]
    root = tmp_path / "sample"
    for name in ("content", "rules"):
        shutil.copytree(main / name, root / name)
    shutil.copy(main / "kbsync.toml", root / "kbsync.toml")
    (root / ".gitignore").write_text(".kbsync/\n")
    commit_all(root, "sample content")
    assert run(root, "sync", "--env", "local", "--yes", "--wait-ready").exit_code == 0

    evaluated = run(root, "eval", "--env", "local")
    assert evaluated.exit_code == 0, evaluated.output
    assert evaluated.stdout.splitlines()[-1].startswith("eval passed: 10 of 10 (100%")
    smoked = run(root, "smoke", "--env", "local")
    assert smoked.exit_code == 0, smoked.output
