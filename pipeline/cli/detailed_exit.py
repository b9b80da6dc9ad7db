"""`kbsync plan --detailed-exitcode`: 0 nothing to change, 2 changes pending, 1 any error.

CI reads 2 as "changes pending", so with the flag no error may exit 2, whatever its usual
status: usage and configuration errors (2 without the flag) exit 1 too, whether kbsync raises
them or click does while parsing the command line. Without the flag every status is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from pipeline.cli.errors import fail
from pipeline.errors import KbsyncError

FLAG = "--detailed-exitcode"
ERROR = 1
CHANGES = 2


def asked(args: Sequence[str], command: str | None = None) -> bool:
    """Whether a raw command line asks for detailed exit codes (after `command`, if given).

    Read from the raw arguments, because a line that does not parse has no parsed options.
    """
    words = list(args)
    if command is not None:
        if command not in words:
            return False
        words = words[words.index(command) + 1 :]
    return any(word == FLAG or word.startswith(FLAG + "=") for word in words)


class DetailedError(click.ClickException):
    """A click error (a usage error, a bad parameter) shown exactly as click shows it, with
    the detailed exit code for an error."""

    exit_code = ERROR

    def __init__(self, cause: click.ClickException) -> None:
        super().__init__(cause.message)
        self.cause = cause

    def show(self, file: Any = None) -> None:
        self.cause.show(file)


class DetailedExitCommand(click.Command):
    """A command whose `detailed_exitcode` parameter turns every error's status into 1."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        detailed = asked(args)  # before parsing: the parser consumes `args`
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            if detailed:
                raise DetailedError(exc) from exc
            raise

    def invoke(self, ctx: click.Context) -> Any:
        detailed = bool(ctx.params.get("detailed_exitcode"))
        try:
            return super().invoke(ctx)
        except KbsyncError as exc:
            if not detailed:
                raise
            fail(exc, exit_code=ERROR)
        except click.ClickException as exc:
            if detailed:
                raise DetailedError(exc) from exc
            raise
