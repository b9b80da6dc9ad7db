"""Ask the assistant one question, sync or async, with a session from the strategy."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pipeline.api import UppzyClient
from pipeline.config import EnvironmentConfig
from pipeline.ops.sessions import session_id


@dataclass(frozen=True)
class Reply:
    """An answer with what is needed to rate it later."""

    session_id: str
    request_id: str
    answer: str
    confidence_level: str | None
    confidence_score: float | None
    seconds: float
    asynchronous: bool


def ask(
    client: UppzyClient,
    env: EnvironmentConfig,
    site: str,
    message: str,
    *,
    session_key: str | None = None,
    use_async: bool | None = None,
) -> Reply:
    """Send `message` to `site`; async (polled to the environment's deadline) when asked."""
    session = session_id(env.session_strategy, session_key, namespace=env.tenant_id or "kbsync")
    asynchronous = env.async_.enabled if use_async is None else use_async
    start = time.monotonic()
    if asynchronous:
        status = client.chat_async_and_wait(site, session, message)
        return Reply(
            session_id=status.session_id or session,
            request_id=status.request_id,
            answer=status.answer or "",
            confidence_level=status.confidence_level,
            confidence_score=status.confidence_score,
            seconds=time.monotonic() - start,
            asynchronous=True,
        )
    answer = client.chat(site, session, message)
    return Reply(
        session_id=answer.session_id,
        request_id=answer.request_id,
        answer=answer.answer,
        confidence_level=answer.confidence_level,
        confidence_score=answer.confidence_score,
        seconds=time.monotonic() - start,
        asynchronous=False,
    )
