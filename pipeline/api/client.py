"""`UppzyClient`: every Uppzy call kbsync makes, one method per operation.

The client is the Uppzy API layer, as httpx splits a client from its transport: each method
builds its call with the wire module :mod:`pipeline.api.uppzy` (paths, field names, response
shapes), sends it through the request layer :class:`pipeline.api.request.Requester` (attempts,
retries, deadlines, errors, pacing, telemetry) and reads the answer with the wire module again.
Listings are read whole by :mod:`pipeline.api.listing`; uncertain creates are reconciled by
:mod:`pipeline.api.adopt`.

The client is synchronous and thread-safe: one instance serves a pool of worker threads, and
itself caps the requests in flight at `http.concurrency` (default 8), so a thread waiting out a
retry's backoff leaves its slot to another (callers use :attr:`UppzyClient.worker_threads`).
Every call has a total deadline (`http.total_timeout`) that covers its attempts and the waits
between them; each attempt's timeouts are clipped to what is left of it.

The file is longer than most because Uppzy has some thirty operations and each is one method
here; the few that are more than a line (listing pages concurrently, create-or-adopt, bulk
chunks, polling an async answer) hold Uppzy's rules for that operation, not request machinery.

Long (~600 lines) because it is a catalogue: one short method per Uppzy operation, each
alike, and nothing else; splitting it by endpoint family would scatter one interface.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from pipeline.api import uppzy
from pipeline.api.adopt import MAX_CREATES, create_or_adopt
from pipeline.api.errors import (
    ApiError,
    ChatFailedError,
    DeadlineExceeded,
    MissingApiKeyError,
    PollTimeout,
    server_text,
)
from pipeline.api.listing import Listing, read_listing
from pipeline.api.models import (
    AsyncStatus,
    BulkResult,
    ChatAnswer,
    CreateOutcome,
    DocumentPatch,
    DocumentStatus,
    Feedback,
    FeedbackResult,
    FileDocument,
    JsonObject,
    Limits,
    NewDocument,
    QaDocument,
    RemoteDocument,
    SessionInfo,
    SiteInfo,
    SiteStatistics,
    TenantInfo,
    TextDocument,
)
from pipeline.api.pacing import RateLimitPacer
from pipeline.api.probing import Exchange, Recording
from pipeline.api.request import Requester
from pipeline.api.retry import Deadline, RetryPolicy
from pipeline.api.telemetry import Labels, Metrics, Telemetry
from pipeline.config import (
    IN_PROCESS_BASE_URL,
    ApiConfig,
    AsyncConfig,
    EnvironmentConfig,
    HttpConfig,
)
from pipeline.errors import ConfigError


class UppzyClient:
    """Uppzy's M2M API for one environment (tenant), for any of its sites."""

    def __init__(
        self,
        *,
        base_url: str,
        tenant_id: str,
        api_key: str | None = None,
        api_key_env: str | None = None,
        http: HttpConfig | None = None,
        async_config: AsyncConfig | None = None,
        api: ApiConfig | None = None,
        environment: str = "",
        integration: str = "kbsync",
        transport: httpx.BaseTransport | None = None,
        metrics: Metrics | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant_id = tenant_id
        self.environment = environment
        self.http_config = http or HttpConfig()
        self.async_config = async_config or AsyncConfig()
        self.api_config = api or ApiConfig()
        self.status_words = uppzy.StatusWords.from_mapping(self.api_config.status_words)
        """The service's words for `active` and `draft` (`[environments.E.api] status_words`)."""
        self.pacer = RateLimitPacer()
        self.policy = policy or RetryPolicy(self.http_config)
        self.metrics = metrics if metrics is not None else Metrics()
        self.telemetry = Telemetry(Labels(environment, integration, tenant_id), self.metrics)
        self._requests = Requester(
            base_url=self.base_url,
            tenant_id=tenant_id,
            http=self.http_config,
            policy=self.policy,
            pacer=self.pacer,
            telemetry=self.telemetry,
            api_key=api_key,
            api_key_env=api_key_env,
            environment=environment,
            service="the in-process sandbox" if self.base_url == IN_PROCESS_BASE_URL else "Uppzy",
            transport=transport,
        )

    @classmethod
    def for_environment(
        cls,
        env: EnvironmentConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        metrics: Metrics | None = None,
        api_key: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> UppzyClient:
        """The client for `env`: the one mapping of an environment's settings onto a client.

        Its key is read from the variable `env.api_key_env` names (`api_key` overrides it). A
        sandbox environment (`base_url = "sandbox:"`) needs a `transport` serving the sandbox
        in-process and no key: this package does not import the sandbox, so the caller builds
        it — for the command line, :func:`pipeline.cli.connect.open_client`.
        """
        if env.is_sandbox:
            if transport is None:
                raise ConfigError(
                    f"environment {env.name!r} is served by the in-process sandbox, "
                    "but no sandbox transport was given",
                    hint="build the sandbox and pass its transport (see pipeline.api docs)",
                )
            base_url = IN_PROCESS_BASE_URL
            key = api_key or env.api_key()
        else:
            base_url = env.base_url
            key = api_key or env.api_key()
            if key is None:
                if not env.api_key_env:
                    raise MissingApiKeyError(
                        f"environment {env.name!r} names no api_key_env",
                        hint="set api_key_env to the name of the variable holding the key",
                    )
                raise MissingApiKeyError(
                    f"environment {env.name!r} needs an API key: "
                    f"the variable {env.api_key_env} is not set",
                    hint=f"export {env.api_key_env}=<the key from Uppzy's dashboard, API Access>",
                )
        return cls(
            base_url=base_url,
            tenant_id=env.tenant_id,
            api_key=key,
            api_key_env=env.api_key_env,
            http=env.http,
            async_config=env.async_,
            api=env.api,
            environment=env.name,
            integration=env.integration,
            transport=transport,
            metrics=metrics,
            policy=policy,
        )

    # ------------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close connections (and the transport, as httpx does)."""
        self._requests.close()

    def __enter__(self) -> UppzyClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def concurrency(self) -> int:
        """Most requests this client has in flight at once (`http.concurrency`)."""
        return max(self.http_config.concurrency, 1)

    @property
    def worker_threads(self) -> int:
        """Threads a caller should run calls on: twice :attr:`concurrency`.

        Requests in flight are capped at `concurrency` by the client itself; a thread waiting
        out a retry's backoff holds no request slot, so the extra threads keep the slots busy.
        """
        return 2 * self.concurrency

    # ---------------------------------------------------------------------- tenant reads

    def tenant(self) -> TenantInfo:
        return self._requests.parsed(
            uppzy.tenant_call("tenant", self.tenant_id), uppzy.parse_tenant
        )

    def limits(self) -> Limits:
        """The tenant's limits; also Uppzy's recommended connectivity and key check."""
        return self._requests.parsed(
            uppzy.tenant_call("limits", self.tenant_id), uppzy.parse_limits
        )

    def usage(self) -> JsonObject:
        return self._requests.parsed(uppzy.tenant_call("usage", self.tenant_id), uppzy.parse_object)

    def usage_history(self) -> list[JsonObject]:
        call = uppzy.tenant_call("usage_history", self.tenant_id)
        return self._requests.parsed(call, uppzy.parse_object_list)

    def tenant_statistics(self) -> JsonObject:
        call = uppzy.tenant_call("tenant_statistics", self.tenant_id)
        return self._requests.parsed(call, uppzy.parse_object)

    # ------------------------------------------------------------------------ site reads

    def site(self, site_id: str) -> SiteInfo:
        return self._requests.parsed(uppzy.site_call("site", site_id), uppzy.parse_site)

    def site_statistics(self, site_id: str) -> SiteStatistics:
        call = uppzy.site_call("site_statistics", site_id)
        return self._requests.parsed(call, uppzy.parse_site_statistics)

    def sessions(self, site_id: str) -> list[SessionInfo]:
        return self._requests.parsed(uppzy.site_call("sessions", site_id), uppzy.parse_sessions)

    def user_statistics(self, site_id: str, email: str) -> JsonObject:
        call = uppzy.user_statistics_call(site_id, email)
        return self._requests.parsed(call, uppzy.parse_object)

    # ------------------------------------------------------------------------- documents

    def list_documents(self, site_id: str, *, per_page: int | None = None) -> list[RemoteDocument]:
        """Every document of the site, each once, in the order listed — or
        :class:`IncompleteListingError`, never a part of it.

        The paging style is `[environments.E.api] pagination` (`auto` recognises it, see
        :mod:`pipeline.api.listing`); with page numbers and a known total the pages after the
        first two are fetched concurrently (within `http.concurrency`).
        """
        return self.read_listing(site_id, per_page=per_page).documents

    def read_listing(
        self,
        site_id: str,
        *,
        per_page: int | None = None,
        pagination: str | None = None,
        status_words: Mapping[str, str] | None = None,
    ) -> Listing:
        """:meth:`list_documents` with how the listing was read: the style it turned out to
        page by, its `total` and the requests it took (for `kbsync probe`). `pagination` and
        `status_words` override the environment's settings for this read."""
        size = self.api_config.per_page if per_page is None else per_page
        size = min(max(size, 1), uppzy.MAX_PER_PAGE)
        words = self.status_words
        if status_words is not None:
            words = uppzy.StatusWords.from_mapping(status_words)

        def fetch(params: Mapping[str, str | int]) -> uppzy.ListingPage:
            call = uppzy.list_documents_call(site_id, params)
            body, request_id, headers = self._requests.execute(call)
            return self._requests.parse(
                call, request_id, lambda: uppzy.parse_listing(body, headers, words)
            )

        return read_listing(
            fetch,
            site_id=site_id,
            per_page=size,
            pagination=self.api_config.pagination if pagination is None else pagination,
            listing_path=uppzy.ENDPOINTS["list_documents"].fill({"site_id": site_id}),
            environment=self.environment,
            map_pages=self._requests.map_concurrently,
        )

    def create_text_document(self, site_id: str, doc: TextDocument) -> RemoteDocument:
        """Create a text document. Not retried when the outcome is uncertain: see
        :meth:`create_or_adopt_document`."""
        return self.create_document(site_id, doc)

    def create_qa_document(self, site_id: str, doc: QaDocument) -> RemoteDocument:
        return self.create_document(site_id, doc)

    def upload_file_document(self, site_id: str, doc: FileDocument) -> RemoteDocument:
        return self.create_document(site_id, doc)

    def create_document(self, site_id: str, doc: NewDocument) -> RemoteDocument:
        """Create any kind of document (one POST; retried only where nothing was done).

        The answer must carry the new document's id; a type or title it leaves out is the
        payload's, a status it leaves out stays "" (unknown, never read as draft).
        """
        words = self.status_words
        created = self._requests.parsed(
            uppzy.create_document_call(site_id, doc),
            lambda body: uppzy.parse_written_document(body, words),
        )
        if created.type and created.title:
            return created
        return dataclasses.replace(
            created, type=created.type or doc.type, title=created.title or doc.title
        )

    def create_or_adopt_document(
        self,
        site_id: str,
        payload: NewDocument,
        *,
        known_ids: Collection[str],
        max_creates: int = MAX_CREATES,
    ) -> CreateOutcome:
        """Create `payload`, never twice: an uncertain failure is reconciled, not blindly retried.

        When a create fails in a way that may have created the document (timeout or reset after
        sending, 5xx, unreadable answer), the site's documents are listed and a document of the
        same type and title whose id is not in `known_ids` (the ids the caller already maps) is
        adopted, its fields aligned with `payload` if they differ. Only when none exists is the
        create sent again, at most `max_creates` times in all. See :mod:`pipeline.api.adopt`.
        """
        (outcome,) = self.create_or_adopt_documents(
            site_id, [payload], known_ids=known_ids, concurrency=1, max_creates=max_creates
        )
        if isinstance(outcome, ApiError):
            raise outcome
        return outcome

    def create_or_adopt_documents(
        self,
        site_id: str,
        payloads: Sequence[NewDocument],
        *,
        known_ids: Collection[str],
        concurrency: int | None = None,
        max_creates: int = MAX_CREATES,
    ) -> list[CreateOutcome | ApiError]:
        """:meth:`create_or_adopt_document` for many payloads, on `concurrency` threads.

        `concurrency` defaults to :attr:`worker_threads`; requests in flight stay capped at
        `http.concurrency` whatever the number of threads.

        Uncertain failures are reconciled together (one listing per round). Returns one entry per
        payload, in order: its :class:`CreateOutcome`, or the :class:`ApiError` it ended with.
        """
        return create_or_adopt(
            self,
            site_id,
            payloads,
            known_ids=known_ids,
            concurrency=self.worker_threads if concurrency is None else concurrency,
            backoff=self.policy.backoff,
            max_creates=max_creates,
        )

    def update_document(
        self, site_id: str, doc_id: str, patch: DocumentPatch
    ) -> RemoteDocument | None:
        """PATCH one document; the document as Uppzy returns it (None if it returns none)."""
        if patch.is_empty:
            raise ValueError("an empty DocumentPatch changes nothing")
        words = self.status_words
        call = uppzy.update_document_call(site_id, doc_id, patch, words)
        return self._requests.parsed(call, lambda body: uppzy.maybe_document(body, words))

    def bulk_status(
        self, site_id: str, doc_ids: Iterable[str], status: DocumentStatus
    ) -> BulkResult:
        """Set `status` (`active` or `draft`) on many documents, at most 100 per request.

        The service is sent its own word for `status` (`[environments.E.api] status_words`).
        """
        if status not in ("active", "draft"):
            raise ValueError(f"not a document status: {status!r}")
        words = self.status_words
        return self._bulk(
            site_id,
            doc_ids,
            lambda chunk: uppzy.bulk_status_call(site_id, chunk, status, words),
            "updated",
        )

    def bulk_delete(self, site_id: str, doc_ids: Iterable[str]) -> BulkResult:
        """Delete many documents, at most 100 per request (unknown ids are ignored)."""
        return self._bulk(
            site_id, doc_ids, lambda chunk: uppzy.bulk_delete_call(site_id, chunk), "deleted"
        )

    def _bulk(
        self,
        site_id: str,
        doc_ids: Iterable[str],
        make_call: Callable[[list[str]], uppzy.Call],
        count_key: str,
    ) -> BulkResult:
        ids = list(dict.fromkeys(doc_ids))
        affected: int | None = 0
        chunks = 0
        for start in range(0, len(ids), uppzy.MAX_BULK_IDS):
            chunk = ids[start : start + uppzy.MAX_BULK_IDS]
            count = self._requests.parsed(
                make_call(chunk), lambda body: uppzy.parse_count(body, count_key)
            )
            chunks += 1
            affected = None if affected is None or count is None else affected + count
        return BulkResult(requested=len(ids), affected=affected, chunks=chunks)

    # ----------------------------------------------------------------------- widget config

    def widget_config(self, site_id: str) -> JsonObject:
        """The site's chat-widget settings, as Uppzy holds them (its fields are undocumented)."""
        return self._requests.parsed(uppzy.widget_config_call(site_id), uppzy.parse_object)

    def update_widget_config(self, site_id: str, changes: Mapping[str, Any]) -> JsonObject:
        """Change some widget settings (a PATCH: fields not given stay); the settings after."""
        if not changes:
            raise ValueError("no widget settings to change")
        call = uppzy.update_widget_config_call(site_id, changes)
        return self._requests.parsed(call, uppzy.parse_object)

    # ------------------------------------------------------------------------------ chat

    def chat(
        self,
        site_id: str,
        session_id: str,
        message: str,
        *,
        email: str | None = None,
        response_language: str | None = None,
        retry_uncertain: bool = False,
    ) -> ChatAnswer:
        """Ask and wait for the answer (5–60 s at Uppzy; read timeout `chat_read_timeout`).

        A timeout or 5xx is not retried unless `retry_uncertain`: the question may have been
        answered (and counted) already.
        """
        call = uppzy.chat_call(
            site_id, session_id, message, email=email, response_language=response_language
        )
        return self._requests.parsed(
            call,
            lambda body: uppzy.parse_chat_answer(body, session_id),
            retry_uncertain=retry_uncertain,
        )

    def chat_async(
        self,
        site_id: str,
        session_id: str,
        message: str,
        *,
        email: str | None = None,
        response_language: str | None = None,
        retry_uncertain: bool = False,
    ) -> AsyncStatus:
        """Submit a question for an async answer; poll it with :meth:`poll_chat`."""
        call = uppzy.chat_call(
            site_id,
            session_id,
            message,
            email=email,
            response_language=response_language,
            asynchronous=True,
        )
        submitted = time.monotonic()
        status = self._requests.parsed(
            call, uppzy.parse_async_status, retry_uncertain=retry_uncertain
        )
        self._requests.note_submitted(status.request_id, submitted)
        return status

    def chat_request_status(self, site_id: str, request_id: str) -> AsyncStatus:
        call = uppzy.chat_request_call(site_id, request_id)
        return self._requests.parsed(call, lambda body: uppzy.parse_async_status(body, request_id))

    def poll_chat(
        self,
        site_id: str,
        request_id: str,
        *,
        interval: float | None = None,
        deadline: float | None = None,
    ) -> AsyncStatus:
        """Poll an async request at a fixed interval until it completes.

        Returns the `completed` status (with the answer); raises :class:`ChatFailedError` if it
        ends `failed` and :class:`PollTimeout` if it is still pending at the deadline
        (`async.deadline`, default 30 s).
        """
        interval = self.async_config.poll_interval if interval is None else interval
        budget = self.async_config.deadline if deadline is None else deadline
        clock = Deadline(budget)
        started = self._requests.submitted_at(request_id, clock.started)
        last = "pending"
        endpoint = uppzy.ENDPOINTS["chat_request_status"].name
        while True:
            # The last poll may start at the deadline; it gets at least one interval to finish.
            call_deadline = min(self.http_config.total_timeout, max(clock.remaining(), interval))
            try:
                status = self._requests.parsed(
                    uppzy.chat_request_call(site_id, request_id),
                    functools.partial(uppzy.parse_async_status, request_id=request_id),
                    deadline=Deadline(call_deadline),
                )
            except DeadlineExceeded as exc:
                if not clock.expired:
                    raise
                raise self._poll_timeout(request_id, budget, last, endpoint) from exc
            last = status.raw_status or status.status
            if status.status == "completed":
                self._requests.forget_submitted(request_id)
                self.telemetry.async_completed(site_id, time.monotonic() - started)
                return status
            if status.status == "failed":
                self._requests.forget_submitted(request_id)
                reason = server_text(status.error) or "no reason given"
                raise ChatFailedError(
                    f"async chat request {request_id} failed at Uppzy: {reason}",
                    endpoint=endpoint,
                    request_id=request_id,
                    error=server_text(status.error),
                    hint="submit the question again, or use sync chat",
                )
            if clock.expired:
                raise self._poll_timeout(request_id, budget, last, endpoint)
            time.sleep(min(interval, clock.remaining()))

    def _poll_timeout(
        self, request_id: str, budget: float, last: str, endpoint: str
    ) -> PollTimeout:
        where = f" for environment {self.environment!r}" if self.environment else ""
        return PollTimeout(
            f"async chat request {request_id} did not complete within {budget:g} s "
            f"(last status: {last})",
            deadline=budget,
            last_status=last,
            endpoint=endpoint,
            request_id=request_id,
            hint=f"raise async.deadline{where} in kbsync.toml, or poll it again later",
        )

    def chat_async_and_wait(
        self,
        site_id: str,
        session_id: str,
        message: str,
        *,
        email: str | None = None,
        response_language: str | None = None,
    ) -> AsyncStatus:
        """Submit an async question and poll it to its answer (the async path of `chat`)."""
        submitted = self.chat_async(
            site_id, session_id, message, email=email, response_language=response_language
        )
        if submitted.status == "completed":
            return submitted
        return self.poll_chat(site_id, submitted.request_id)

    def submit_feedback(
        self, site_id: str, session_id: str, request_id: str, feedback: Feedback
    ) -> FeedbackResult:
        """Rate a completed answer `good` or `bad` (a repeat is harmless)."""
        if feedback not in ("good", "bad"):
            raise ValueError("feedback must be 'good' or 'bad'")
        call = uppzy.feedback_call(site_id, session_id, request_id, feedback)
        return self._requests.parsed(
            call, lambda body: uppzy.parse_feedback(body, request_id, feedback)
        )

    def close_session(self, site_id: str, session_id: str) -> None:
        """Close a chat session (idempotent: closing a closed session succeeds)."""
        self._requests.parsed(uppzy.close_session_call(site_id, session_id), lambda body: None)

    # ------------------------------------------------------------------------- probing

    @contextmanager
    def recording(self) -> Iterator[Recording]:
        """Records every answer this client receives (any thread) while the block runs: its
        endpoint, status, headers and decoded body (for `kbsync probe`, which checks the raw
        answers behind the parsed ones)."""
        with self._requests.recording() as tape:
            yield tape

    def exchange(self, call: uppzy.Call, *, api_key: str | None = None) -> Exchange:
        """Send `call` once and return the answer whatever its status (an error status is
        answered, not raised; never retried): for `kbsync probe`, which checks Uppzy's
        documented error answers. `api_key` replaces the environment's key for this request
        (a deliberately wrong one). A transport failure raises :class:`TransportError`."""
        return self._requests.exchange(call, api_key=api_key)
