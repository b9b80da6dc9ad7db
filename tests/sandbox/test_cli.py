"""`kbsync sandbox serve`: clear one-line errors (exit 2), and a real server in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli

FAULTS_HINT = (
    "  hint: use comma-separated key=value items, e.g. "
    "'429=0.1,503=0.05,timeout=0.02,reset=0.01,latency=20ms' "
    "(keys: 429 500 502 503 504 timeout reset after latency retry_after async_fail)\n"
)
KEYS_HINT = (
    '  hint: expected {"keys": {"<api key>": {"tenant_id": "t_acme", "site_ids": ["s_help"], '
    '"plan": "level2"}}}\n'
)


def serve(tmp_path: Path, *args: str) -> Result:
    db = str(tmp_path / "sandbox.sqlite3")
    return CliRunner().invoke(cli, ["sandbox", "serve", "--db", db, *args])


def test_a_bad_faults_spec_is_exit_2_with_the_grammar(tmp_path: Path) -> None:
    result = serve(tmp_path, "--faults", "429=2")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: --faults: 429=2 needs a probability from 0 to 1\n" + FAULTS_HINT
    )


def test_a_missing_keys_file_is_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "keys.json"
    result = serve(tmp_path, "--keys", str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: keys file not found\n" + KEYS_HINT


def test_an_invalid_keys_file_names_file_and_line(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text('{"keys": {\n  "k": {"tenant_id": "t", "site_ids": ["s"], "plan": "gold"}}}')
    result = serve(tmp_path, "--keys", str(keys))
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {keys}: key #1: plan must be one of level1, level2, level3\n",
    )
    keys.write_text('{"keys": ')
    result = serve(tmp_path, "--keys", str(keys))
    assert result.stderr == f"error: {keys}:1: not valid JSON: Expecting value\n"


def test_a_non_loopback_host_needs_allow_remote(tmp_path: Path) -> None:
    result = serve(tmp_path, "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: refusing to listen on 0.0.0.0: the sandbox is for this machine only\n"
        "  hint: use --host 127.0.0.1, or pass --allow-remote if you really mean it\n"
    )


def test_a_busy_port_is_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = serve(tmp_path, "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
        "  hint: pick another --port (0 picks a free one)\n"
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": {"k-1": {"tenant_id": "t_a", "site_ids": ["s_a"]}}}))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--db",
            str(tmp_path / "db.sqlite3"),
            "--keys",
            str(keys),
            "--faults",
            "latency=1ms",
            "--seed",
            "9",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    banner = [process.stdout.readline() for _ in range(5)]
    try:
        yield process, banner
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.mark.timeout(60)
def test_serve_prints_where_it_listens_and_serves_until_interrupted(
    server: tuple[subprocess.Popen[str], list[str]], tmp_path: Path
) -> None:
    process, banner = server
    url = banner[0].removeprefix("kbsync sandbox listening on ").strip()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v1")
    assert banner[1:] == [
        f"  database: {tmp_path / 'db.sqlite3'}\n",
        f"  keys: {tmp_path / 'keys.json'} (1 keys)\n",
        "  faults: latency=1ms (seed 9)\n",
        "  OpenAPI document: /api/v1/openapi.json; press Ctrl-C to stop\n",
    ]
    response = httpx.get(f"{url}/m2m/sites/s_a", headers={"X-API-Key": "k-1"})
    assert response.json() == {"id": "s_a", "tenant_id": "t_a", "name": "s_a"}
    assert httpx.get(f"{url}/m2m/sites/s_a").status_code == 401
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out, err) == (0, "sandbox stopped\n", "")


@pytest.mark.timeout(60)
def test_without_a_keys_file_a_development_key_is_printed(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--db",
            str(tmp_path / "d"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        process.stdout.readline()
        key_line = process.stdout.readline()
        assert key_line.startswith("  development key (tenant t_local, site s_local): sbx_")
        key = key_line.split()[-1]
        limits = httpx.get(f"{url}/m2m/tenants/t_local/limits", headers={"X-API-Key": key})
        assert limits.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status-words", "active"], "error: --status-words: 'active' is not STATUS=WORD\n"),
        (["--status-words", "live=on"], "error: unknown status 'live' in the sandbox's status words\n"),
        (["--status-words", "active=x,draft=x"], "error: the sandbox's words for active and draft must differ\n"),
        (["--rate-limit", "fast"], "error: --rate-limit 'fast' is not REQUESTS/WINDOW\n"),
    ],
)  # fmt: skip
def test_a_bad_dialect_option_is_exit_2_with_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = serve(tmp_path, "--port", "0", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines(keepends=True)[0] == message


def test_an_unknown_dialect_is_a_usage_error(tmp_path: Path) -> None:
    result = serve(tmp_path, "--dialect", "graphql")
    assert result.exit_code == 2
    assert "'graphql' is not one of 'page', 'offset', 'cursor'" in result.stderr


@pytest.mark.timeout(60)
def test_serve_speaks_the_cursor_dialect_with_other_status_words(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": {"k-1": {"tenant_id": "t_a", "site_ids": ["s_a"]}}}))
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "sandbox", "serve", "--port", "0",
         "--db", str(tmp_path / "db.sqlite3"), "--keys", str(keys), "--dialect", "cursor",
         "--status-words", "active=published,draft=inactive", "--rate-limit", "50/1s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(6)]
        assert banner[3:5] == [
            "  dialect: cursor; status words: active=published, draft=inactive\n",
            "  rate limit: 50 requests per 1 s\n",
        ]
        url = banner[0].split()[-1]
        headers = {"X-API-Key": "k-1"}
        documents = f"{url}/m2m/sites/s_a/documents"
        for n in range(3):
            body = {"title": f"T{n}", "content": "x", "status": "published"}
            assert httpx.post(f"{documents}/text", json=body, headers=headers).status_code == 201
        first = httpx.get(documents, params={"limit": 2}, headers=headers)
        assert first.headers["X-RateLimit-Limit"] == "50"
        page = first.json()
        assert [d["status"] for d in page["data"]] == ["published", "published"]
        rest = httpx.get(documents, params={"cursor": page["next_cursor"]}, headers=headers).json()
        assert ([d["title"] for d in rest["data"]], rest["next_cursor"]) == (["T2"], None)
        refused = httpx.patch(f"{documents}/bulk-status", headers=headers,
                              json={"document_ids": [], "status": "active"})  # fmt: skip
        assert refused.json() == {
            "error": "invalid payload: status must be 'inactive' or 'published'"
        }
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
