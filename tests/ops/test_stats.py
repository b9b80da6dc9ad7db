"""`kbsync stats`, `sessions` and `feedback` against the sandbox on a port."""

from __future__ import annotations

import json

from pipeline.api import TextDocument
from tests.ops.ops_support import Port, Run, logged, port, run, slow_port

__all__ = ["port", "run", "slow_port"]  # fixtures

SESSION = "kb-v-000000000000000000000001"


def chat_once(port: Port, root: object) -> str:
    with port.client(root) as client:  # type: ignore[arg-type]
        doc = client.create_text_document("s_help", TextDocument("Hours", "Lockers open at 7."))
        client.bulk_status("s_help", [doc.id], "active")
        return client.chat("s_help", SESSION, "When do lockers open?").request_id


def test_stats_tables(port: Port, run: Run) -> None:
    root = port.repo()
    chat_once(port, root)
    result = run(root, "stats", "--env", "staging")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("tenant t_acme  Acme  plan level2\n\nlimits\n")
    assert "documents      1     500       0%" in text
    assert "messages       1     10000     0%" in text
    assert "site statistics\nsite    chats  sessions  good  bad  documents\n" in text
    assert "s_faq   0      0         0     0    0\ns_help  1      1         0     0    1\n" in text
    data = json.loads(run(root, "stats", "--env", "staging", "--format", "json").stdout)
    assert data["limits"]["documents"] == {"used": 1, "limit": 500}
    assert data["sites"]["s_help"]["chats"] == 1


def test_sessions_list_and_close(port: Port, run: Run) -> None:
    root = port.repo()
    chat_once(port, root)
    listed = run(root, "sessions", "--env", "staging", "--site", "s_help").stdout.splitlines()
    assert listed[0].split() == ["site", "session", "status", "created", "last", "message"]
    assert listed[1].split()[:3] == ["s_help", SESSION, "open"]
    assert listed[-1] == "1 session"
    closed = run(root, "sessions", "--env", "staging", "--site", "s_help", "--close", SESSION)
    assert closed.stdout == f"closed session {SESSION} on site s_help\n"
    listed = run(root, "sessions", "--env", "staging", "--site", "s_help").stdout.splitlines()
    assert listed[1].split()[2] == "closed"


def test_feedback_on_a_completed_request(port: Port, run: Run) -> None:
    root = port.repo()
    request_id = chat_once(port, root)
    result = run(root, "feedback", "--env", "staging", "--site", "s_help", request_id, "good")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"feedback good recorded for {request_id} at 20")
    again = run(root, "feedback", "--env", "staging", "--site", "s_help", request_id, "bad")
    assert again.stdout == f"feedback bad recorded for {request_id} (a repeat: rating replaced)\n"
    assert logged(port.sandbox, "submitFeedback", expect=2) == 2


def test_feedback_on_a_pending_request_is_refused_unsent(slow_port: Port, run: Run) -> None:
    root = slow_port.repo()
    with slow_port.client(root) as client:
        request_id = client.chat_async("s_help", SESSION, "When do lockers open?").request_id
    result = run(root, "feedback", "--env", "staging", "--site", "s_help", request_id, "good")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        f"error: request {request_id} is still pending: only a completed answer can be rated",
        "  hint: wait for it to complete (kbsync chat --async polls it), then rate it",
    ]
    assert logged(slow_port.sandbox, "getChatRequest", expect=1) == 1
    assert logged(slow_port.sandbox, "submitFeedback") == 0


def test_feedback_for_an_unknown_request_needs_a_session(port: Port, run: Run) -> None:
    root = port.repo()
    result = run(root, "feedback", "--env", "staging", "req_unknown", "good")
    assert result.exit_code == 2
    assert "pass --session" in result.stderr
    sent = run(root, "feedback", "--env", "staging", "--session", SESSION, "req_unknown", "good")
    assert sent.exit_code == 1
    assert "404 from Uppzy (submit_feedback)" in sent.stderr
