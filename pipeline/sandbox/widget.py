"""The site's chat widget settings: `GET`/`PATCH /m2m/sites/{site_id}/widget-config`.

Uppzy lists the two endpoints but documents no field (uppzy-docs-notes §18). The sandbox keeps
a small, plausible set — title, welcome message, placeholder, colour, position, language,
enabled — so kbsync's client and `kbsync site` have something real to read and change. A PATCH
changes only the fields it names; an unknown field, a null or a bad value is a 400 naming it.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.sandbox.access import context_of, site_of
from pipeline.sandbox.payloads import NON_BLANK, HttpError, iso, json_object

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_LANGUAGE = re.compile(r"[a-z]{2}(-[A-Z]{2})?")
_POSITIONS = ("bottom-right", "bottom-left")
_TEXT_LIMITS = {"title": 100, "welcome_message": 500, "placeholder": 200}


def default_widget(site_name: str) -> dict[str, Any]:
    """A new site's widget: on, bottom right, in English."""
    return {
        "title": site_name,
        "welcome_message": "Hi! How can I help?",
        "placeholder": "Ask a question",
        "primary_color": "#2563eb",
        "position": "bottom-right",
        "language": "en",
        "enabled": True,
    }


def _checked(name: str, value: Any) -> Any:
    if name in _TEXT_LIMITS:
        if not isinstance(value, str) or not NON_BLANK.search(value):
            raise HttpError(400, f"invalid payload: {name} must be a non-empty string")
        if len(value) > _TEXT_LIMITS[name]:
            raise HttpError(
                400, f"invalid payload: {name} is longer than {_TEXT_LIMITS[name]} characters"
            )
        return value
    if name == "primary_color":
        if not isinstance(value, str) or not _COLOR.fullmatch(value):
            raise HttpError(400, "invalid payload: primary_color must be #RRGGBB")
        return value
    if name == "position":
        if value not in _POSITIONS:
            raise HttpError(
                400, "invalid payload: position must be 'bottom-right' or 'bottom-left'"
            )
        return value
    if name == "language":
        if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
            raise HttpError(400, "invalid payload: language must be a code like 'en' or 'de-CH'")
        return value
    if name == "enabled":
        if not isinstance(value, bool):
            raise HttpError(400, "invalid payload: enabled must be true or false")
        return value
    raise HttpError(400, f"invalid payload: unknown field {name}")


def _response(site_id: str, config: dict[str, Any], updated_at: float | None) -> Response:
    return JSONResponse({"site_id": site_id, **config, "updated_at": iso(updated_at)})


async def get_widget_config(request: Request) -> Response:
    site, _ = site_of(request)
    stored = context_of(request).store.widget_config(site.id)
    if stored is None:
        return _response(site.id, default_widget(site.name), None)
    config, updated_at = stored
    return _response(site.id, {**default_widget(site.name), **config}, updated_at)


async def update_widget_config(request: Request) -> Response:
    site, _ = site_of(request)
    body = await json_object(request)
    context = context_of(request)
    changes = {name: _checked(name, value) for name, value in body.items()}
    stored = context.store.widget_config(site.id)
    config = {**default_widget(site.name), **(stored[0] if stored else {})}
    if not changes or all(config.get(k) == v for k, v in changes.items()):
        return _response(site.id, config, stored[1] if stored else None)
    config.update(changes)
    now = context.clock()
    context.store.set_widget_config(site.id, config, now)
    return _response(site.id, config, now)
