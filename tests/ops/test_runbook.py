"""Every `kbsync` command in docs/runbook.md parses against the real CLI, and runs on the sandbox.

Placeholders (ENV, SITE, BATCH, REQUEST_ID, SESSION_ID) are replaced by values of a test
repository whose `local` environment is the in-process sandbox; the commands then run in the
order the runbook gives them, each expected to succeed.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import pytest

from pipeline.cli import cli
from tests.ops.smoke_support import CONFIG, ROLLOUT, Run, base_files, doc, make_repo, run

__all__ = ["run"]

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "runbook.md"
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INCIDENTS = (
    "Auth failures after key rotation",
    "Wrong tenant or site targeting",
    "Empty or poor answers after a content change",
    "Async polling never completing",
    "A burst of 429s or 5xx",
    "Quota exhausted",
    "Lost or stale sync state",
)
PLACEHOLDERS = {"ENV": "local", "SITE": "s_local", "BATCH": "extra"}


def runbook_commands(text: str) -> list[str]:
    """Every line of a fenced code block that runs kbsync, in order."""
    lines = []
    for block in FENCE.findall(text):
        lines += [line.strip() for line in block.splitlines() if line.strip().startswith("kbsync ")]
    return lines


def argv(command: str, values: dict[str, str]) -> list[str]:
    words = shlex.split(command)[1:]
    return [re.sub(r"\b[A-Z][A-Z_]*\b", lambda m: values.get(m.group(), m.group()), w)
            for w in words]  # fmt: skip


def parse(args: list[str]) -> click.Context:
    """Resolve the subcommand and build its context, as `kbsync` would before running it."""
    root = click.Context(cli, info_name="kbsync")
    command = cli.get_command(root, args[0])
    assert command is not None, f"no command {args[0]!r}"
    return command.make_context(args[0], args[1:], parent=root)


COMMANDS = runbook_commands(RUNBOOK.read_text(encoding="utf-8"))


def test_the_runbook_covers_every_incident_class() -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    for title in INCIDENTS:
        (section,) = [s for s in sections if s.split("\n", 1)[0].endswith(title)]
        for part in ("**Symptoms**", "**Diagnose**", "**Pause traffic**", "**Confirm recovery**"):
            assert part in section, (title, part)
        commands = runbook_commands(section)
        assert any(c.startswith("kbsync pause ") for c in commands), title
        confirm = section.split("**Confirm recovery**", 1)[1]
        assert runbook_commands(confirm), title
    assert "kbsync rollback --env ENV --batch BATCH" in COMMANDS


@pytest.mark.parametrize("command", sorted(set(COMMANDS)))
def test_runbook_command_parses(command: str) -> None:
    values = PLACEHOLDERS | {"REQUEST_ID": "req_0123", "SESSION_ID": "kb-v-0123"}

    ctx = parse(argv(command, values))

    assert ctx.command.name == shlex.split(command)[1]


def test_placeholders_are_only_the_documented_ones() -> None:
    words = {w for c in COMMANDS for w in shlex.split(c) if re.fullmatch(r"[A-Z][A-Z_]+", w)}
    assert words == {"ENV", "SITE", "BATCH", "REQUEST_ID", "SESSION_ID"}


def test_runbook_commands_run_against_the_sandbox(run: Run, tmp_path: Path) -> None:
    config = CONFIG.replace(
        'sandbox_db = ".kbsync/local.sqlite3"',
        'sandbox_db = ".kbsync/local.sqlite3"\nmetrics_out = ".kbsync/metrics.json"\n'
        'session_strategy = "per-visitor"',
    )
    rollout = ROLLOUT + (
        '  - id: extra\n    include: ["docs/extra/**"]\n    environments: [local]\n'
    )
    files = base_files() | {
        "content/rollout.yaml": rollout,
        "content/docs/extra/api.md": doc("docs.api", "API limits", "120 requests per minute."),
    }
    root = make_repo(tmp_path / "repo", config=config, files=files)
    first = run(root, "sync", "--env", "local", "--yes")
    assert first.exit_code == 0, first.output
    asked = run(
        root, "chat", "--env", "local", "--async", "--format", "json", "When do lockers open?"
    )
    reply = json.loads(asked.stdout)
    values = PLACEHOLDERS | {"REQUEST_ID": reply["request_id"], "SESSION_ID": reply["session_id"]}

    for command in COMMANDS:
        result = run(root, *argv(command, values))
        assert result.exit_code == 0, f"{command}\n{result.output}"
