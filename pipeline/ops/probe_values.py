"""The values `kbsync probe` checks, beyond shapes: how the listing pages and whether its
`total` holds, the status words, Uppzy's documented error answers, and the rate-limit headers.

Each difference names the setting that would absorb it (a line of kbsync.toml), or says why no
setting can. Everything goes through the client and :mod:`pipeline.api.probing`; nothing here
writes a request or reads a wire field itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.api import ApiError, IncompleteListingError, Listing, UppzyClient
from pipeline.api.probing import (
    WRONG_KEY,
    Recording,
    documented_error_calls,
    listed_status_words,
    quoted_words,
    rate_limit_headers,
)
from pipeline.ops.probe_report import DIFFERS, ERROR, INFO, SAME, SKIPPED, ProbeReport

PROBE_PER_PAGE = 2
"""The smallest page size the probe lists with: a site of 3 documents takes two pages."""
DOCUMENTED_STYLE = "page"
"""How API.md assumes the listing pages (`?page=&per_page=`, with `total`)."""
PINNABLE = ("page", "offset", "cursor")
_STYLE_NAMES = {
    "page": "page numbers (page/per_page)",
    "offset": "offsets (offset/limit)",
    "cursor": "cursor tokens",
    "link": "next links",
    None: "nothing (one bare list)",
}
_NO_SETTING_TEXT = "no setting: kbsync acts on the status code, the text only reaches messages"
_NO_SETTING_STATUS = "no setting: kbsync's error handling follows the documented status; report it"


def setting_line(env: str, key: str, value: str) -> str:
    return f"[environments.{env}.api] {key} = {value}"


@dataclass
class Canaries:
    """The canary documents of one probe run and what their writes showed."""

    titles: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    """Title → document id, for each create that answered with an id."""
    uncertain: list[str] = field(default_factory=list)
    """Titles whose create may or may not have happened (found by title when cleaning up)."""
    main: str | None = None
    """The canary patched and sent through bulk-status."""
    new_word: str | None = None
    """The status word the first create answered with (before `status_words`)."""
    refused: dict[str, tuple[str, str]] = field(default_factory=dict)
    """kbsync status → (the word sent, the error) for each word bulk-status refused."""
    accepted: list[str] = field(default_factory=list)
    """kbsync statuses whose word bulk-status accepted."""
    listed_word: str | None = None
    """The main canary's word in the listing after it was activated."""


# ----------------------------------------------------------------------------------- listing


def check_listing(
    client: UppzyClient,
    site: str,
    report: ProbeReport,
    tape: Recording,
    canaries: Canaries,
    add_canaries: Callable[[int], None] | None = None,
) -> None:
    """Read the listing the way sync does, then (if that took one page) again with a page size
    that makes it take two — after `add_canaries(n)` has created canaries, if the site is too
    small for two pages; compare the style with the one kbsync assumes, check `total`, and
    that every canary created before a read is in it."""
    env = report.environment
    pinned = client.api_config.pagination
    assumed = pinned if pinned != "auto" else DOCUMENTED_STYLE
    before = len(tape.of("list_documents"))
    expected = {canaries.ids[title]: title for title in canaries.ids}
    stand_in: dict[str, str] = {}
    first = _read(client, site, report, tape, None, assumed, stand_in)
    if first is None:
        return
    if canaries.main is not None:
        words = listed_status_words([item.body for item in tape.of("list_documents")[before:]])
        canaries.listed_word = words.get(canaries.main)
    reads = [(first, dict(expected))]
    if not _spans_pages(first):
        count = len(first.documents)
        if count <= PROBE_PER_PAGE and add_canaries is not None:
            known = len(canaries.ids)
            add_canaries(PROBE_PER_PAGE + 1 - count)
            count += len(canaries.ids) - known
        if count <= PROBE_PER_PAGE:
            report.check(
                "listing",
                SKIPPED,
                f"{_count(count)} on the site, one page: paging across pages not seen "
                "(--write creates canaries)",
            )
            return
        small = max(PROBE_PER_PAGE, math.ceil((count + 1) / 2))
        expected = {canaries.ids[title]: title for title in canaries.ids}
        second = _read(client, site, report, tape, small, assumed, stand_in)
        if second is None:
            return
        reads.append((second, expected))
    missing = sorted(
        {title for read, ids in reads for doc_id, title in ids.items() if not _has(read, doc_id)}
    )
    if missing:
        report.check(
            "listing",
            DIFFERS,
            f"the listing lacks {len(missing)} canary document(s) created before it was read "
            f"({', '.join(missing[:3])}): it is not read whole",
            f"[environments.{env}.api] pagination: pin the style Uppzy uses",
        )
        return
    last = reads[-1][0]
    style = last.style
    pages = f"{last.requests} requests ({last.per_page} per page)"
    total = "no total" if last.total is None else f"total {last.total}"
    found = f"{_count(len(last.documents))} read whole in {pages}, {total}"
    if style == assumed:
        report.check("listing", SAME, f"pages by {_STYLE_NAMES[style]}; {found}")
    elif style in PINNABLE:
        report.check(
            "listing",
            DIFFERS,
            f"pages by {_STYLE_NAMES[style]}, kbsync assumes {_STYLE_NAMES[assumed]}; {found}",
            setting_line(env, "pagination", f'"{style}"'),
        )
    else:
        report.check(
            "listing",
            INFO,
            f'pages by {_STYLE_NAMES[style]} (read only with pagination = "auto"); {found}',
        )


