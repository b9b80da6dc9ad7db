"""What a user meets first: --version, shell completion, NO_COLOR, an example in every --help."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import click.testing
import pytest
from click.testing import CliRunner

from pipeline import __version__
from pipeline.cli import cli
from tests.helpers import doc, write_repo

ANSI = "\x1b["


def every_command() -> Iterator[tuple[str, click.Command, click.Context]]:
    """(name, command, context) for every command and subcommand, lazy ones included."""
    root = click.Context(cli, info_name="kbsync")

    def walk(
        group: click.Group, ctx: click.Context, prefix: str
    ) -> Iterator[tuple[str, click.Command, click.Context]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            sub = click.Context(command, info_name=name, parent=ctx)
            yield f"{prefix}{name}", command, sub
            if isinstance(command, click.Group):
                yield from walk(command, sub, f"{prefix}{name} ")

    yield from walk(cli, root, "")


def test_version() -> None:
    for flag in ("--version", "-V"):
        result = CliRunner().invoke(cli, [flag])
        assert (result.exit_code, result.output) == (0, f"kbsync, version {__version__}\n")


def test_every_command_has_an_example_in_its_help() -> None:
    names = []
    missing = []
    for name, command, ctx in every_command():
        names.append(name)
        if "Example" not in command.get_help(ctx):
            missing.append(name)
    assert {"lint", "plan", "sync", "init", "completion", "rules", "targets"} <= set(names)
    assert not missing, f"--help without an example: {missing}"
    assert "Example" in cli.get_help(click.Context(cli, info_name="kbsync"))


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "_KBSYNC_COMPLETE=bash_complete"),
        ("zsh", "#compdef kbsync"),
        ("fish", "_KBSYNC_COMPLETE=fish_complete"),
    ],
)
def test_completion_prints_clicks_script(shell: str, marker: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0, result.output
    assert marker in result.output
    assert result.output.count("kbsync") >= 2


def test_completion_rejects_an_unknown_shell() -> None:
    result = CliRunner().invoke(cli, ["completion", "tcsh"])
    assert result.exit_code == 2
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.output


def test_the_completion_script_completes_commands_options_and_choices() -> None:
    def complete(words: str, cword: int) -> list[str]:
        env = {"_KBSYNC_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        result = CliRunner().invoke(cli, [], env=env, prog_name="kbsync")
        assert result.exit_code == 0, result.output
        return [line.split(",", 1)[1] for line in result.output.splitlines()]

    assert complete("kbsync in", 1) == ["init"]
    assert set(complete("kbsync s", 1)) >= {"sync", "sandbox", "smoke", "stats"}
    assert complete("kbsync lint --form", 2) == ["--format"]
    assert complete("kbsync completion ", 2) == ["bash", "zsh", "fish"]


def _lint_on_a_terminal(root: Path, monkeypatch: pytest.MonkeyPatch) -> click.testing.Result:
    """`kbsync lint` with stdout a terminal and click told not to strip colour itself, so what
    reaches the output is kbsync's own choice."""
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("KBSYNC_TODAY", "2026-11-23")
    monkeypatch.chdir(_repo_with_findings(root))
    return CliRunner().invoke(cli, ["lint", "--no-cache"], color=True)


def _repo_with_findings(root: Path) -> Path:
    return write_repo(
        root,
        {"content/docs/a.md": doc("docs.a", body="TODO: simply check this.", title="A")},
        config="[lint]\nrules_dir = 'rules'\n",
    )


def test_the_text_report_is_coloured_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = _lint_on_a_terminal(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert ANSI in result.stdout


def test_no_color_turns_colour_off_even_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = _lint_on_a_terminal(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "internal.marker" in result.stdout
    assert ANSI not in result.output
