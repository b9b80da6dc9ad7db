"""Canaries: the API key, document bodies and chat text never reach logs, metrics or errors.

Every call path runs with canary values (successes, retries, faults before and after the work,
client errors, a server that quotes the request back) while all log output is captured at
DEBUG from every logger, extras and tracebacks included; then everything a user or operator
could see is searched for the canaries.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pipeline.api import (
    ApiError,
    DocumentPatch,
    QaDocument,
    TextDocument,
    UppzyClient,
)
from pipeline.cli.logs import JsonFormatter, TextFormatter
from pipeline.config import EnvironmentConfig, SiteConfig
from pipeline.sandbox import Sandbox, parse_keys, run_on_port
from tests.api.conftest import FAST_HTTP, SITE, TENANT

CANARY_KEY = "sbx_CANARYKEY0a1b2c3d4e5f6071"
CANARY_CONTENT = "CanaryContentQuokka ferns glow under the Quokkalight every evening"
CANARY_QUESTION = "CanaryQuestionNarwhal where do narwhals winter"
CANARY_ANSWER = "CanaryAnswerNarwhal narwhals winter under Baffin Bay pack ice"
CANARY_CHAT = "CanaryChatAxolotl do Quokkalight ferns glow at night"
CANARY_EMAIL = "canary.person@example.com"
CANARIES = [
    CANARY_KEY,
    CANARY_CONTENT,
    CANARY_QUESTION,
    CANARY_ANSWER,
    CANARY_CHAT,
    "CanaryContentQuokka",
    "CanaryQuestionNarwhal",
    "CanaryAnswerNarwhal",
    "CanaryChatAxolotl",
    "Quokkalight",
]


class EverythingHandler(logging.Handler):
    """Formats every record three ways (JSON with extras, text with extras, and raw args)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.out = io.StringIO()
        self.json = JsonFormatter()
        self.text = TextFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.out.write(self.json.format(record) + "\n")
        self.out.write(self.text.format(record) + "\n")
        self.out.write(repr(record.args) + repr(record.__dict__) + "\n")
        if record.exc_info:
            self.out.write(logging.Formatter().formatException(record.exc_info) + "\n")


