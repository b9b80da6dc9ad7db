"""A key is never printed: a bad key is refused before anything is sent, naming its variable;
a key planted in a configuration error, an API error, a transport error or a log line is
masked in everything the CLI writes."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.ops_support import (
    STAGING_KEY,
    STAGING_VAR,
    Port,
    Run,
    environment,
    logged,
    port,
    run,
)

__all__ = ["port", "run"]  # fixtures

ROLLOUT = "batches:\n  - id: all\n    include: ['**']\n    environments: [staging]\n"
DOC = "---\nid: docs.a\ntitle: A\nstatus: approved\nreviewed: 2026-10-01\n---\n# A\n\nText.\n"
FILES = {"content/rollout.yaml": ROLLOUT, "content/docs/a.md": DOC}
SECOND_KEY = "sbx_second_half_9d8c7b6a5f4e3d2c1b0a"
AT = len(STAGING_KEY) + 1


def _pieces_absent(output: str, *keys: str) -> None:
    for key in keys:
        assert key not in output
        assert key[6:] not in output, "a piece of the key was printed"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            f"{STAGING_KEY}\n{SECOND_KEY}",
            f"it holds a line break (character {AT}); it must be one line",
        ),
        (f"{STAGING_KEY}é", f"it holds a non-ASCII character (character {AT})"),
        (f"{STAGING_KEY} {SECOND_KEY}", f"it holds whitespace (character {AT})"),
    ],
)
@pytest.mark.parametrize("command", [["check"], ["sync", "--yes"], ["plan"], ["smoke"]])
def test_a_bad_key_is_refused_before_anything_is_sent(
    port: Port,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    problem: str,
    command: list[str],
) -> None:
    root = port.repo(files=FILES)
    monkeypatch.setenv(STAGING_VAR, value)
    result = run(root, *command, "--env", "staging")
    assert result.exit_code == 2
    assert result.output.startswith(
        f"error: environment 'staging': the variable {STAGING_VAR} does not hold a usable "
        f"API key: {problem}"
    )
    assert "Traceback" not in result.output and "may have been carried out" not in result.output
    _pieces_absent(result.output, STAGING_KEY, SECOND_KEY)
    # Nothing reached the sandbox: a good run afterwards is the first and only one it saw.
    monkeypatch.setenv(STAGING_VAR, STAGING_KEY)
    assert run(root, "check", "--env", "staging").exit_code == 0
    assert logged(port.sandbox, "getTenantLimits", expect=1) == 1
    assert len(port.sandbox.request_log(operation="getTenantLimits")) == 1


def test_a_key_quoted_in_a_configuration_error_is_masked(port: Port, run: Run) -> None:
    config = environment("staging", port.url).replace(
        'session_strategy = "per-visitor"', f'session_strategy = ["{STAGING_KEY}"]'
    )
    result = run(port.repo(config, FILES), "check", "--env", "staging")
    assert result.exit_code == 2
    assert "environments.staging.session_strategy must be a string, not ['sbx_[masked]']" in (
        result.output
    )
    _pieces_absent(result.output, STAGING_KEY)


def test_a_key_pasted_as_a_site_id_is_masked_in_the_api_error_and_the_log(
    port: Port, run: Run
) -> None:
    config = environment("staging", port.url, sites=("s_help", STAGING_KEY))
    root = port.repo(config, FILES)
    result = run(root, "--log-format", "json", "-v", "check", "--env", "staging")
    assert result.exit_code == 1
    assert "FAIL  site sbx_[masked]: site 'sbx_[masked]' not found (wrong id?)" in (result.stdout)
    logs = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any("sbx_[masked]" in json.dumps(event) for event in logs), "the site was logged"
    _pieces_absent(result.output, STAGING_KEY)


@pytest.fixture
def echoing_server() -> Iterator[str]:
    """A broken server on loopback: answers every request with a status line quoting the
    request's key header (h11 quotes a bad status line in its error)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(65536)
                key = b"none"
                for line in data.split(b"\r\n"):
                    if line.lower().startswith(b"x-api-key:"):
                        key = line.split(b":", 1)[1].strip()
                conn.sendall(b"HTTP/1.1 " + key + b"\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1"
    stop.set()
    listener.close()
    thread.join(timeout=5)


def test_a_key_quoted_in_a_transport_error_is_masked(
    echoing_server: str, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ops.ops_support import make_repo

    monkeypatch.setenv(STAGING_VAR, STAGING_KEY)
    root = make_repo(tmp_path / "repo", environment("staging", echoing_server), FILES)
    result = run(root, "--log-format", "json", "-vv", "check", "--env", "staging")
    assert result.exit_code == 1
    assert "illegal status line" in result.stdout
    assert "sbx_[masked]" in result.stdout
    _pieces_absent(result.output, STAGING_KEY)
