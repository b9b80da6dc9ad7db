"""What can go wrong talking to Uppzy, as types a caller can branch on.

    KbsyncError
    ├── ConfigError
    │   └── MissingApiKeyError      the variable named by `api_key_env` is unset (exit 2)
    └── ApiError                    Uppzy said no, or could not be reached (exit 1)
        ├── AuthError               401: the key is missing, invalid, expired or revoked
        ├── ForbiddenError          403: plan, tenant or site access
        │   └── PlanError           403 api_access_not_available_on_plan
        ├── NotFoundError           404: wrong id or scope
        ├── ConflictError           409
        ├── InvalidRequestError     400, 413, 415, 422: the request must change first
        ├── RateLimitedError        429 (certain: nothing was done)
        ├── ServerError             5xx (uncertain for a create or a chat: it may have been done)
        ├── TransportError          connect, timeout, reset; `uncertain` says whether it may
        │                           have been processed
        ├── UnexpectedResponseError a 2xx whose body kbsync cannot read
        │   └── IncompleteListingError  a document listing that could not be read whole
        ├── DeadlineExceeded        the call's total deadline ran out (retries included)
        ├── AmbiguousAdoptionError  a lost create's type and title match several documents
        ├── PollTimeout             an async chat request did not finish within its deadline
        └── ChatFailedError         an async chat request finished as `failed`

Messages say what happened and what to do next. They may name the environment variable that
holds the key, the endpoint and ids; never the key itself, a document's text or a chat message.
"""

from __future__ import annotations

from typing import Any

from pipeline.errors import ConfigError, KbsyncError

_SERVER_TEXT_LIMIT = 120


class MissingApiKeyError(ConfigError):
    """The environment needs a key and the variable that should hold it is empty."""


class ApiError(KbsyncError):
    """A call to Uppzy failed; `status` is the HTTP status when there was a response."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        endpoint: str,
        status: int | None = None,
        error: str | None = None,
        request_id: str | None = None,
        client_request_id: str | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after
        """Seconds the server asked to wait (`Retry-After`), when it said."""
        self.endpoint = endpoint
        self.status = status
        self.error = error
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.attempts = attempts

    @property
    def uncertain(self) -> bool:
        """True if the request may have been carried out although the call failed."""
        return False


class AuthError(ApiError):
    """401: the credential is the problem; retrying cannot help."""


class ForbiddenError(ApiError):
    """403: valid key, but the plan, tenant or site does not allow this."""


class PlanError(ForbiddenError):
    """403 `api_access_not_available_on_plan`: the tenant's plan has no M2M API access."""


class NotFoundError(ApiError):
    """404: the tenant, site, document or request does not exist in this key's scope."""


class ConflictError(ApiError):
    """409: the resource exists or the operation was already done (e.g. early feedback)."""


class InvalidRequestError(ApiError):
    """400, 413, 415 or 422: the request itself is wrong and must change before it is retried."""


class RateLimitedError(ApiError):
    """429: Uppzy refused the request for now; nothing was done."""


class ServerError(ApiError):
    """5xx: a temporary failure at Uppzy; the request may or may not have been carried out."""

    @property
    def uncertain(self) -> bool:
        return True