@pytest.fixture
def captured() -> Iterator[EverythingHandler]:
    handler = EverythingHandler()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("pipeline", "httpx", "httpcore", "stamina")]
    saved = [(lg, lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.propagate = True
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for lg, level, propagate in saved:
            lg.setLevel(level)
            lg.propagate = propagate


def describe(exc: BaseException) -> str:
    """Everything an error shows: message, hint, repr, args and its whole cause chain."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args), str(getattr(seen, "hint", ""))]
        if isinstance(seen, ApiError):
            parts.append(repr(vars(seen)))
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_no_canary_escapes(
    captured: EverythingHandler, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []

    def expect_error(action: Callable[[], object]) -> None:
        try:
            action()
        except ApiError as exc:
            errors.append(describe(exc))
        else:  # pragma: no cover - each action is built to fail
            raise AssertionError("expected an ApiError")

    ring = parse_keys({"keys": {CANARY_KEY: {"tenant_id": TENANT, "site_ids": [SITE]}}})
    monkeypatch.setenv("KBSYNC_CANARY_KEY", CANARY_KEY)
    with (
        Sandbox(tmp_path / "canary.sqlite3", keys=ring, ready_delay=0, async_delay=0.05) as box,
        run_on_port(box) as url,
    ):
        env = EnvironmentConfig(
            name="staging",
            base_url=url,
            tenant_id=TENANT,
            api_key_env="KBSYNC_CANARY_KEY",
            sites={SITE: SiteConfig()},
            http=FAST_HTTP,
        )
        with UppzyClient.for_environment(env) as client:
            # Faults before and after the work, on every kind of call.
            box.faults.script("503", operation="createTextDocument", when="after")
            box.faults.script("reset", operation="createQaDocument", when="after")
            box.faults.script("429", operation="updateDocument")
            box.faults.script("reset", operation="chat")
            box.faults.script("429", operation="chatAsync")
            text = client.create_or_adopt_document(
                SITE, TextDocument("Ferns", CANARY_CONTENT), known_ids=set()
            )
            qa = client.create_or_adopt_document(
                SITE, QaDocument("Narwhals", CANARY_QUESTION, CANARY_ANSWER), known_ids=set()
            )
            assert text.adopted and qa.adopted
            client.update_document(
                SITE, text.document.id, DocumentPatch(content=CANARY_CONTENT + " again")
            )
            client.bulk_status(SITE, [text.document.id, qa.document.id], "active")
            client.list_documents(SITE)
            answer = client.chat(SITE, "canary-session", CANARY_CHAT, retry_uncertain=True)
            assert "Quokkalight" in answer.answer  # the answer quotes the canary document
            done = client.chat_async_and_wait(SITE, "canary-session", CANARY_CHAT)
            client.submit_feedback(SITE, "canary-session", done.request_id, "good")
            client.user_statistics(SITE, CANARY_EMAIL)
            client.close_session(SITE, "canary-session")
            # Failures that carry canary text in their requests.
            expect_error(lambda: client.chat(SITE, "canary-session", CANARY_CHAT))  # 409 closed
            expect_error(
                lambda: client.create_text_document(SITE, TextDocument("", CANARY_CONTENT))
            )
            expect_error(
                lambda: client.create_text_document(
                    SITE, TextDocument("Big", CANARY_CONTENT * 20_000)
                )
            )
            box.faults.script("timeout", operation="chat")
            expect_error(
                lambda: UppzyClient.for_environment(
                    EnvironmentConfig(**{**vars(env), "http": _short_chat()})
                ).chat(SITE, "other-session", CANARY_CHAT)
            )
            box.faults.script("503", times=10, operation="createTextDocument")
            expect_error(
                lambda: client.create_text_document(SITE, TextDocument("X", CANARY_CONTENT))
            )
            metrics = [
                client.metrics.to_json(),
                client.metrics.to_prometheus(),
                json.dumps(client.metrics.table_rows()),
            ]

    # A server that quotes the request (and the key) back in its errors.
    def echo(request: httpx.Request) -> httpx.Response:
        quoted = request.content.decode() + " key=" + request.headers.get("X-API-Key", "")
        if request.url.path.endswith("/chat"):
            return httpx.Response(500, text="upstream failed on: " + quoted)
        return httpx.Response(400, json={"error": "invalid payload " + quoted})

    with UppzyClient(
        base_url="https://api.uppzy.test/api/v1",
        tenant_id=TENANT,
        api_key=CANARY_KEY,
        api_key_env="KBSYNC_CANARY_KEY",
        http=FAST_HTTP,
        transport=httpx.MockTransport(echo),
    ) as echoing:
        expect_error(lambda: echoing.create_text_document(SITE, TextDocument("E", CANARY_CONTENT)))
        expect_error(lambda: echoing.chat(SITE, "s", CANARY_CHAT))
        expect_error(
            lambda: echoing.create_qa_document(
                SITE, QaDocument("Q", CANARY_QUESTION, CANARY_ANSWER)
            )
        )
        expect_error(echoing.limits)  # no body: only the key can be quoted
        metrics.append(echoing.metrics.to_prometheus())

    logs = captured.out.getvalue()
    assert "uppzy POST create_text_document" in logs  # the capture did see the client's events
    assert len(errors) == 9
    for where, text_seen in [
        ("logs", logs),
        ("errors", "\n".join(errors)),
        ("metrics", "\n".join(metrics)),
    ]:
        for canary in CANARIES:
            assert canary not in text_seen, f"{canary[:24]}… leaked into {where}"
    assert CANARY_EMAIL not in "\n".join(errors) + "\n".join(metrics)
    assert CANARY_EMAIL not in _client_logs(logs)


def _short_chat() -> Any:
    from dataclasses import replace

    return replace(FAST_HTTP, chat_read_timeout=0.25)


def _client_logs(logs: str) -> str:
    """Only the client's own log lines (httpx itself logs full URLs at INFO)."""
    return "\n".join(line for line in logs.splitlines() if '"logger": "pipeline.api' in line)
