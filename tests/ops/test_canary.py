"""No output of any ops command contains the API key, passing or failing."""

from __future__ import annotations

import pytest

from tests.ops.ops_support import STAGING_KEY, STAGING_VAR, Port, Run, port, run

__all__ = ["port", "run"]  # fixtures

SESSION = "kb-v-00000000000000000000000c"


def test_the_key_never_reaches_any_output(
    port: Port, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = port.repo(files={"content/docs/hours.md": "not frontmatter\n"})
    with port.client(root) as client:
        request_id = client.chat("s_help", SESSION, "hello").request_id
    invocations = [
        ("check", "--env", "staging"),
        ("check", "--env", "staging", "--format", "json"),
        ("probe", "--env", "staging", "--write", "--out", "shapes.json"),
        ("doctor", "--env", "staging"),
        ("doctor", "--env", "staging", "--format", "json"),
        ("stats", "--env", "staging"),
        ("stats", "--env", "staging", "--format", "json"),
        ("sessions", "--env", "staging"),
        ("sessions", "--env", "staging", "--site", "s_help", "--close", SESSION),
        ("feedback", "--env", "staging", "--site", "s_help", request_id, "good"),
        ("feedback", "--env", "staging", "req_nope", "bad", "--session", SESSION),
        ("-vv", "check", "--env", "staging"),
    ]
    outputs = []
    for args in invocations:
        result = run(root, *args)
        outputs.append((args, result.exit_code, result.stdout + result.stderr))
    monkeypatch.setenv(STAGING_VAR, STAGING_KEY + "_revoked")
    for args in [("check", "--env", "staging"), ("-vv", "stats", "--env", "staging")]:
        result = run(root, *args)
        outputs.append((args, result.exit_code, result.stdout + result.stderr))
    for args, _, text in outputs:
        assert STAGING_KEY not in text, args
    assert STAGING_KEY not in (root / "shapes.json").read_text()
    codes = [code for _, code, _ in outputs]
    assert codes == [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1]
