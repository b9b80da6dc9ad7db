"""`kbsync smoke`: the staging smoke flow, step by step, recorded for the promotion gate."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.config import LOCAL_ENV
from pipeline.ops.smoke import DEFAULT_QUESTION, SmokeReport, smoke_targets

_MARK = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


@click.command("smoke")
@target_options(env_default=LOCAL_ENV)
@click.option("--question", default=DEFAULT_QUESTION, show_default=True,
              help="What the chat steps ask.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.pass_context
def command(ctx: click.Context, scope: Scope, question: str, fmt: str) -> None:
    """Smoke-test an environment: limits, a canary document, sync and async chat, feedback,
    statistics and session close, each timed, with Uppzy's request id.

    The canary document is deleted even when a later step fails. The result is kept with each
    target's state: a production sync requires a recent passing smoke of staging.
    Exit 0 when every step passed, 1 otherwise.

    \b
    Examples:
      kbsync smoke --env local
      kbsync smoke --env staging --format json
    """
    settings, env, chosen = scope.settings, scope.env, scope.targets
    with open_client(settings, env) as client:
        reports = smoke_targets(settings, client, env, chosen, question=question)
    if fmt == "json":
        click.echo(json.dumps([r.to_record() for r in reports], indent=2))
    else:
        click.echo("\n\n".join(render(r) for r in reports))
    if not all(r.passed for r in reports):
        ctx.exit(1)


def render(report: SmokeReport) -> str:
    """The text table of one run."""
    width = max(len(step.name) for step in report.steps)
    lines = [f"smoke {report.target.key}"]
    for step in report.steps:
        ms = "" if step.status == "skipped" else f"{step.seconds * 1000:6.0f} ms"
        request = f"  request {step.request_id}" if step.request_id else ""
        lines.append(
            f"  {_MARK[step.status]}  {step.name:<{width}}  {ms:>9}  {step.detail}{request}"
        )
    passed = sum(step.ok for step in report.steps)
    verdict = "passed" if report.passed else "FAILED"
    lines.append(f"smoke {verdict}: {passed} of {len(report.steps)} steps ({report.target.key})")
    return "\n".join(lines)
