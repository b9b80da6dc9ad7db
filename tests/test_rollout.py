"""rollout.yaml: batch ids and environment names that cannot be paths, a required file, and
environments checked against the configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.errors import ConfigError
from pipeline.rollout import Batch, check_environments, load_rollout, rollout_from_data


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


# --- adding a batch as text (kbsync import) ----------------------------------------------------

NEW = Batch("import-local-s1", ("docs/a/b.md", "qa/x/y.md"), ("local",), description="Imported")


def test_batch_appended_keeps_comments_order_and_block_scalars(tmp_path: Path) -> None:
    from pipeline.rollout import batch_appended

    text = (
        "# top comment\n"
        "batches:\n"
        "  # the first batch\n"
        "  - id: core   # inline\n"
        "    description: |\n"
        "      Multi line\n"
        "      text\n"
        "\n"
        "    include: ['docs/**']  # all docs\n"
        "    environments: [local,\n"
        "      staging\n"
        "    ]\n"
        "# trailing comment\n"
    )
    out = batch_appended(text, NEW, tmp_path / "rollout.yaml", "imported by kbsync")
    assert out == text.replace(
        "    ]\n",
        "    ]\n"
        "  # imported by kbsync\n"
        "  - id: import-local-s1\n"
        '    description: "Imported"\n'
        "    include:\n"
        '      - "docs/a/b.md"\n'
        '      - "qa/x/y.md"\n'
        "    environments: [local]\n",
    )
    parsed = rollout_from_data(yaml.safe_load(out), tmp_path)
    assert [b.id for b in parsed.batches] == ["core", "import-local-s1"]
    assert parsed.batches[0].description == "Multi line\ntext\n"


def test_batch_appended_follows_unindented_lists_and_empty_ones(tmp_path: Path) -> None:
    from pipeline.rollout import batch_appended

    flat = "batches:\n- id: a\n  include: [x]\n  environments: []"
    out = batch_appended(flat, NEW, tmp_path, "")
    assert out.startswith(flat + "\n- id: import-local-s1\n  description:")
    assert [b.id for b in rollout_from_data(yaml.safe_load(out), tmp_path).batches] == [
        "a", "import-local-s1"
    ]  # fmt: skip
    empty = batch_appended("# none yet\nbatches: []  # later\n", NEW, tmp_path, "")
    assert empty.startswith("# none yet\nbatches:\n  - id: import-local-s1\n")
    assert "# later" in empty
    assert rollout_from_data(yaml.safe_load(empty), tmp_path).batches[0].id == "import-local-s1"


def test_batch_appended_refuses_flow_lists_and_taken_ids(tmp_path: Path) -> None:
    from pipeline.rollout import batch_appended

    flow = "batches: [{id: a, include: [x], environments: [local]}]\n"
    with pytest.raises(ConfigError, match="flow style"):
        batch_appended(flow, NEW, tmp_path, "")
    taken = "batches:\n  - id: import-local-s1\n    include: [x]\n    environments: []\n"
    with pytest.raises(ConfigError, match="already defined"):
        batch_appended(taken, NEW, tmp_path, "")


def test_add_batch_creates_a_missing_file(tmp_path: Path) -> None:
    from pipeline.rollout import add_batch

    add_batch(tmp_path / "content", NEW, "first import")
    loaded = load_rollout(tmp_path / "content")
    assert [b.id for b in loaded.batches] == ["import-local-s1"]
    assert loaded.batches[0].include == ("docs/a/b.md", "qa/x/y.md")
    assert "# first import" in (tmp_path / "content" / "rollout.yaml").read_text()
