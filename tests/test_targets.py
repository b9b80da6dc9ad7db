"""Targets in the model: resolving `--env`/`--site` without sync, and the one `--env` option."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import ConfigError, UsageError
from pipeline.targets import Target, environment_targets, resolve_targets
from tests.helpers import settings_for
from tests.ops.smoke_support import CONFIG, env_table, make_repo

ROOT = Path(__file__).resolve().parent.parent


def two_site_config() -> str:
    return CONFIG + env_table("qa", "s_b").replace(
        "[environments.qa.http]", '[environments.qa.sites.s_a]\naudiences = ["public"]\n'
        "[environments.qa.http]",
    )  # fmt: skip


def test_every_target_of_every_environment_sorted_by_environment_then_site(
    tmp_path: Path,
) -> None:
    settings = settings_for(make_repo(tmp_path / "repo", config=two_site_config()))

    assert [t.key for t in resolve_targets(settings)] == [
        "local/s_local",
        "production/s_prod",
        "qa/s_a",
        "qa/s_b",
        "staging/s_staging",
    ]
    assert resolve_targets(settings, "qa", "s_b") == [Target("qa", "s_b", "t_qa")]
    assert environment_targets(settings.environment("qa")) == [
        Target("qa", "s_a", "t_qa"),
        Target("qa", "s_b", "t_qa"),
    ]


def test_an_unknown_site_or_environment_is_refused_by_name(tmp_path: Path) -> None:
    settings = settings_for(make_repo(tmp_path / "repo", config=two_site_config()))

    with pytest.raises(UsageError) as site:
        resolve_targets(settings, "qa", "s_c")
    assert site.value.message == "environment 'qa' has no site 's_c' (sites: s_a, s_b)"
    with pytest.raises(ConfigError, match=r"no environment named 'qa2' \(configured: "):
        resolve_targets(settings, "qa2")


def test_targets_and_chat_load_without_sync_lint_or_release() -> None:
    """`kbsync chat` and `kbsync targets` need targets, not the sync engine or the gates."""
    code = (
        "import json, sys, pipeline.targets, pipeline.cli.chat_cmd, pipeline.cli.targets_cmd\n"
        "print(json.dumps(sorted({m.split('.')[1] for m in sys.modules if m.startswith('pipeline.')})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"sync", "lint"}, loaded


def test_env_and_site_are_declared_once_for_every_command() -> None:
    """One decorator declares `--env`/`--site`; a command declaring its own would drift."""
    declared = {
        path.name: len(re.findall(r"""["']--(?:env|site)["']""", path.read_text()))
        for path in sorted((ROOT / "pipeline" / "cli").glob("*.py"))
    }
    assert {name: count for name, count in declared.items() if count} == {"common.py": 2}