def _read(
    client: UppzyClient,
    site: str,
    report: ProbeReport,
    tape: Recording,
    per_page: int | None,
    assumed: str,
    stand_in: dict[str, str],
) -> Listing | None:
    """One whole read, or None after reporting why it failed (and, for a pinned style that
    does not fit, the style an unpinned read finds).

    A listing whose status words `status_words` does not map (the status words check reports
    them) is read again with the words it shows standing in, kept in `stand_in`, so that its
    paging is still checked in the same run."""
    env = report.environment
    try:
        return client.read_listing(site, per_page=per_page, status_words=stand_in or None)
    except IncompleteListingError as exc:
        failure = exc
    except ApiError as exc:
        words = _stand_in_words(client, tape) if not stand_in else None
        if words is None:
            report.check("listing", ERROR, exc.message, exc.hint)
            return None
        stand_in.update(words)
        return _read(client, site, report, tape, per_page, assumed, stand_in)
    if client.api_config.pagination != "auto":
        try:
            found = client.read_listing(
                site, per_page=per_page, pagination="auto", status_words=stand_in or None
            )
        except ApiError:
            found = None
        if found is not None:
            value = f'"{found.style}"' if found.style in PINNABLE else '"auto"'
            report.check(
                "listing",
                DIFFERS,
                f'pagination = "{assumed}" does not read it whole ({failure.message}); it '
                f"pages by {_STYLE_NAMES[found.style]}",
                setting_line(env, "pagination", value),
            )
            return None
    report.check("listing", DIFFERS, failure.message, failure.hint)
    return None


def _stand_in_words(client: UppzyClient, tape: Recording) -> dict[str, str] | None:
    """Words that read every status the listing showed, when `status_words` maps some not
    (which is which does not matter for paging); None when the listing is not so read."""
    seen = set(listed_status_words([item.body for item in tape.of("list_documents")]).values())
    unmapped = sorted(word for word in seen if status_of(client, word) is None)
    if not unmapped or len(seen) > 2:
        return None
    words = sorted(seen)
    if len(words) == 1:
        api = client.api_config
        spare = api.status_word("active")
        words.append(spare if spare != words[0] else api.status_word("draft"))
    return {"draft": words[0], "active": words[1]}


def _spans_pages(read: Listing) -> bool:
    return read.requests >= 2 and len(read.documents) > read.per_page


def _has(read: Listing, doc_id: str) -> bool:
    return any(doc.id == doc_id for doc in read.documents)


def _count(number: int) -> str:
    return f"{number} document{'s' * (number != 1)}"


def status_of(client: UppzyClient, word: str) -> str | None:
    """kbsync's status for a service word under the environment's `status_words`."""
    api = client.api_config
    for status in ("active", "draft"):
        if word.strip().casefold() == api.status_word(status).casefold():
            return status
    return None


# ------------------------------------------------------------------------------ status words


