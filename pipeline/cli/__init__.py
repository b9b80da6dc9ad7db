"""The `kbsync` command: a thin face over the parts.

Each command module parses options, calls one service function and renders its result. This is
the only layer that prints or exits; :func:`main` turns :class:`KbsyncError` into a message and
an exit status (2 for usage and configuration errors), so no traceback reaches a user.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from pipeline import __version__
from pipeline.cli import detailed_exit
from pipeline.cli.errors import fail, handle_errors
from pipeline.errors import KbsyncError


class KbsyncGroup(click.Group):
    """Turns kbsync's errors into a message and an exit status inside click's own flow, so
    `CliRunner` sees exactly what a user sees."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, attribute = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # A bad global option (`kbsync --log-format xml plan --detailed-exitcode`) is an error of
        # that plan: exit 1, never the 2 its CI reads as "changes pending".
        detailed = detailed_exit.asked(args, command="plan")
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            if detailed:
                raise detailed_exit.DetailedError(exc) from exc
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KbsyncError as exc:
            fail(exc)


@click.group(
    cls=KbsyncGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", "-V", prog_name="kbsync")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Configuration file (default: kbsync.toml or [tool.kbsync] in pyproject.toml).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Format of log lines on stderr.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, log_format: str, verbose: int) -> None:
    """kbsync: your chat assistant's knowledge base as Markdown in git.

    Lint it like code, plan and sync approved changes to Uppzy like code.

    \b
    Examples:
      kbsync lint                      lint content/ with the repository's rules
      kbsync lint --format sarif       SARIF 2.1.0 for code scanning
      kbsync sandbox serve             run the local Uppzy emulator on 127.0.0.1:8765
    """
    from pipeline.cli.errors import MASKER, mask_standard_streams, unmask_standard_streams
    from pipeline.cli.logs import configure_logging

    MASKER.clear()
    MASKER.add_from_environment()
    mask_standard_streams()
    ctx.call_on_close(unmask_standard_streams)
    ctx.ensure_object(dict)
    ctx.obj["config_file"] = config_file
    ctx.obj["log_format"] = log_format
    configure_logging(log_format, verbose)


# The registry of commands, by name (module, attribute), imported only when used: `kbsync lint`
# must not pay for importing the API client, the sandbox or the ops code.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "lint": ("pipeline.cli.lint_cmd", "command"),
    "plan": ("pipeline.cli.plan_cmd", "command"),
    "sync": ("pipeline.cli.sync_cmd", "command"),
    "rollback": ("pipeline.cli.rollback_cmd", "command"),
    "import": ("pipeline.cli.import_cmd", "command"),
    "pause": ("pipeline.cli.pause_cmd", "pause_command"),
    "resume": ("pipeline.cli.pause_cmd", "resume_command"),
    "targets": ("pipeline.cli.targets_cmd", "command"),
    "chat": ("pipeline.cli.chat_cmd", "command"),
    "smoke": ("pipeline.cli.smoke_cmd", "command"),
    "eval": ("pipeline.cli.eval_cmd", "command"),
    "impact": ("pipeline.cli.impact_cmd", "command"),
    "check": ("pipeline.cli.check_cmd", "command"),
    "probe": ("pipeline.cli.probe_cmd", "command"),
    "doctor": ("pipeline.cli.doctor_cmd", "command"),
    "stats": ("pipeline.cli.stats_cmd", "stats_command"),
    "sessions": ("pipeline.cli.stats_cmd", "sessions_command"),
    "feedback": ("pipeline.cli.stats_cmd", "feedback_command"),
    "rules": ("pipeline.cli.rules_cmd", "command"),
    "sandbox": ("pipeline.cli.sandbox_cmd", "command"),
    "site": ("pipeline.cli.site_cmd", "command"),
    "init": ("pipeline.cli.init_cmd", "command"),
    "completion": ("pipeline.cli.completion_cmd", "command"),
    "report": ("pipeline.cli.report_cmd", "command"),
}


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    with handle_errors():
        return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="kbsync")
