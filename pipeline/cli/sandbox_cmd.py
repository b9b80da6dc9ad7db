"""`kbsync sandbox serve`: run the local Uppzy M2M API emulator on a loopback port."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import click

from pipeline.cli.errors import fail
from pipeline.errors import KbsyncError
from pipeline.sandbox import (
    DIALECTS,
    Sandbox,
    generate_dev_key,
    load_keys_file,
    parse_faults,
    parse_rate_limit,
    parse_status_words,
)
from pipeline.sandbox.faults import FaultSpec
from pipeline.sandbox.server import base_url, bind, serve_forever

DEFAULT_DB = Path(".kbsync") / "sandbox.sqlite3"


@click.group("sandbox")
def command() -> None:
    """Run the local Uppzy emulator (for tests, demos and failure drills).

    \b
    Examples:
      kbsync sandbox serve                           on 127.0.0.1:8765
      kbsync sandbox serve --faults '503=0.1' --seed 7   a failure drill
      kbsync sandbox serve --dialect cursor --status-words active=published,draft=inactive
    """


@dataclass(frozen=True)
class _Dialect:
    paging: str
    status_words: str | None
    rate_limit: str | None


@dataclass
class _Prepared:
    sandbox: Sandbox
    sock: socket.socket
    spec: FaultSpec
    dev_key: str | None
    key_count: int


@command.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="SQLite file holding the sandbox's tenants, documents and chats.",
)
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON keys file (default: generate one development key for t_local/s_local).",
)
@click.option(
    "--faults",
    default=None,
    metavar="SPEC",
    help="Inject failures, e.g. '429=0.1,503=0.05,timeout=0.02,reset=0.01,latency=20ms'.",
)
@click.option("--seed", type=int, default=None, help="Seed of the fault sequence (repeatable).")
@click.option(
    "--ready-delay",
    type=click.FloatRange(min=0),
    default=0.5,
    show_default=True,
    help="Seconds until a new or changed document is ready.",
)
@click.option(
    "--async-delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds until an async chat request completes.",
)
@click.option(
    "--timeout-sleep",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="How long an injected timeout hangs before answering 504.",
)
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    default="page",
    show_default=True,
    help="How the document listing pages: page/per_page, offset/limit or a next_cursor.",
)
@click.option(
    "--status-words",
    default=None,
    metavar="SPEC",
    help="The service's words for kbsync's statuses, e.g. 'active=published,draft=inactive'.",
)
@click.option(
    "--rate-limit",
    default=None,
    metavar="N/WINDOW",
    help="Refuse past N requests per window (e.g. '120/60s'), with X-RateLimit-* headers.",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a non-loopback --host (the sandbox is meant for this machine only).",
)
def serve(
    host: str,
    port: int,
    db_path: Path,
    keys_file: Path | None,
    faults: str | None,
    seed: int | None,
    ready_delay: float,
    async_delay: float,
    timeout_sleep: float,
    dialect: str,
    status_words: str | None,
    rate_limit: str | None,
    allow_remote: bool,
) -> None:
    """Serve Uppzy's M2M API under /api/v1 until interrupted.

    \b
    Examples:
      kbsync sandbox serve
      kbsync sandbox serve --keys keys.json --port 9000
      kbsync sandbox serve --faults '429=0.1,reset=0.02,latency=20ms' --seed 7
      kbsync sandbox serve --dialect offset --rate-limit 120/60s
    """
    try:
        prepared = _prepare(
            host,
            port,
            db_path,
            keys_file,
            faults,
            seed,
            ready_delay,
            async_delay,
            timeout_sleep,
            allow_remote,
            _Dialect(dialect, status_words, rate_limit),
        )
    except KbsyncError as exc:
        fail(exc)
        return
    click.echo(f"kbsync sandbox listening on {base_url(prepared.sock)}")
    click.echo(f"  database: {db_path}")
    if prepared.dev_key is not None:
        click.echo(f"  development key (tenant t_local, site s_local): {prepared.dev_key}")
    else:
        click.echo(f"  keys: {keys_file} ({prepared.key_count} keys)")
    shown = prepared.sandbox.dialect
    words = ", ".join(f"{k}={v}" for k, v in sorted(shown.status_words.items()))
    if shown.paging != "page" or words:
        click.echo(f"  dialect: {shown.paging}" + (f"; status words: {words}" if words else ""))
    if prepared.sandbox.rate_limiter is not None:
        limit = prepared.sandbox.rate_limiter.limit
        click.echo(f"  rate limit: {limit.requests} requests per {limit.window:g} s")
    if not prepared.spec.is_empty:
        click.echo(f"  faults: {prepared.spec.describe()} (seed {prepared.sandbox.faults.seed})")
    click.echo("  OpenAPI document: /api/v1/openapi.json; press Ctrl-C to stop")
    try:
        serve_forever(prepared.sandbox, prepared.sock)
    except KeyboardInterrupt:
        click.echo("sandbox stopped")
    finally:
        prepared.sock.close()
        prepared.sandbox.close()


def _prepare(
    host: str,
    port: int,
    db_path: Path,
    keys_file: Path | None,
    faults: str | None,
    seed: int | None,
    ready_delay: float,
    async_delay: float,
    timeout_sleep: float,
    allow_remote: bool,
    dialect: _Dialect,
) -> _Prepared:
    spec = parse_faults(faults)
    words = parse_status_words(dialect.status_words)
    rate_limit = parse_rate_limit(dialect.rate_limit)
    if keys_file is not None:
        keys, dev_key = load_keys_file(keys_file), None
    else:
        dev_key, keys = generate_dev_key()
    sock = bind(host, port, allow_remote=allow_remote)
    try:
        sandbox = Sandbox(
            db_path,
            keys=keys,
            faults=spec,
            seed=seed,
            ready_delay=ready_delay,
            async_delay=async_delay,
            timeout_sleep=timeout_sleep,
            dialect=dialect.paging,
            status_words=words,
            rate_limit=rate_limit,
        )
    except BaseException:
        sock.close()
        raise
    return _Prepared(sandbox, sock, spec, dev_key, len(keys))
