"""`kbsync chat`: ask the assistant of a target one question (for testing by hand)."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import FIRST_SITE, Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.config import LOCAL_ENV
from pipeline.ops.chat import ask


@click.command("chat")
@click.argument("message")
@target_options(env_default=LOCAL_ENV, site_help=FIRST_SITE)
@click.option("--async", "use_async", is_flag=True, default=None,
              help="Submit asynchronously and poll to the environment's deadline.")  # fmt: skip
@click.option("--session", "session_key", metavar="KEY",
              help="Who is asking (visitor id, user, thread); hashed into an opaque session id.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    message: str,
    scope: Scope,
    use_async: bool | None,
    session_key: str | None,
    fmt: str,
) -> None:
    """Ask one question and print the answer, its confidence and its request id.

    \b
    Examples:
      kbsync chat "How long does a parcel stay in the locker?"
      kbsync chat --env staging --async --session visitor-42 "Can I extend the pickup?"
    """
    env, target = scope.env, scope.target
    with open_client(scope.settings, env) as client:
        reply = ask(client, env, target.site, message, session_key=session_key, use_async=use_async)
    if fmt == "json":
        click.echo(json.dumps(reply.__dict__, indent=2, ensure_ascii=False))
        return
    click.echo(reply.answer.strip())
    score = "" if reply.confidence_score is None else f" ({reply.confidence_score:.2f})"
    click.echo(
        f"\nconfidence: {reply.confidence_level or 'unknown'}{score}  request: {reply.request_id}"
        f"  session: {reply.session_id}  {reply.seconds * 1000:.0f} ms"
    )
