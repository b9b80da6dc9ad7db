"""`kbsync completion SHELL`: the shell completion script, from click's own completion support."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_KBSYNC_COMPLETE"


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def command(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL (commands, options and their choices).

    \b
    Examples:
      eval "$(kbsync completion bash)"        in ~/.bashrc
      eval "$(kbsync completion zsh)"         in ~/.zshrc
      kbsync completion fish > ~/.config/fish/completions/kbsync.fish
    """
    completion_class = get_completion_class(shell)
    assert completion_class is not None  # every SHELLS entry is built into click
    root = ctx.find_root().command
    completion = completion_class(root, {}, "kbsync", COMPLETE_VAR)
    click.echo(completion.source())
