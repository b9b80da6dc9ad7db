"""`kbsync stats`, `kbsync sessions` and `kbsync feedback`: numbers, sessions, ratings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import click

from pipeline.api.models import Feedback
from pipeline.cli.common import FIRST_SITE, Scope, target_options
from pipeline.cli.connect import open_client
from pipeline.ops.stats import StatsReport, collect_stats, list_sessions, send_feedback

_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                       show_default=True)  # fmt: skip


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Rows under headers, columns padded to their widest cell."""
    cells = [[str(h) for h in headers]] + [["-" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"feedback": {"good": 1}}` → `{"feedback.good": 1}`."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = f"{len(value)} items"
        else:
            out[name] = value
    return out


def render_stats(report: StatsReport) -> list[str]:
    lines: list[str] = []
    tenant = report.tenant
    if tenant is not None:
        lines.append(f"tenant {tenant.id}  {tenant.name or ''}  plan {tenant.plan or '?'}".rstrip())
    limits = report.limits
    lines += ["", "limits"]
    quota_rows = []
    for name, quota in (("documents", limits.documents), ("storage_bytes", limits.storage_bytes),
                        ("messages", limits.messages)):  # fmt: skip
        share = None
        if quota.used is not None and quota.limit:
            share = f"{quota.used / quota.limit:.0%}"
        quota_rows.append((name, quota.used, quota.limit, share))
    lines += table(("quota", "used", "limit", "share"), quota_rows)
    if limits.max_upload_bytes is not None:
        lines.append(f"max upload: {limits.max_upload_bytes} bytes")
    lines += ["", "usage (current period)"]
    lines += table(("field", "value"), sorted(flatten(report.usage).items()))
    history = [flatten(period) for period in report.usage_history]
    if history:
        columns = list(dict.fromkeys(key for period in history for key in period))
        lines += ["", "usage history"]
        lines += table(columns, ([period.get(c) for c in columns] for period in history))
    lines += ["", "tenant statistics"]
    lines += table(("field", "value"), sorted(flatten(report.tenant_statistics).items()))
    lines += ["", "site statistics"]
    lines += table(
        ("site", "chats", "sessions", "good", "bad", "documents"),
        (
            (site, s.chats, s.sessions, s.feedback_good, s.feedback_bad, s.documents)
            for site, s in sorted(report.sites.items())
        ),
    )
    return lines


@click.command("stats")
@target_options(env_required=True)
@_FORMAT
@click.pass_context
def stats_command(ctx: click.Context, scope: Scope, fmt: str) -> None:
    """Show limits, usage, usage history, tenant and site statistics as tables.

    \b
    Example:
      kbsync stats --env production
    """
    env = scope.env
    sites = [t.site for t in scope.targets]
    with open_client(scope.settings, env) as client:
        report = collect_stats(client, env.name, sites)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    for line in render_stats(report):
        click.echo(line)


@click.command("sessions")
@target_options(
    env_required=True, site_help="Only this site (default: every site; with --close, the first)."
)
@click.option("--close", "close", metavar="SESSION", help="Close this session instead of listing.")
@_FORMAT
@click.pass_context
def sessions_command(ctx: click.Context, scope: Scope, close: str | None, fmt: str) -> None:
    """List the chat sessions of the environment's sites, or close one (idempotent).

    \b
    Examples:
      kbsync sessions --env staging
      kbsync sessions --env staging --site s_help_staging --close kb-v-0123456789abcdef01234567
    """
    chosen = scope.targets
    with open_client(scope.settings, scope.env) as client:
        if close is not None:
            client.close_session(chosen[0].site, close)
            click.echo(f"closed session {close} on site {chosen[0].site}")
            return
        found = list_sessions(client, [t.site for t in chosen])
    if fmt == "json":
        data = {s: [item.__dict__ for item in items] for s, items in found.items()}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    rows = [
        (s, item.session_id, item.status, item.created_at, item.last_message_at)
        for s, items in sorted(found.items())
        for item in items
    ]
    for line in table(("site", "session", "status", "created", "last message"), rows):
        click.echo(line)
    click.echo(f"{len(rows)} session{'s' * (len(rows) != 1)}")


@click.command("feedback")
@click.argument("request_id")
@click.argument("rating", type=click.Choice(["good", "bad"]))
@target_options(env_required=True, site_help=FIRST_SITE)
@click.option("--session", "session_id", metavar="S",
              help="Session the request was asked in (needed for a sync chat's request).")  # fmt: skip
@click.pass_context
def feedback_command(
    ctx: click.Context,
    request_id: str,
    rating: str,
    scope: Scope,
    session_id: str | None,
) -> None:
    """Rate a completed answer good or bad.

    The request's status is read first: a pending or failed request is refused without
    sending anything (exit 1). A sync chat's request may be unknown to the status endpoint;
    then the rating is sent with --session and Uppzy decides.

    \b
    Example:
      kbsync feedback --env staging req_550e8400e29b41d4a716446655440000 good
    """
    target = scope.target
    with open_client(scope.settings, scope.env) as client:
        outcome = send_feedback(client, target.site, request_id, cast(Feedback, rating), session_id)
    result = outcome.result
    when = f" at {result.submitted_at}" if result.submitted_at else " (a repeat: rating replaced)"
    click.echo(f"feedback {result.feedback} recorded for {result.request_id}{when}")


commands = [stats_command, sessions_command, feedback_command]
