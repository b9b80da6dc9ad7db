"""`kbsync init --ci gitlab`: the `.gitlab-ci.yml` is valid GitLab CI, structurally, and calls
kbsync the way the CLI parses (like tests/cli/test_workflows.py checks the GitHub workflows).

No GitLab to ask offline, so the checker below holds the rules GitLab applies when it loads a
pipeline: known global keys, a stage for every job out of `stages`, `needs` to earlier jobs,
`rules` of known keys and `when` values, a non-empty `script` of strings (nested lists allowed).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.scaffold import GITLAB_CI, ScaffoldOptions, scaffold_files
from tests.cli.conftest import Run
from tests.cli.test_workflows import KbsyncCall, check_call, kbsync_calls

REPO = Path(__file__).resolve().parents[2]
GLOBAL_KEYS = {"stages", "variables", "workflow", "default", "include", "image", "services",
               "before_script", "after_script", "cache"}  # fmt: skip
JOB_KEYS = {"stage", "script", "before_script", "after_script", "rules", "needs", "image",
            "artifacts", "cache", "variables", "environment", "resource_group", "parallel",
            "interruptible", "timeout", "retry", "allow_failure", "when", "tags", "services",
            "dependencies", "coverage"}  # fmt: skip
RULE_KEYS = {"if", "changes", "exists", "when", "allow_failure", "variables", "needs"}
WHEN = {"on_success", "on_failure", "always", "manual", "delayed", "never"}
CONDITION = re.compile(r'^\$\w+ (==|!=) (\$\w+|"[^"]*")$')


def flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in flatten(item)]
    return [value]


def jobs_of(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in pipeline.items() if k not in GLOBAL_KEYS and not k.startswith(".")}


def problems(pipeline: dict[str, Any]) -> list[str]:
    """What GitLab would refuse in `pipeline` (empty: it loads)."""
    found: list[str] = []
    stages = pipeline.get("stages")
    if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
        return ["stages: must be a list of names"]
    jobs = jobs_of(pipeline)
    for rule in (pipeline.get("workflow") or {}).get("rules", []):
        if not CONDITION.match(rule.get("if", "")):
            found.append(f"workflow: bad rule {rule}")
    for name, job in jobs.items():
        if not isinstance(job, dict):
            found.append(f"{name}: not a job")
            continue
        if unknown := set(job) - JOB_KEYS:
            found.append(f"{name}: unknown keys {sorted(unknown)}")
        if job.get("stage") not in stages:
            found.append(f"{name}: stage {job.get('stage')!r} is not in stages")
        script = flatten(job.get("script"))
        if not script or not all(isinstance(line, str) and line for line in script):
            found.append(f"{name}: script must be a non-empty list of strings")
        for rule in job.get("rules", []):
            if unknown := set(rule) - RULE_KEYS:
                found.append(f"{name}: unknown rule keys {sorted(unknown)}")
            if "if" in rule and not CONDITION.match(rule["if"]):
                found.append(f"{name}: bad rule condition {rule['if']!r}")
            if rule.get("when", "on_success") not in WHEN:
                found.append(f"{name}: bad when {rule['when']!r}")
            if not all(isinstance(c, str) for c in flatten(rule.get("changes", []))):
                found.append(f"{name}: changes must be paths")
        for need in job.get("needs", []):
            if need not in jobs:
                found.append(f"{name}: needs unknown job {need!r}")
            elif stages.index(jobs[need]["stage"]) > stages.index(job["stage"]):
                found.append(f"{name}: needs {need!r}, of a later stage")
    return found


def calls(pipeline: dict[str, Any]) -> list[KbsyncCall]:
    default = flatten((pipeline.get("default") or {}).get("before_script", []))
    out: list[KbsyncCall] = []
    for name, job in jobs_of(pipeline).items():
        for line in default + flatten(job.get("before_script", [])) + flatten(job["script"]):
            out.extend(kbsync_calls(f".gitlab-ci.yml › {name}", line))
    return out


@pytest.fixture(scope="module")
def pipeline() -> dict[str, Any]:
    files = scaffold_files(ScaffoldOptions(today=dt.date(2026, 1, 2), ci="gitlab"))
    loaded: dict[str, Any] = yaml.safe_load(files[GITLAB_CI])
    return loaded


def test_gitlab_would_load_the_pipeline(pipeline: dict[str, Any]) -> None:
    assert problems(pipeline) == []
    assert pipeline["stages"] == [
        "lint",
        "plan",
        "sync-staging",
        "verify-staging",
        "sync-production",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p["lint"].update(stage="test"), "lint: stage 'test' is not in stages"),
        (lambda p: p["plan"].update(script=[]), "plan: script must be a non-empty list"),
        (lambda p: p["lint"].update(scripts=["x"]), "lint: unknown keys ['scripts']"),
        (lambda p: p["sync-staging"]["rules"][0].update(when="later"), "bad when 'later'"),
        (lambda p: p["verify-staging"].update(needs=["sync-production"]), "of a later stage"),
        (lambda p: p["lint"]["rules"][0].update({"if": "$CI = 1"}), "bad rule condition"),
    ],
)
def test_the_checker_finds_what_gitlab_refuses(
    pipeline: dict[str, Any], change: Any, expected: str
) -> None:
    broken = yaml.safe_load(yaml.safe_dump(pipeline))
    change(broken)
    assert any(expected in problem for problem in problems(broken)), problems(broken)


def test_every_kbsync_command_parses(pipeline: dict[str, Any]) -> None:
    found = calls(pipeline)
    for call in found:
        check_call(call)
    commands = {(c.where.split(" › ")[1], " ".join(c.args[:2])) for c in found}
    assert commands >= {
        ("lint", "lint --changed-since"),
        ("impact", "impact --changed-since"),
        ("plan", "plan --env"),
        ("sync-staging", "sync --env"),
        ("verify-staging", "smoke --env"),
        ("verify-staging", "eval --env"),
        ("sync-production", "sync --env"),
    }


def test_merge_requests_get_code_quality_junit_and_a_plan_comment(
    pipeline: dict[str, Any],
) -> None:
    lint, plan = pipeline["lint"], pipeline["plan"]
    for job in (lint, plan):
        assert [r["if"] for r in job["rules"]] == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    script = "\n".join(flatten(lint["script"]))
    assert "--format gitlab --output gl-code-quality-report.json" in script
    assert "--format junit --output kbsync-junit.xml" in script
    assert lint["artifacts"]["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "junit": "kbsync-junit.xml",
    }
    assert lint["artifacts"]["when"] == "always"
    plan_script = "\n".join(flatten(plan["script"]))
    assert "/merge_requests/$CI_MERGE_REQUEST_IID/notes" in plan_script
    assert '--data-urlencode "body@plan.md"' in plan_script
    assert plan["parallel"]["matrix"] == [
        {"ENVIRONMENT": "staging", "KEY_VARIABLE": "KBSYNC_STAGING_API_KEY"},
        {"ENVIRONMENT": "production", "KEY_VARIABLE": "KBSYNC_PROD_API_KEY"},
    ]


def test_merge_requests_get_the_answer_impact_as_a_comment_and_it_gates(
    pipeline: dict[str, Any],
) -> None:
    impact = pipeline["impact"]
    assert impact["stage"] == "lint"
    assert [r["if"] for r in impact["rules"]] == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    script = flatten(impact["script"])
    text = "\n".join(script)
    assert "--format markdown --out impact.md || status=$?" in text
    assert '--data-urlencode "body@impact.md"' in text
    # The comment is posted before the job takes impact's status (1: a question regressed).
    assert script[-1] == 'exit "$status"'
    assert impact["artifacts"] == {"when": "always", "paths": ["impact.md"]}


def test_the_default_branch_syncs_staging_then_production_by_hand(
    pipeline: dict[str, Any],
) -> None:
    for name in ("sync-staging", "verify-staging", "sync-production"):
        (rule,) = pipeline[name]["rules"]
        assert rule["if"] == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    assert pipeline["sync-production"]["rules"][0]["when"] == "manual"
    assert pipeline["sync-production"]["needs"] == ["verify-staging"]
    assert pipeline["sync-production"]["environment"] == {"name": "production"}
    assert pipeline["sync-staging"]["resource_group"] == "kbsync-staging"
    assert pipeline["sync-production"]["interruptible"] is False


def test_the_api_key_variables_are_the_ones_kbsync_toml_names(pipeline: dict[str, Any]) -> None:
    files = scaffold_files(ScaffoldOptions(today=dt.date(2026, 1, 2), ci="gitlab"))
    config = tomllib.loads(files["kbsync.toml"])
    names = {env["api_key_env"] for env in config["environments"].values() if "api_key_env" in env}
    used = {v["KEY_VARIABLE"] for v in pipeline["plan"]["parallel"]["matrix"]}
    assert used == names
    assert names <= set(re.findall(r"KBSYNC_\w+_API_KEY", files[GITLAB_CI].split("stages:")[0]))


def test_init_ci_gitlab_writes_the_pipeline_instead_of_workflows(tmp_path: Path, run: Run) -> None:
    result = run(tmp_path, "init", "repo", "--ci", "gitlab", "--kbsync-requirement", "kbsync==9")
    assert result.exit_code == 0, result.output
    root = tmp_path / "repo"
    assert "created  .gitlab-ci.yml\n" in result.output
    assert not (root / ".github").exists()
    text = (root / GITLAB_CI).read_text(encoding="utf-8")
    assert "    - pip install kbsync==9\n" in text
    assert ".gitlab-ci.yml" in (root / "README.md").read_text(encoding="utf-8")
    assert "gl-code-quality-report.json" in (root / ".gitignore").read_text(encoding="utf-8")
    assert run(root, "lint").exit_code == 0
    refused = run(tmp_path, "init", "x", "--ci", "jenkins")
    assert refused.exit_code == 2
    assert "'jenkins' is not one of 'github', 'gitlab'" in refused.output