class TransportError(ApiError):
    """No usable response: connect failure, timeout or reset (`kind` says which)."""

    def __init__(self, message: str, *, kind: str, uncertain: bool, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.kind = kind
        self._uncertain = uncertain

    @property
    def uncertain(self) -> bool:
        return self._uncertain


class UnexpectedResponseError(ApiError):
    """A 2xx response kbsync cannot read (not JSON, or without a field it needs)."""

    @property
    def uncertain(self) -> bool:
        return True


class IncompleteListingError(UnexpectedResponseError):
    """A site's document listing could not be read whole (its pages, its `total` and what was
    read disagree, or no pagination style fits).

    Nothing may be created or deleted because of such a listing: a missing document would look
    deleted and be created again (a duplicate). `hint` names the setting that fixes it
    (`[environments.E.api] pagination`).
    """


class ListingChanged(IncompleteListingError):
    """The listing's `total` changed between its pages: positions shifted under the reader, so
    a page may have skipped documents. Read once more automatically before it is raised."""


class DeadlineExceeded(ApiError):
    """The call's total deadline (`http.total_timeout`) ran out, retries and waits included."""

    def __init__(
        self, message: str, *, deadline: float, last_error: ApiError | None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.deadline = deadline
        self.last_error = last_error

    @property
    def uncertain(self) -> bool:
        return self.last_error is None or self.last_error.uncertain


class AmbiguousAdoptionError(ApiError):
    """A create's answer was lost and several unmapped documents on the site match its type and
    title: one may be the document it created, and kbsync will not guess which (as the sync
    layer's `AmbiguousMatchError`). `document_ids` names them; uncertain, as the create was."""

    def __init__(self, message: str, *, document_ids: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.document_ids = document_ids

    @property
    def uncertain(self) -> bool:
        return True


class PollTimeout(ApiError):
    """An async chat request was still pending when the polling deadline ran out."""

    def __init__(self, message: str, *, deadline: float, last_status: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.deadline = deadline
        self.last_status = last_status


class ChatFailedError(ApiError):
    """An async chat request ended with status `failed`."""


def server_text(text: str | None) -> str | None:
    """Uppzy's `error` string, shortened to one line (it is shown, never branched on)."""
    if text is None:
        return None
    line = " ".join(str(text).split())
    if len(line) > _SERVER_TEXT_LIMIT:
        line = line[: _SERVER_TEXT_LIMIT - 1] + "…"
    return line


def _after(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""


def error_for_status(
    status: int,
    *,
    endpoint: str,
    error: str | None,
    request_id: str | None = None,
    client_request_id: str | None = None,
    attempts: int = 1,
    retry_after: float | None = None,
    key_variable: str | None = None,
    tenant_id: str | None = None,
    plan_error: bool = False,
) -> ApiError:
    """The typed error for a non-2xx response, with a message that says what to do next.

    One function of some 80 lines on purpose: a flat table from status to error class, message
    and hint, read top to bottom as API.md's table of errors (split, the order of the 403 cases
    would hide across functions).

    One function (~90 lines) because it is Uppzy's status table read top to bottom: one branch
    per status class, each building its error and its advice.
    """
    text = server_text(error)
    said = f" ({text})" if text else ""
    head = f"{status} from Uppzy ({endpoint}{_after(attempts)})"
    common: dict[str, Any] = {
        "endpoint": endpoint,
        "status": status,
        "error": text,
        "request_id": request_id,
        "client_request_id": client_request_id,
        "attempts": attempts,
        "retry_after": retry_after,
    }
    key_ref = f"the key in {key_variable}" if key_variable else "the API key"
    tenant = f"tenant {tenant_id!r}" if tenant_id else "the tenant"
    if status == 401:
        hint = "create or rotate a key in Uppzy's dashboard (API Access)"
        if key_variable:
            hint += f" and put it in {key_variable}"
        return AuthError(
            f"{head}: {key_ref} is missing, invalid, expired or revoked", hint=hint, **common
        )
    if status == 403 and plan_error:
        return PlanError(
            f"{head}: {tenant}'s plan does not include M2M API access",
            hint="API access needs plan level2 or level3; upgrade the plan or use another tenant",
            **common,
        )
    if status == 403 and text and "limit" in text:
        return ForbiddenError(
            f"{head}: a limit of {tenant} was reached{said}",
            hint="compare usage with the tenant's limits; remove content or upgrade the plan",
            **common,
        )
    if status == 403:
        return ForbiddenError(
            f"{head}: {key_ref} may not do this{said}",
            hint=f"check that tenant_id and the site ids in kbsync.toml belong to {tenant}",
            **common,
        )
    if status == 404:
        return NotFoundError(
            f"{head}: not found{said}",
            hint=f"check the ids in kbsync.toml (and the document or request id) belong to {tenant}",
            **common,
        )
    if status == 409:
        return ConflictError(
            f"{head}: conflict{said}",
            hint="it may exist already or have been done before; refresh and plan again",
            **common,
        )
    if status in (400, 413, 415, 422):
        what = "too large" if status == 413 else "refused as invalid"
        return InvalidRequestError(
            f"{head}: the request was {what}{said}",
            hint="the request must change before it is sent again; kbsync does not retry it",
            **common,
        )
    if status == 429:
        return RateLimitedError(
            f"{head}: rate limited{said}",
            hint="lower http.concurrency for this environment, or try again later",
            **common,
        )
    if status >= 500:
        return ServerError(
            f"{head}: temporary failure at Uppzy{said}",
            hint="try again later; if it persists, check Uppzy's status page",
            **common,
        )
    return ApiError(f"{head}: unexpected status{said}", **common)