def check_status_words(client: UppzyClient, report: ProbeReport, canaries: Canaries) -> None:
    """The word of a new document (and whether it starts draft), the words bulk-status takes,
    and the word the listing shows after activation, against `status_words`."""
    api = client.api_config
    env = report.environment
    active, draft = api.status_word("active"), api.status_word("draft")
    if canaries.main is None and canaries.new_word is None:
        report.check("status words", ERROR, "no canary was created, nothing to check")
        return
    suggestion: dict[str, str] = {}
    problems: list[str] = []
    new = canaries.new_word
    new_status = None if new is None else status_of(client, new)
    if new is None:
        problems.append("a new document carries no status")
    elif new_status is None:
        problems.append(
            f"a new document's status is {_q(new)}, neither {_q(draft)} nor {_q(active)}"
        )
        suggestion["draft"] = new
    for status in ("draft", "active"):
        if status not in canaries.refused:
            continue
        word, error = canaries.refused[status]
        problems.append(f"bulk-status refused {_q(word)} ({status}): {error}")
        others = [w for w in quoted_words(error) if w not in (suggestion.get("draft"), draft)]
        if status == "draft" and new is not None and new in quoted_words(error):
            suggestion["draft"] = new
        elif status == "active" and len(others) == 1:
            suggestion["active"] = others[0]
    listed = canaries.listed_word
    if (
        "active" in canaries.accepted
        and listed is not None
        and status_of(client, listed) != "active"
    ):
        problems.append(f"bulk-status took {_q(active)} but the listing then says {_q(listed)}")
        if status_of(client, listed) is None:
            suggestion["active"] = listed
    unchecked = [
        s for s in ("draft", "active") if s not in canaries.accepted + list(canaries.refused)
    ]
    if not problems and (canaries.main is None or unchecked):
        what = ", ".join(unchecked) if canaries.main is not None else "draft, active"
        report.check(
            "status words", ERROR, f"bulk-status could not be checked ({what}): see bulk_status"
        )
        return
    if problems:
        setting = (
            setting_line(env, "status_words", _inline_table(suggestion))
            if suggestion
            else f"[environments.{env}.api] status_words: set them to Uppzy's words (not found)"
        )
        report.check("status words", DIFFERS, "; ".join(problems), setting)
        return
    starts = (
        "starts draft"
        if new_status == "draft"
        else "starts active: it is live before kbsync activates its batch"
    )
    back = (
        "the listing reads them back"
        if listed is not None
        else "not read back (the listing could not be read)"
    )
    report.check(
        "status words",
        SAME if new_status == "draft" else INFO,
        f"a new document is {_q(new or '')} ({starts}); bulk-status takes {_q(draft)} and "
        f"{_q(active)}; {back}",
    )


def _q(word: str) -> str:
    return json.dumps(word, ensure_ascii=False)


def _inline_table(values: dict[str, str]) -> str:
    inner = ", ".join(f"{key} = {_q(value)}" for key, value in sorted(values.items()))
    return f"{{ {inner} }}"


# --------------------------------------------------------------------------- documented errors


def check_documented_errors(
    client: UppzyClient, site: str, report: ProbeReport, session_id: str
) -> None:
    """Each error answer Uppzy documents, drawn by a request that changes nothing, compared
    exactly: status and body."""
    for expected in documented_error_calls(client.tenant_id, site, session_id):
        name = f"error: {expected.name}"
        documented = f"{expected.status} {_body(expected.body)}"
        try:
            answer = client.exchange(
                expected.call, api_key=WRONG_KEY if expected.wrong_key else None
            )
        except ApiError as exc:
            report.check(name, ERROR, f"{expected.endpoint}: {exc.message}")
            continue
        got = f"{answer.status} {_body(answer.body)}"
        if answer.status == expected.status and answer.body == expected.body:
            report.check(name, SAME, f"{expected.endpoint}: {documented}")
            continue
        setting = _NO_SETTING_STATUS if answer.status != expected.status else _NO_SETTING_TEXT
        report.check(
            name, DIFFERS, f"{expected.endpoint}: documented {documented}, got {got}", setting
        )


def _body(body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


# ------------------------------------------------------------------------------- rate limits


def check_rate_limits(tape: Recording, report: ProbeReport) -> None:
    """Which rate-limit headers the answers carried (recorded; kbsync works either way)."""
    seen: dict[str, None] = {}
    for exchange in tape.exchanges:
        for name in rate_limit_headers(exchange.headers):
            seen.setdefault(name, None)
    if not seen:
        report.check(
            "rate limits",
            INFO,
            "no Retry-After or X-RateLimit-* header seen: a 429 is retried with backoff",
        )
        return
    names = sorted(seen)
    paces = {"X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(names)
    how = "kbsync paces on Remaining/Reset" if paces else "kbsync does not pace on these"
    report.check("rate limits", INFO, f"{', '.join(names)} seen ({how})")
