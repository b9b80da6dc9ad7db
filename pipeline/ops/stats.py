"""`kbsync stats`, `sessions` and `feedback`: read the numbers, list and close sessions, rate an
answer.

Feedback is refused here, before anything is sent, for a request not known to be completed:
the async status endpoint is asked first, and `pending` or `failed` stops it. A sync chat's
request id may be unknown to that endpoint (404): then the feedback is sent anyway and Uppzy's
answer decides (it answers 404 for a request it does not know, 409 for one not completed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.api import NotFoundError, UppzyClient
from pipeline.api.models import (
    Feedback,
    FeedbackResult,
    JsonObject,
    Limits,
    SessionInfo,
    SiteStatistics,
    TenantInfo,
)
from pipeline.errors import KbsyncError, UsageError


class FeedbackRefused(KbsyncError):
    """Feedback for a request that is not completed: nothing was sent."""


@dataclass
class StatsReport:
    """Everything `kbsync stats` shows for one environment."""

    environment: str
    tenant: TenantInfo | None
    limits: Limits
    usage: JsonObject
    usage_history: list[JsonObject]
    tenant_statistics: JsonObject
    sites: dict[str, SiteStatistics] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        quota = self.limits
        return {
            "environment": self.environment,
            "tenant": None
            if self.tenant is None
            else {"id": self.tenant.id, "name": self.tenant.name, "plan": self.tenant.plan},
            "limits": {
                "documents": quota.documents.__dict__,
                "storage_bytes": quota.storage_bytes.__dict__,
                "messages": quota.messages.__dict__,
                "max_upload_bytes": quota.max_upload_bytes,
            },
            "usage": self.usage,
            "usage_history": self.usage_history,
            "tenant_statistics": self.tenant_statistics,
            "sites": {site: stats.raw for site, stats in self.sites.items()},
        }


def collect_stats(client: UppzyClient, environment: str, sites: list[str]) -> StatsReport:
    """Tenant info, limits, usage (now and by period), tenant and per-site statistics."""
    return StatsReport(
        environment=environment,
        tenant=client.tenant(),
        limits=client.limits(),
        usage=client.usage(),
        usage_history=client.usage_history(),
        tenant_statistics=client.tenant_statistics(),
        sites={site: client.site_statistics(site) for site in sites},
    )


def list_sessions(client: UppzyClient, sites: list[str]) -> dict[str, list[SessionInfo]]:
    return {site: client.sessions(site) for site in sites}


@dataclass(frozen=True)
class FeedbackOutcome:
    result: FeedbackResult
    session_id: str
    checked: str
    """What was known before sending: `completed`, or `unknown to the status endpoint`."""


def send_feedback(
    client: UppzyClient,
    site: str,
    request_id: str,
    rating: Feedback,
    session_id: str | None = None,
) -> FeedbackOutcome:
    """Rate `request_id` after making sure it is not pending or failed (see the module doc)."""
    try:
        status = client.chat_request_status(site, request_id)
    except NotFoundError:
        if session_id is None:
            raise UsageError(
                f"request {request_id} is unknown to the async status endpoint of site {site!r}, "
                "so its session cannot be looked up",
                hint="for a sync chat's request pass --session with the session id it was asked in",
            ) from None
        result = client.submit_feedback(site, session_id, request_id, rating)
        return FeedbackOutcome(result, session_id, "unknown to the status endpoint")
    if status.status == "pending":
        raise FeedbackRefused(
            f"request {request_id} is still pending: only a completed answer can be rated",
            hint="wait for it to complete (kbsync chat --async polls it), then rate it",
        )
    if status.status == "failed":
        raise FeedbackRefused(
            f"request {request_id} failed at Uppzy: there is no answer to rate",
            hint="ask again and rate the new answer",
        )
    session = status.session_id or session_id
    if session_id and status.session_id and session_id != status.session_id:
        raise UsageError(
            f"request {request_id} belongs to session {status.session_id}, not {session_id}",
            hint="drop --session, or pass the session the request was asked in",
        )
    if session is None:
        raise UsageError(
            f"Uppzy did not say which session request {request_id} belongs to",
            hint="pass --session",
        )
    result = client.submit_feedback(site, session, request_id, rating)
    return FeedbackOutcome(result, session, "completed")
