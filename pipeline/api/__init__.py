"""The Uppzy API client: the only code in kbsync that speaks HTTP.

Two layers, as httpx splits a client from its transport: :class:`UppzyClient` (`client.py`),
one method per Uppzy operation over the private wire module `uppzy.py` (and `listing.py`,
`adopt.py`); and the request layer `request.py` (attempts, retries, deadlines, errors, pacing,
telemetry). Only this package imports `uppzy`, `listing` and `request`.

Build one per environment with :meth:`UppzyClient.for_environment` (the one mapping of an
environment's settings onto a client); for the in-process sandbox (`base_url = "sandbox:"`)
pass a transport serving the sandbox app, e.g. ``SyncASGITransport(sandbox.app)``. The command
line does both in :func:`pipeline.cli.connect.open_client`.
"""

from __future__ import annotations

from pipeline.api.client import UppzyClient
from pipeline.api.errors import (
    AmbiguousAdoptionError,
    ApiError,
    AuthError,
    ChatFailedError,
    ConflictError,
    DeadlineExceeded,
    ForbiddenError,
    IncompleteListingError,
    InvalidRequestError,
    ListingChanged,
    MissingApiKeyError,
    NotFoundError,
    PlanError,
    PollTimeout,
    RateLimitedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from pipeline.api.listing import Listing
from pipeline.api.models import (
    AsyncStatus,
    BulkResult,
    ChatAnswer,
    CreateOutcome,
    DocumentPatch,
    FeedbackResult,
    FileDocument,
    Limits,
    NewDocument,
    QaDocument,
    Quota,
    RemoteDocument,
    SessionInfo,
    SiteInfo,
    SiteStatistics,
    TenantInfo,
    TextDocument,
)
from pipeline.api.telemetry import Metrics
from pipeline.asgi_bridge import SyncASGITransport

__all__ = [
    "AmbiguousAdoptionError",
    "ApiError",
    "AsyncStatus",
    "AuthError",
    "BulkResult",
    "ChatAnswer",
    "ChatFailedError",
    "ConflictError",
    "CreateOutcome",
    "DeadlineExceeded",
    "DocumentPatch",
    "FeedbackResult",
    "FileDocument",
    "ForbiddenError",
    "IncompleteListingError",
    "InvalidRequestError",
    "Limits",
    "Listing",
    "ListingChanged",
    "Metrics",
    "MissingApiKeyError",
    "NewDocument",
    "NotFoundError",
    "PlanError",
    "PollTimeout",
    "QaDocument",
    "Quota",
    "RateLimitedError",
    "RemoteDocument",
    "ServerError",
    "SessionInfo",
    "SiteInfo",
    "SiteStatistics",
    "SyncASGITransport",
    "TenantInfo",
    "TextDocument",
    "TransportError",
    "UnexpectedResponseError",
    "UppzyClient",
]
