"""Reading requests and writing values the way the sandbox's API does.

Errors are :class:`HttpError` (status and Uppzy's ``{"error": message}`` body); the wording for
each case is listed in :mod:`pipeline.sandbox.app`.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from pipeline.sandbox.dialect import Dialect

ID_MAX = 200
MESSAGE_MAX = 4000
BULK_MAX = 1000
NON_BLANK = re.compile(r"\S")


class HttpError(Exception):
    """An error response: status and Uppzy's ``{"error": message}`` body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


async def json_object(request: Request) -> dict[str, Any]:
    """The JSON object body: 415 for another Content-Type, 400 for anything but an object."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        raise HttpError(415, "Content-Type must be application/json")
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "invalid payload") from None
    if not isinstance(data, dict):
        raise HttpError(400, "invalid payload")
    return data


def text_field(
    body: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    max_length: int | None = None,
    blank_ok: bool = False,
    missing: str | None = None,
) -> str | None:
    """A string field: None when absent or null (400 when required), else validated."""
    value = body.get(name)
    if value is None:
        if required:
            raise HttpError(400, missing or f"{name} is required")
        return None
    if not isinstance(value, str):
        raise HttpError(400, f"invalid payload: {name} must be a string")
    if not blank_ok and not NON_BLANK.search(value):
        raise HttpError(400, missing or f"{name} is required")
    if max_length is not None and len(value) > max_length:
        raise HttpError(400, f"invalid payload: {name} is longer than {max_length} characters")
    return value


def status_field(body: dict[str, Any], dialect: Dialect, *, required: bool = False) -> str | None:
    """A document status in the dialect's words, returned as the stored status (`active`,
    `draft`); absent or null means "unchanged" unless `required`."""
    value = body.get("status")
    if value is None and not required:
        return None
    if value is None:
        raise HttpError(400, "status is required")
    status = dialect.status_of(value)
    if status is None:
        draft, active = dialect.words
        raise HttpError(400, f"invalid payload: status must be '{draft}' or '{active}'")
    return status


def document_ids_field(body: dict[str, Any]) -> list[str]:
    """`document_ids` of a bulk call: a list of strings, at most BULK_MAX."""
    ids = body.get("document_ids")
    if ids is None:
        raise HttpError(400, "document_ids is required")
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise HttpError(400, "invalid payload: document_ids must be a list of strings")
    if len(ids) > BULK_MAX:
        raise HttpError(400, f"invalid payload: at most {BULK_MAX} document_ids per call")
    return ids


def query_int(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    """An integer query parameter within [low, high], else 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]+", raw):
        raise HttpError(400, f"invalid query parameter: {name} must be an integer")
    value = int(raw) if len(raw) <= 12 else 10**12
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise HttpError(400, f"invalid query parameter: {name} must be {bound}")
    return value


def iso(timestamp: float | None) -> str | None:
    """ISO 8601 UTC with milliseconds and a Z, as Uppzy's examples show."""
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def calendar_month(now: float) -> tuple[str, float, float]:
    """The calendar month (UTC) holding `now`: label, start and end (exclusive)."""
    moment = datetime.fromtimestamp(now, UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    days = calendar.monthrange(moment.year, moment.month)[1]
    end = start.timestamp() + days * 86400
    return f"{moment.year:04d}-{moment.month:02d}", start.timestamp(), end
