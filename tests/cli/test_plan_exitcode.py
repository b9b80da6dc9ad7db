"""`kbsync plan --detailed-exitcode`: 0 nothing to change, 2 changes pending, 1 any error.

CI reads 2 as "changes pending" (and, say, posts the plan or opens the deploy gate), so no error
may exit 2 with the flag: a broken kbsync.toml or a mistyped option used to do exactly that.
Without the flag, every status stays what it was (2 for usage and configuration errors).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, write_repo

CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"
sandbox_ready_delay = 0.0
sandbox_async_delay = 0.0

[environments.local.sites.s_local]
audiences = ["public"]

[environments.local.http]
max_attempts = 1
backoff_initial = 0.01
backoff_max = 0.02
"""

ROLLOUT = """\
batches:
  - id: core
    include: ["docs/**"]
    environments: [local]
"""

BROKEN_TOML = "[environments.local\nbase_url = 'sandbox:'\n"
GITHUB = "ghp_9gK3lM0nO4qR6sT8uV0wX2yZ4aB6cD8eF0gH2"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(
        tmp_path / "repo",
        {
            "content/rollout.yaml": ROLLOUT,
            "content/docs/lockers.md": doc("docs.lockers", "Lockers", "Lockers open at 7 am."),
        },
        config=CONFIG,
    )
    (root / ".gitignore").write_text(".kbsync/\n")
    commit_all(root, "initial content")
    return root


def test_changes_pending_exit_2(run: Run, repo: Path) -> None:
    result = run(repo, "plan", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "  1 to create, 0 to update, 0 to activate, 0 to delete, 0 unchanged" in result.stdout
    assert result.stderr == ""


def test_nothing_to_change_exits_0(run: Run, repo: Path) -> None:
    assert run(repo, "sync", "--yes").exit_code == 0
    result = run(repo, "plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "  0 to create, 0 to update, 0 to activate, 0 to delete, 1 unchanged" in result.stdout


def test_without_the_flag_pending_changes_exit_0(run: Run, repo: Path) -> None:
    assert run(repo, "plan").exit_code == 0


@pytest.mark.parametrize("flag", [(), ("--detailed-exitcode",)], ids=["plain", "detailed"])
def test_a_broken_config_file_is_an_error_not_pending_changes(
    run: Run, repo: Path, flag: tuple[str, ...]
) -> None:
    (repo / "kbsync.toml").write_text(BROKEN_TOML, encoding="utf-8")
    result = run(repo, "plan", *flag)
    assert result.exit_code == (1 if flag else 2), result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {repo / 'kbsync.toml'}:1: not valid TOML: ")


@pytest.mark.parametrize("flag", [(), ("--detailed-exitcode",)], ids=["plain", "detailed"])
def test_an_unknown_environment_is_an_error_not_pending_changes(
    run: Run, repo: Path, flag: tuple[str, ...]
) -> None:
    result = run(repo, "plan", "--env", "prodution", *flag)
    assert result.exit_code == (1 if flag else 2), result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {repo / 'kbsync.toml'}: no environment named 'prodution' (configured: local)\n"
        "  hint: add an [environments.prodution] table to kbsync.toml\n"
    )


def test_a_config_file_named_on_the_command_line_and_missing_exits_1(run: Run, repo: Path) -> None:
    result = run(repo, "--config", "nowhere.toml", "plan", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    assert result.stderr == "error: nowhere.toml: configuration file not found\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "--format", "yaml"), "Error: Invalid value for '--format': 'yaml' is not one of"),
        (("plan", "--no-such-option"), "Error: No such option '--no-such-option'."),
        (("plan", "stray"), "Error: Got unexpected extra argument (stray)"),
        (("--log-format", "xml", "plan"), "Error: Invalid value for '--log-format': 'xml'"),
    ],
    ids=["bad-choice", "unknown-option", "extra-argument", "global-option"],
)
def test_a_command_line_click_rejects_exits_1(
    run: Run, repo: Path, args: tuple[str, ...], message: str
) -> None:
    plain = run(repo, *args)
    detailed = run(repo, *args, "--detailed-exitcode")
    assert (plain.exit_code, detailed.exit_code) == (2, 1), detailed.output
    assert message in plain.stderr
    assert detailed.stderr == plain.stderr  # shown exactly as click shows it
    assert detailed.stdout == ""


def test_the_flag_given_a_value_still_asks_for_exit_1(run: Run, repo: Path) -> None:
    result = run(repo, "plan", "--detailed-exitcode=yes")
    assert result.exit_code == 1, result.output
    assert result.stderr.endswith("Error: Option '--detailed-exitcode' does not take a value.\n")


def test_contradictory_options_exit_1(run: Run, repo: Path) -> None:
    detailed = run(repo, "plan", "--offline", "--refresh", "--detailed-exitcode")
    assert detailed.exit_code == 1, detailed.output
    assert detailed.stderr == (
        "error: --offline cannot --refresh or --prune (they need the site's listing)\n"
    )
    assert run(repo, "plan", "--offline", "--refresh").exit_code == 2


def test_an_api_error_exits_1(run: Run, repo: Path) -> None:
    config = (repo / "kbsync.toml").read_text(encoding="utf-8")
    config = config.replace(
        'tenant_id = "t_local"\n', 'tenant_id = "t_local"\nsandbox_faults = "503=1"\n'
    )
    (repo / "kbsync.toml").write_text(config, encoding="utf-8")
    result = run(repo, "plan", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: 503 from Uppzy (list_documents): temporary failure at Uppzy (service unavailable)"
    ]


def test_a_missing_api_key_exits_1(run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBSYNC_STAGING_KEY", raising=False)
    with (repo / "kbsync.toml").open("a", encoding="utf-8") as config:
        config.write(
            '\n[environments.staging]\nbase_url = "http://127.0.0.1:9/api/v1"\n'
            'tenant_id = "t_staging"\napi_key_env = "KBSYNC_STAGING_KEY"\n\n'
            '[environments.staging.sites.s_staging]\naudiences = ["public"]\n'
        )
    detailed = run(repo, "plan", "--env", "staging", "--detailed-exitcode")
    assert detailed.exit_code == 1, detailed.output
    assert detailed.stderr.splitlines()[0] == (
        "error: environment 'staging' needs an API key: the variable KBSYNC_STAGING_KEY is not set"
    )
    assert run(repo, "plan", "--env", "staging").exit_code == 2


def test_a_blocked_item_exits_1(run: Run, repo: Path) -> None:
    (repo / "content/docs/token.md").write_text(
        doc("docs.token", "Token", f"Log in with {GITHUB} today."), encoding="utf-8"
    )
    commit_all(repo, "a secret")
    result = run(repo, "plan", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    assert "blocked docs.token:" in result.stdout
    assert GITHUB not in result.output
