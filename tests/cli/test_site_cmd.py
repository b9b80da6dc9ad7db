"""`kbsync site show|set`: the widget settings of a site, through the CLI, on the local sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def kbsync(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_show_lists_the_widget_settings(repo: Path) -> None:
    result = kbsync("site", "show", "--env", "local")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "widget settings of site s_local\n"
        "field            value\n"
        "enabled          True\n"
        "language         en\n"
        "placeholder      Ask a question\n"
        "position         bottom-right\n"
        "primary_color    #2563eb\n"
        "title            Local help site\n"
        "updated_at       -\n"
        "welcome_message  Hi! How can I help?\n"
    )


def test_set_changes_only_the_fields_given_and_they_stay(repo: Path) -> None:
    result = kbsync("site", "set", "--env", "local", "welcome_message=Hello there", "enabled=false")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("changed enabled, welcome_message\nwidget settings of site")
    shown = json.loads(kbsync("site", "show", "--env", "local", "--format", "json").stdout)
    assert (shown["welcome_message"], shown["enabled"], shown["position"]) == (
        "Hello there",
        False,
        "bottom-right",
    )


def test_a_field_uppzy_refuses_is_one_line_naming_it(repo: Path) -> None:
    result = kbsync("site", "set", "--env", "local", "primary_color=red")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: 400 from Uppzy (update_widget_config): the request was refused as invalid "
        "(invalid payload: primary_color must be #RRGGBB)"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["enabled"], "error: 'enabled' is not FIELD=VALUE"),
        (["title=a", "title=b"], "error: title is given twice"),
    ],
)
def test_a_malformed_assignment_is_exit_2(repo: Path, args: list[str], message: str) -> None:
    result = kbsync("site", "set", "--env", "local", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == message
