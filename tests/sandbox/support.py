"""Helpers for sandbox tests: a clock tests move, and document builders over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

START = 1_795_000_000.0  # 2026-11-18T11:06:40Z


class FakeClock:
    """A clock tests move by hand (epoch seconds)."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def create_text(
    client: httpx.Client,
    site: str = "s_help",
    title: str = "Support hours",
    content: str = "Support is available Monday to Friday between 09:00 and 18:00.",
    **extra: Any,
) -> dict[str, Any]:
    response = client.post(
        f"/m2m/sites/{site}/documents/text", json={"title": title, "content": content, **extra}
    )
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def create_qa(
    client: httpx.Client,
    site: str = "s_help",
    question: str = "Do you offer same-day delivery?",
    answer: str = "Same-day delivery depends on your location and the time you order.",
    **extra: Any,
) -> dict[str, Any]:
    response = client.post(
        f"/m2m/sites/{site}/documents/qa", json={"question": question, "answer": answer, **extra}
    )
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document
