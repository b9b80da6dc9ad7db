"""rollout.yaml: batch ids and environment names that cannot be paths, a required file, and
environments checked against the configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.rollout import check_environments, load_rollout


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "rollout.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("batch_id", ["a..b", "core.", "core.lock", "core\\n"])
def test_a_batch_id_that_is_not_safe_is_refused(tmp_path: Path, batch_id: str) -> None:
    root = _write(tmp_path, f'batches:\n  - id: "{batch_id}"\n    include: ["**"]\n')
    with pytest.raises(ConfigError, match=r"rollout.yaml:2: batch #1: 'id' must match"):
        load_rollout(root)


def test_an_environment_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    root = _write(tmp_path, "batches:\n  - id: a\n    include: ['**']\n    environments: [../p]\n")
    with pytest.raises(ConfigError, match=r"batch 'a': environment '../p' is not a safe"):
        load_rollout(root)


def test_a_missing_file_is_an_error_only_when_required(tmp_path: Path) -> None:
    assert load_rollout(tmp_path).batches == ()
    with pytest.raises(ConfigError, match=r"rollout.yaml: no rollout file"):
        load_rollout(tmp_path, required=True)


def test_yaml_nested_too_deeply_is_one_config_error(tmp_path: Path) -> None:
    root = _write(tmp_path, "[" * 5000 + "]" * 5000)
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_rollout(root)


def test_environments_are_checked_against_the_configuration(tmp_path: Path) -> None:
    text = "batches:\n  - id: a\n    include: ['**']\n    environments: [local]\n"
    text += "  - id: b\n    include: ['x/**']\n    environments: [local, prod]\n"
    rollout = load_rollout(_write(tmp_path, text))
    check_environments(rollout, ["local", "prod"], None)
    with pytest.raises(ConfigError) as error:
        check_environments(rollout, ["local"], tmp_path / "pyproject.toml")
    assert error.value.message == (
        f"{tmp_path / 'rollout.yaml'}:5: batch 'b' names environment 'prod', which "
        "pyproject.toml does not define (defined: local)"
    )
