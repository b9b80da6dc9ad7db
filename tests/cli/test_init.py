"""`kbsync init`: a new content repository that lints, plans and syncs to `local` at once."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline import __version__
from pipeline.cli import cli
from pipeline.scaffold import ScaffoldOptions, scaffold_files
from tests.cli.conftest import Run
from tests.cli.test_workflows import all_calls, check_call
from tests.helpers import commit_all

REPO = Path(__file__).resolve().parents[2]
FILES = [
    ".github/workflows/content-pr.yml",
    ".github/workflows/content-release.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "content/docs/account/reset-password.md",
    "content/docs/getting-started/welcome.md",
    "content/evals/smoke.yaml",
    "content/qa/account/reset-link-expired.md",
    "content/qa/getting-started/contact-support.md",
    "content/rollout.yaml",
    "kbsync.toml",
    "rules/Kbsync/ClickHere.yml",
    "rules/Kbsync/Deprecated.yml",
    "rules/Kbsync/Simply.yml",
    "rules/Kbsync/Terms.yml",
    "rules/facts.yml",
]
NEXT_STEPS = (
    "\nA content repository is ready in {dir}. Next:\n"
    "  {cd}git init && kbsync lint && kbsync sync --env local --yes\n"
    "Then put your tenant and site ids in kbsync.toml and read README.md.\n"
)


def test_init_writes_the_repository_and_says_what_next(run: Run, tmp_path: Path) -> None:
    result = run(tmp_path, "init", "help-content")
    assert result.exit_code == 0, result.output
    assert result.stdout == "".join(f"created  {f}\n" for f in FILES) + NEXT_STEPS.format(
        dir="help-content", cd="cd help-content && "
    )
    root = tmp_path / "help-content"
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert written == FILES


def test_the_new_repository_lints_plans_and_syncs_to_local(run: Run, tmp_path: Path) -> None:
    assert run(tmp_path, "init").exit_code == 0

    lint = run(tmp_path, "lint")
    assert (lint.exit_code, lint.stdout) == (0, "4 files: 0 errors, 0 warnings, 0 suggestions\n")

    plan = run(tmp_path, "plan", "--offline", "--format", "json")
    assert plan.exit_code == 0, plan.output
    assert '"create"' in plan.stdout and "qa.account.reset-link-expired" in plan.stdout

    sync = run(tmp_path, "sync", "--env", "local", "--yes")
    assert sync.exit_code == 0, sync.output
    assert sync.stdout == (
        "local/s_local: 4 created, 0 updated, 4 activated, 0 deleted, 0 unchanged\n"
    )
    again = run(tmp_path, "sync", "--env", "local", "--yes")
    assert again.stdout == (
        "local/s_local: 0 created, 0 updated, 0 activated, 0 deleted, 4 unchanged\n"
        "  nothing to change\n"
    )


def test_the_examples_are_reviewed_today(run: Run, tmp_path: Path) -> None:
    assert run(tmp_path, "init").exit_code == 0
    for path in (tmp_path / "content").rglob("*.md"):
        assert "\nreviewed: 2026-11-23\n" in path.read_text(encoding="utf-8"), path


def test_without_a_pinned_date_the_examples_use_the_real_today(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KBSYNC_TODAY")
    assert run(tmp_path, "init").exit_code == 0
    text = (tmp_path / "content/docs/account/reset-password.md").read_text(encoding="utf-8")
    assert f"\nreviewed: {dt.date.today().isoformat()}\n" in text
    assert run(tmp_path, "lint").exit_code == 0


def test_init_refuses_to_overwrite_and_lists_the_files(run: Run, tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content/rollout.yaml").write_text("mine\n", encoding="utf-8")
    (tmp_path / "kbsync.toml").write_text("# mine\n", encoding="utf-8")

    result = run(tmp_path, "init")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: . already has 2 of the files kbsync init writes:\n"
        "  content/rollout.yaml\n"
        "  kbsync.toml\n"
        "  hint: pass --force to overwrite them, or choose an empty folder\n"
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["content", "kbsync.toml", "rollout.yaml"]
    assert (tmp_path / "kbsync.toml").read_text(encoding="utf-8") == "# mine\n"

    forced = run(tmp_path, "init", "--force")
    assert forced.exit_code == 0
    assert "overwrote  content/rollout.yaml\n" in forced.stdout
    assert "overwrote  kbsync.toml\n" in forced.stdout
    assert "created  README.md\n" in forced.stdout
    assert run(tmp_path, "lint").exit_code == 0


def test_init_into_a_file_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "taken")])
    assert result.exit_code == 2
    assert "is a file" in result.output or "exists and is not a folder" in result.output


def test_kbsync_toml_has_three_environments_and_names_keys_only() -> None:
    files = scaffold_files(ScaffoldOptions(today=dt.date(2026, 1, 2)))
    config = tomllib.loads(files["kbsync.toml"])
    envs = config["environments"]
    assert sorted(envs) == ["local", "production", "staging"]
    assert envs["staging"]["api_key_env"] == "KBSYNC_STAGING_API_KEY"
    assert envs["production"]["api_key_env"] == "KBSYNC_PROD_API_KEY"
    assert "api_key" not in files["kbsync.toml"].replace("api_key_env", "")
    assert envs["staging"]["state"] == {"store": "git", "remote": "origin"}
    assert ".kbsync/" in files[".gitignore"].splitlines()


def test_the_scaffold_ships_the_repositorys_workflows_and_style() -> None:
    files = scaffold_files(ScaffoldOptions(today=dt.date(2026, 1, 2), kbsync_requirement="."))
    for name in ("content-pr.yml", "content-release.yml"):
        shipped = (REPO / ".github/workflows" / name).read_text(encoding="utf-8")
        assert files[f".github/workflows/{name}"] == shipped, name
    for path in sorted((REPO / "rules/Kbsync").glob("*.yml")):
        assert files[f"rules/Kbsync/{path.name}"] == path.read_text(encoding="utf-8"), path.name


def test_the_scaffolded_workflows_install_the_requirement_and_call_real_commands(
    tmp_path: Path,
) -> None:
    options = ScaffoldOptions(
        today=dt.date(2026, 1, 2), kbsync_requirement="kbsync @ git+https://git.example/kbsync"
    )
    files = scaffold_files(options)
    for name in ("content-pr.yml", "content-release.yml"):
        text = files[f".github/workflows/{name}"]
        assert 'run: pip install "kbsync @ git+https://git.example/kbsync"\n' in text
        assert "pip install .\n" not in text
        (tmp_path / name).write_text(text, encoding="utf-8")
    calls = all_calls(sorted(tmp_path.glob("*.yml")))
    assert len(calls) >= 8
    for call in calls:
        check_call(call)
    assert (
        f"kbsync=={__version__}"
        in scaffold_files(ScaffoldOptions(today=dt.date.today()))[
            ".github/workflows/content-pr.yml"
        ]
    )


def test_pre_commit_uses_kbsyncs_hook() -> None:
    hook_ids = {
        hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    }
    local = yaml.safe_load(
        scaffold_files(ScaffoldOptions(today=dt.date(2026, 1, 2)))[".pre-commit-config.yaml"]
    )
    (repo,) = local["repos"]
    assert repo["repo"] == "local"
    assert [h["id"] for h in repo["hooks"]] == ["kbsync-lint"]
    assert repo["hooks"][0]["entry"] == "kbsync lint"

    remote = yaml.safe_load(
        scaffold_files(
            ScaffoldOptions(today=dt.date(2026, 1, 2), hook_repo="https://git.example/kbsync")
        )[".pre-commit-config.yaml"]
    )
    assert remote["repos"] == [
        {
            "repo": "https://git.example/kbsync",
            "rev": f"v{__version__}",
            "hooks": [{"id": "kbsync-lint", "files": "^content/"}],
        }
    ]
    assert {"kbsync-lint"} <= hook_ids


def test_a_change_in_the_new_repository_gets_its_answer_impact(run: Run, tmp_path: Path) -> None:
    """What the PR template runs: the scaffold's own evals and Q&A entries, asked before and
    after an edit that breaks the reset-link eval."""
    assert run(tmp_path, "init").exit_code == 0
    commit_all(tmp_path, "init")
    clean = run(tmp_path, "impact", "--changed-since", "HEAD")
    assert clean.exit_code == 0, clean.output
    assert (
        clean.stdout.splitlines()[-1] == "impact passed: no question that passed before fails now"
    )

    entry = tmp_path / "content/qa/account/reset-link-expired.md"
    entry.write_text(entry.read_text().replace("60 minutes", "30 minutes"), encoding="utf-8")
    broken = run(tmp_path, "impact", "--changed-since", "HEAD", "--format", "markdown")
    assert broken.exit_code == 1, broken.output
    assert "#### 🔴 regression: eval `reset-link-expiry`" in broken.stdout
    assert "FAIL: missing '60 minutes'" in broken.stdout
