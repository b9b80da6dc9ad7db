"""kbsync.toml: every numeric setting range-checked, ids that cannot be paths, keys checked when
read, and files of any encoding refused in one line."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import (
    API_KEY_MAX_LENGTH,
    AsyncConfig,
    ConflictsConfig,
    EnvironmentConfig,
    HttpConfig,
    LintConfig,
    PiiConfig,
    Range,
    RolloutLimits,
    SecretsConfig,
    api_key_problem,
    load_settings,
    settings_from_table,
)
from pipeline.errors import ConfigError

ENV = {"base_url": "sandbox:", "tenant_id": "t_local", "sites": {"s_local": {}}}


def _load(table: dict[str, Any], tmp_path: Path) -> None:
    settings_from_table(table, root=tmp_path, source=tmp_path / "kbsync.toml")


def _env(**parts: Any) -> dict[str, Any]:
    return {"environments": {"local": ENV | parts}}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            _env(rollout={"max_changes": -5}),
            "environments.local.rollout.max_changes = -5 is out of range: "
            "it must be from 0 to 1_000_000",
        ),
        (
            _env(http={"concurrency": 0}),
            "environments.local.http.concurrency = 0 is out of range: it must be from 1 to 64",
        ),
        (
            _env(http={"max_attempts": 0}),
            "environments.local.http.max_attempts = 0 is out of range: it must be from 1 to 20",
        ),
        (
            _env(rollout={"mass_delete_ratio": 7}),
            "environments.local.rollout.mass_delete_ratio = 7 is out of range: "
            "it must be from 0 to 1",
        ),
        (
            _env(http={"read_timeout": 0}),
            "environments.local.http.read_timeout = 0 is out of range: "
            "it must be more than 0 and at most 86_400",
        ),
        (
            _env(http={"total_timeout": float("inf")}),
            "environments.local.http.total_timeout must be a finite number, not inf",
        ),
        (
            _env(http={"backoff_initial": float("nan")}),
            "environments.local.http.backoff_initial must be a finite number, not nan",
        ),
        (
            _env(**{"async": {"poll_interval": 0}}),
            "environments.local.async.poll_interval = 0 is out of range: "
            "it must be more than 0 and at most 60",
        ),
        (
            {"lint": {"pii": {"thresholds": {"PERSON": -0.5}}}},
            "lint.pii.thresholds.PERSON = -0.5 is out of range: it must be from 0 to 1",
        ),
        (
            {"lint": {"max_review_age_days": 0}},
            "lint.max_review_age_days = 0 is out of range: it must be from 1 to 36_500",
        ),
        (
            {"lint": {"conflicts": {"question_replaced_words": -1}}},
            "lint.conflicts.question_replaced_words = -1 is out of range: it must be from 0 to 50",
        ),
        (
            _env(sandbox_ready_delay=-1.0),
            "environments.local.sandbox_ready_delay = -1 is out of range: "
            "it must be from 0 to 3_600",
        ),
    ],
)
def test_out_of_range_settings_name_the_key_and_the_range(
    tmp_path: Path, table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        _load(table, tmp_path)
    assert error.value.message == f"{tmp_path / 'kbsync.toml'}: {message}"
    assert error.value.exit_code == 2


NUMERIC_TABLES = [
    LintConfig,
    PiiConfig,
    SecretsConfig,
    ConflictsConfig,
    HttpConfig,
    AsyncConfig,
    RolloutLimits,
    EnvironmentConfig,
]


@pytest.mark.parametrize("cls", NUMERIC_TABLES, ids=lambda cls: cls.__name__)
def test_every_numeric_setting_has_a_range_its_default_is_in(cls: type[Any]) -> None:
    for fld in dataclasses.fields(cls):
        if fld.name == "sandbox_seed":  # any integer seeds the sandbox's random faults
            continue
        numeric = any(t in str(fld.type) for t in ("int", "float"))
        if not numeric:
            continue
        allowed = fld.metadata.get("range")
        assert isinstance(allowed, Range), f"{cls.__name__}.{fld.name} has no range"
        default = fld.default if fld.default is not dataclasses.MISSING else None
        if isinstance(default, int | float):
            assert allowed.admits(default), f"{cls.__name__}.{fld.name}"


def test_the_edges_of_a_range_are_accepted(tmp_path: Path) -> None:
    table = _env(
        http={"concurrency": 64, "max_attempts": 1},
        rollout={"mass_delete_ratio": 1.0, "max_changes": 0},
    )
    _load(table, tmp_path)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"environments": {"../x": ENV}}, "[environments.'../x']: environment name '../x'"),
        (
            {"environments": {"local": ENV | {"sites": {"..": {}}}}},
            "[environments.local.sites.'..']: site id '..'",
        ),
        (
            {"environments": {"local": ENV | {"sites": {"a\nb": {}}}}},
            "[environments.local.sites.'a\\nb']: site id 'a\\nb'",
        ),
        (_env(tenant_id="t/x"), "environments.local.tenant_id: tenant id 't/x'"),
        (_env(promote_from="../p"), "environments.local.promote_from: environment name '../p'"),
    ],
)
def test_ids_that_could_be_paths_are_refused(
    tmp_path: Path, table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        _load(table, tmp_path)
    assert message + " is not a safe identifier (letters, digits" in error.value.message


def test_a_variable_name_with_a_final_line_break_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        _load(_env(api_key_env="KBSYNC_PROD_API_KEY\n"), tmp_path)
    assert "api_key_env must be the name of an environment variable" in error.value.message


def test_a_key_pasted_as_the_variable_name_is_not_quoted(tmp_path: Path) -> None:
    key = "sk_live 51Hx9Lm2Qw8Zr4Tt"
    with pytest.raises(ConfigError) as error:
        _load(_env(api_key_env=key), tmp_path)
    assert "api_key_env must be the name of an environment variable" in error.value.message
    assert "51Hx9Lm2Qw8Zr4Tt" not in str(error.value) + str(error.value.hint)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("good_key_1\ngood_key_2", "it holds a line break (character 11); it must be one line"),
        ("key with space", "it holds whitespace (character 4)"),
        (
            "kéy_0123456789",
            "it holds a non-ASCII character (character 2); keys are printable ASCII",
        ),
        ("key\x7fdel", "it holds a control character (character 4); keys are printable ASCII"),
        (
            "good_key_" + "A" * 5000,
            "it is 5,009 characters long; keys are at most 1,024 (was a file or another token "
            "pasted?)",
        ),
    ],
)
def test_a_key_is_checked_when_read_and_never_quoted(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("KBSYNC_TEST_KEY", value)
    env = EnvironmentConfig(name="staging", api_key_env="KBSYNC_TEST_KEY")
    assert api_key_problem(value) == problem
    with pytest.raises(ConfigError) as error:
        env.api_key()
    text = f"{error.value} {error.value.hint}"
    assert text.startswith(
        "environment 'staging': the variable KBSYNC_TEST_KEY does not hold a usable API key: "
        + problem
    )
    assert value not in text and "good_key" not in text and "key with" not in text


def test_surrounding_whitespace_of_a_key_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBSYNC_TEST_KEY", "  sbx_key_0123456789\n")
    env = EnvironmentConfig(name="staging", api_key_env="KBSYNC_TEST_KEY")
    assert env.api_key() == "sbx_key_0123456789"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x = 1\n\xff\n", "kbsync.toml:2: not valid UTF-8 (byte 0xff)"),
        (b"[lint\n", "kbsync.toml:1: not valid TOML"),
    ],
)
def test_an_unreadable_config_is_one_config_error(
    tmp_path: Path, data: bytes, message: str
) -> None:
    (tmp_path / "kbsync.toml").write_bytes(data)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    assert message in error.value.message


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "kbsync.toml").write_bytes(b'\xef\xbb\xbfcontent_dir = "kb"\n')
    assert load_settings(tmp_path).content_dir == "kb"


def test_a_pyproject_tool_table_of_the_wrong_type_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nkbsync = "yes"\n')
    with pytest.raises(ConfigError, match=r"\[tool.kbsync\] must be a table"):
        load_settings(tmp_path)


def test_a_key_of_the_longest_accepted_length_is_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBSYNC_TEST_KEY", "k" * API_KEY_MAX_LENGTH)
    env = EnvironmentConfig(name="staging", api_key_env="KBSYNC_TEST_KEY")
    assert env.api_key() == "k" * API_KEY_MAX_LENGTH
