"""`UppzyClient`: every Uppzy call kbsync makes, with timeouts, retries, deadlines and telemetry.

The client is synchronous and thread-safe: one instance serves a pool of worker threads, and
itself caps the requests in flight at `http.concurrency` (default 8), so a thread waiting out a
retry's backoff leaves its slot to another (callers use :attr:`UppzyClient.worker_threads`).
Each method is one operation; the wire details come from :mod:`pipeline.api.uppzy`, the retry
classes from :mod:`pipeline.api.retry`, reconciliation of uncertain creates from
:mod:`pipeline.api.adopt`.

Every call has a total deadline (`http.total_timeout`) that covers its attempts and the waits
between them; each attempt's timeouts are clipped to what is left of it.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from pipeline import __version__
from pipeline.api import uppzy
from pipeline.api.adopt import MAX_CREATES, create_or_adopt
from pipeline.api.errors import (
    ApiError,
    ChatFailedError,
    DeadlineExceeded,
    MissingApiKeyError,
    PollTimeout,
    TransportError,
    UnexpectedResponseError,
    error_for_status,
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
from pipeline.api.retry import Deadline, RetryDecision, RetryPolicy, RetryState, run_with_retries
from pipeline.api.telemetry import FAILED, OK, RETRY, AttemptRecord, Labels, Metrics, Telemetry
from pipeline.config import (
    IN_PROCESS_BASE_URL,
    ApiConfig,
    AsyncConfig,
    EnvironmentConfig,
    HttpConfig,
    api_key_problem,
)
from pipeline.errors import ConfigError

T = TypeVar("T")

log = logging.getLogger("pipeline.api")

REQUEST_ID_HEADER = "X-Request-Id"
_SUBMITTED_MEMORY = 10_000
MAX_PACING_WAIT = 60.0
"""Longest wait for a rate-limit window's reset (`X-RateLimit-Reset`) before a request."""


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
        self._key_variable = api_key_env
        self._api_key = api_key
        if api_key and api_key_problem(api_key):
            # Checked before httpx sees it: its error for a bad header quotes the whole value.
            raise ConfigError(
                f"the API key{f' in {api_key_env}' if api_key_env else ''} is not usable: "
                f"{api_key_problem(api_key)}",
                hint="the key must be one line of printable ASCII (it was not sent)",
            )
        self._submitted: dict[str, float] = {}
        self._submitted_lock = threading.Lock()
        self._recordings: list[Recording] = []
        self._recordings_lock = threading.Lock()
        headers = {"User-Agent": f"kbsync/{__version__}", "Accept": "application/json"}
        if api_key:
            headers["X-API-Key"] = api_key
        cfg = self.http_config
        pool = max(cfg.concurrency, 1)
        self._slots = threading.BoundedSemaphore(pool)
        self._http = httpx.Client(
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout,
                read=cfg.read_timeout,
                write=cfg.write_timeout,
                pool=cfg.pool_timeout,
            ),
            limits=httpx.Limits(max_connections=pool * 2, max_keepalive_connections=pool),
            follow_redirects=False,
            trust_env=not _is_loopback(self.base_url),
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
        """The client for `env`, its key read from the variable `env.api_key_env` names.

        A sandbox environment (`base_url = "sandbox:"`) needs a `transport` serving the sandbox
        in-process (the caller builds it: this package does not import the sandbox) and no key.
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
        self._http.close()

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
        return self._parsed(uppzy.tenant_call("tenant", self.tenant_id), uppzy.parse_tenant)

    def limits(self) -> Limits:
        """The tenant's limits; also Uppzy's recommended connectivity and key check."""
        return self._parsed(uppzy.tenant_call("limits", self.tenant_id), uppzy.parse_limits)

    def usage(self) -> JsonObject:
        return self._parsed(uppzy.tenant_call("usage", self.tenant_id), uppzy.parse_object)

    def usage_history(self) -> list[JsonObject]:
        call = uppzy.tenant_call("usage_history", self.tenant_id)
        return self._parsed(call, uppzy.parse_object_list)

    def tenant_statistics(self) -> JsonObject:
        call = uppzy.tenant_call("tenant_statistics", self.tenant_id)
        return self._parsed(call, uppzy.parse_object)

    # ------------------------------------------------------------------------ site reads

    def site(self, site_id: str) -> SiteInfo:
        return self._parsed(uppzy.site_call("site", site_id), uppzy.parse_site)

    def site_statistics(self, site_id: str) -> SiteStatistics:
        call = uppzy.site_call("site_statistics", site_id)
        return self._parsed(call, uppzy.parse_site_statistics)

    def sessions(self, site_id: str) -> list[SessionInfo]:
        return self._parsed(uppzy.site_call("sessions", site_id), uppzy.parse_sessions)

    def user_statistics(self, site_id: str, email: str) -> JsonObject:
        call = uppzy.user_statistics_call(site_id, email)
        return self._parsed(call, uppzy.parse_object)

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
            body, request_id, headers = self._execute(call)
            return self._parse(call, request_id, lambda: uppzy.parse_listing(body, headers, words))

        def map_pages(
            fetch_page: Callable[[int], uppzy.ListingPage], numbers: Sequence[int]
        ) -> list[uppzy.ListingPage]:
            workers = min(self.worker_threads, len(numbers))
            if workers <= 1:
                return [fetch_page(number) for number in numbers]
            with ThreadPoolExecutor(workers, "kbsync-list") as pool:
                return list(pool.map(fetch_page, numbers))

        return read_listing(
            fetch,
            site_id=site_id,
            per_page=size,
            pagination=self.api_config.pagination if pagination is None else pagination,
            listing_path=uppzy.ENDPOINTS["list_documents"].fill({"site_id": site_id}),
            environment=self.environment,
            map_pages=map_pages,
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
        created = self._parsed(
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
        return self._parsed(call, lambda body: uppzy.maybe_document(body, words))

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
            count = self._parsed(make_call(chunk), lambda body: uppzy.parse_count(body, count_key))
            chunks += 1
            affected = None if affected is None or count is None else affected + count
        return BulkResult(requested=len(ids), affected=affected, chunks=chunks)

    # ----------------------------------------------------------------------- widget config

    def widget_config(self, site_id: str) -> JsonObject:
        """The site's chat-widget settings, as Uppzy holds them (its fields are undocumented)."""
        return self._parsed(uppzy.widget_config_call(site_id), uppzy.parse_object)

    def update_widget_config(self, site_id: str, changes: Mapping[str, Any]) -> JsonObject:
        """Change some widget settings (a PATCH: fields not given stay); the settings after."""
        if not changes:
            raise ValueError("no widget settings to change")
        call = uppzy.update_widget_config_call(site_id, changes)
        return self._parsed(call, uppzy.parse_object)

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
        return self._parsed(
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
        status = self._parsed(call, uppzy.parse_async_status, retry_uncertain=retry_uncertain)
        with self._submitted_lock:
            if len(self._submitted) >= _SUBMITTED_MEMORY:
                self._submitted.pop(next(iter(self._submitted)))
            self._submitted[status.request_id] = submitted
        return status

    def chat_request_status(self, site_id: str, request_id: str) -> AsyncStatus:
        call = uppzy.chat_request_call(site_id, request_id)
        return self._parsed(call, lambda body: uppzy.parse_async_status(body, request_id))

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
        with self._submitted_lock:
            started = self._submitted.get(request_id, clock.started)
        last = "pending"
        endpoint = uppzy.ENDPOINTS["chat_request_status"].name
        while True:
            # The last poll may start at the deadline; it gets at least one interval to finish.
            call_deadline = min(self.http_config.total_timeout, max(clock.remaining(), interval))
            try:
                status = self._parsed(
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
                with self._submitted_lock:
                    self._submitted.pop(request_id, None)
                self.telemetry.async_completed(site_id, time.monotonic() - started)
                return status
            if status.status == "failed":
                with self._submitted_lock:
                    self._submitted.pop(request_id, None)
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
        return self._parsed(call, lambda body: uppzy.parse_feedback(body, request_id, feedback))

    def close_session(self, site_id: str, session_id: str) -> None:
        """Close a chat session (idempotent: closing a closed session succeeds)."""
        self._parsed(uppzy.close_session_call(site_id, session_id), lambda body: None)

    # ------------------------------------------------------------------------- probing

    @contextmanager
    def recording(self) -> Iterator[Recording]:
        """Records every answer this client receives (any thread) while the block runs: its
        endpoint, status, headers and decoded body (for `kbsync probe`, which checks the raw
        answers behind the parsed ones)."""
        tape = Recording()
        with self._recordings_lock:
            self._recordings.append(tape)
        try:
            yield tape
        finally:
            with self._recordings_lock:
                self._recordings.remove(tape)

    def exchange(self, call: uppzy.Call, *, api_key: str | None = None) -> Exchange:
        """Send `call` once and return the answer whatever its status (an error status is
        answered, not raised; never retried): for `kbsync probe`, which checks Uppzy's
        documented error answers. `api_key` replaces the environment's key for this request
        (a deliberately wrong one). A transport failure raises :class:`TransportError`."""
        clock = Deadline(self.http_config.total_timeout)
        client_request_id = f"kbsync-{uuid.uuid4().hex}"
        if not self._slots.acquire(timeout=clock.remaining()):
            raise DeadlineExceeded(
                f"{call.endpoint.name}: no time left to send it",
                deadline=clock.seconds,
                last_error=None,
                endpoint=call.endpoint.name,
                client_request_id=client_request_id,
            )
        try:
            request = self._build_request(call, client_request_id, clock.remaining())
            if api_key is not None:
                request.headers["X-API-Key"] = api_key
            response = self._http.send(request)
        except (httpx.TransportError, OSError) as exc:
            raise self._transport_error(call, exc, 1, client_request_id) from exc
        finally:
            self._slots.release()
        self.pacer.observe(response.headers)
        return self._record(call, response, _decode(response))

    def _record(self, call: uppzy.Call, response: httpx.Response, body: Any) -> Exchange:
        exchange = Exchange(
            call.endpoint.name, response.status_code, dict(response.headers.items()), body
        )
        with self._recordings_lock:
            for tape in self._recordings:
                tape.add(exchange)
        return exchange

    # ------------------------------------------------------------------------- machinery

    def _parsed(
        self,
        call: uppzy.Call,
        parse: Callable[[Any], T],
        *,
        retry_uncertain: bool = False,
        deadline: Deadline | None = None,
    ) -> T:
        body, response_request_id, _ = self._execute(
            call, retry_uncertain=retry_uncertain, deadline=deadline
        )
        return self._parse(call, response_request_id, lambda: parse(body))

    def _parse(self, call: uppzy.Call, request_id: str | None, parse: Callable[[], T]) -> T:
        """`parse()`, a :class:`uppzy.ShapeError` turned into an error naming the endpoint and
        the setting that would absorb the difference."""
        try:
            return parse()
        except uppzy.ShapeError as exc:
            env = self.environment or "<env>"
            if exc.setting is not None:
                hint = (
                    f"set [environments.{env}.api] {exc.setting} in kbsync.toml to the words "
                    f"Uppzy uses; `kbsync probe --env {env} --write` shows them"
                )
            else:
                hint = "the API may have changed; run `kbsync probe` and report the response shape"
            raise UnexpectedResponseError(
                f"unexpected response from Uppzy ({call.endpoint.name}): {exc}",
                endpoint=call.endpoint.name,
                request_id=request_id,
                hint=hint,
            ) from None

    def _execute(
        self,
        call: uppzy.Call,
        *,
        retry_uncertain: bool = False,
        deadline: Deadline | None = None,
    ) -> tuple[Any, str | None, httpx.Headers]:
        """Send `call` with retries; its decoded JSON body (None if empty or not JSON), the
        response's request id and its headers."""
        clock = deadline or Deadline(self.http_config.total_timeout)
        client_request_id = f"kbsync-{uuid.uuid4().hex}"
        state: RetryState | None = None

        def attempt(number: int, current: RetryState) -> tuple[Any, str | None, httpx.Headers]:
            nonlocal state
            state = current
            return self._attempt(call, number, current, clock, client_request_id, retry_uncertain)

        try:
            result, _ = run_with_retries(attempt, policy=self.policy, deadline=clock)
        except ApiError as exc:
            self.telemetry.call_finished(call, ok=False)
            decision = state.decision if state is not None else None
            if decision is not None and decision.reason == "deadline":
                raise self._deadline_error(call, clock, exc, client_request_id) from exc
            raise
        except BaseException:
            self.telemetry.call_finished(call, ok=False)
            raise
        self.telemetry.call_finished(call, ok=True)
        return result

    def _attempt(
        self,
        call: uppzy.Call,
        number: int,
        state: RetryState,
        clock: Deadline,
        client_request_id: str,
        retry_uncertain: bool,
    ) -> tuple[Any, str | None, httpx.Headers]:
        pause = min(self.pacer.reserve(), MAX_PACING_WAIT, clock.remaining())
        if pause > 0:
            log.debug(
                "%s: waiting %.2f s for the rate limit's reset (X-RateLimit-Remaining: 0)",
                call.endpoint.name,
                pause,
            )
            time.sleep(pause)
        if clock.expired or not self._slots.acquire(timeout=clock.remaining()):
            state.decision = RetryDecision(False, 0.0, "deadline")
            raise DeadlineExceeded(
                f"{call.endpoint.name}: no time left to send it",
                deadline=clock.seconds,
                last_error=state.last_error,
                endpoint=call.endpoint.name,
                attempts=number - 1,
                client_request_id=client_request_id,
            )
        started = time.perf_counter()
        status: int | None = None
        response_request_id: str | None = None
        try:
            try:
                request = self._build_request(call, client_request_id, clock.remaining())
                response = self._http.send(request)
            except (httpx.TransportError, OSError) as exc:
                raise self._transport_error(call, exc, number, client_request_id) from exc
            finally:
                self._slots.release()
            status = response.status_code
            self.pacer.observe(response.headers)
            body = _decode(response)
            if self._recordings:
                self._record(call, response, body)
            response_request_id = uppzy.error_request_id(body)
            if not 200 <= status < 300:
                raise self._status_error(call, response, body, number, client_request_id)
        except ApiError as exc:
            decision = self.policy.decide(
                exc,
                endpoint=call.endpoint,
                retry_uncertain=retry_uncertain,
                attempt=number,
                remaining=clock.remaining(),
            )
            state.decision = decision
            self.telemetry.attempt(
                AttemptRecord(
                    call=call,
                    attempt=number,
                    client_request_id=client_request_id,
                    status=status,
                    latency_ms=(time.perf_counter() - started) * 1000,
                    outcome=RETRY if decision.retry else FAILED,
                    error_kind=_error_kind(exc),
                    retry_in_ms=decision.wait * 1000 if decision.retry else None,
                    response_request_id=response_request_id,
                )
            )
            raise
        self.telemetry.attempt(
            AttemptRecord(
                call=call,
                attempt=number,
                client_request_id=client_request_id,
                status=status,
                latency_ms=(time.perf_counter() - started) * 1000,
                outcome=OK,
                response_request_id=response_request_id,
            )
        )
        return body, response_request_id, response.headers

    def _status_error(
        self,
        call: uppzy.Call,
        response: httpx.Response,
        body: Any,
        number: int,
        client_request_id: str,
    ) -> ApiError:
        said = uppzy.error_text(body) if body is not None else response.text[:500]
        if said and self._api_key and self._api_key in said:
            said = "(withheld: it quotes the API key)"
        return error_for_status(
            response.status_code,
            endpoint=call.endpoint.name,
            error=uppzy.redact(said or None, call),
            request_id=uppzy.error_request_id(body),
            client_request_id=client_request_id,
            attempts=number,
            retry_after=uppzy.retry_after_seconds(response.headers.get("Retry-After")),
            key_variable=self._key_variable,
            tenant_id=self.tenant_id,
            plan_error=uppzy.error_text(body) == uppzy.PLAN_ERROR,
        )

    def _build_request(
        self, call: uppzy.Call, client_request_id: str, remaining: float
    ) -> httpx.Request:
        cfg = self.http_config
        read = cfg.chat_read_timeout if call.endpoint.chat else cfg.read_timeout
        timeout = httpx.Timeout(
            connect=min(cfg.connect_timeout, remaining),
            read=min(read, remaining),
            write=min(cfg.write_timeout, remaining),
            pool=min(cfg.pool_timeout, remaining),
        )
        headers = {REQUEST_ID_HEADER: client_request_id}
        if call.files is None:
            headers["Content-Type"] = "application/json"
        content = None
        if call.json is not None:
            content = json.dumps(call.json, ensure_ascii=False).encode("utf-8")
        return self._http.build_request(
            call.endpoint.method,
            self.base_url + call.path,
            params=dict(call.params) if call.params else None,
            content=content,
            files=dict(call.files) if call.files else None,
            headers=headers,
            timeout=timeout,
        )

    def _transport_error(
        self, call: uppzy.Call, exc: BaseException, number: int, client_request_id: str
    ) -> TransportError:
        kind, uncertain = _transport_kind(exc)
        name = call.endpoint.name
        where = "the in-process sandbox" if self.base_url == IN_PROCESS_BASE_URL else "Uppzy"
        after = f" after {number} attempts" if number > 1 else ""
        detail = server_text(str(exc)) or type(exc).__name__
        env = f" of environment {self.environment!r}" if self.environment else ""
        if kind in ("connect", "connect_timeout", "pool_timeout"):
            message = f"could not connect to {where} ({name}{after}): {detail}"
            hint = f"check the network, any proxy and base_url{env}"
        elif kind == "read_timeout":
            setting = "http.chat_read_timeout" if call.endpoint.chat else "http.read_timeout"
            message = f"no response from {where} in time ({name}{after})"
            hint = f"raise {setting}{env}, or try again later"
        elif kind in ("invalid_url", "unsupported_protocol"):
            message = f"cannot send to {where} ({name}): {detail}"
            hint = f"check base_url{env}"
        else:
            message = f"connection to {where} failed ({name}{after}): {detail}"
            hint = "try again later"
        if uncertain:
            message += "; the request may have been carried out"
        return TransportError(
            message,
            kind=kind,
            uncertain=uncertain,
            endpoint=name,
            client_request_id=client_request_id,
            attempts=number,
            hint=hint,
        )

    def _deadline_error(
        self, call: uppzy.Call, clock: Deadline, last: ApiError, client_request_id: str
    ) -> DeadlineExceeded:
        if isinstance(last, DeadlineExceeded):
            last_error = last.last_error
            attempts = last.attempts
        else:
            last_error, attempts = last, last.attempts
        env = f" for environment {self.environment!r}" if self.environment else ""
        cause = f"; last error: {last_error.message}" if last_error is not None else ""
        return DeadlineExceeded(
            f"{call.endpoint.name}: gave up after {attempts} attempt(s) in "
            f"{clock.elapsed():.1f} s, the call's deadline (http.total_timeout = "
            f"{clock.seconds:g} s){cause}",
            deadline=clock.seconds,
            last_error=last_error,
            endpoint=call.endpoint.name,
            status=last_error.status if last_error else None,
            client_request_id=client_request_id,
            attempts=attempts,
            hint=f"raise http.total_timeout{env}, or try again later",
        )


def _decode(response: httpx.Response) -> Any:
    """The JSON body, or None when the body is empty or not JSON (then the text is kept)."""
    raw = response.content
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _transport_kind(exc: BaseException) -> tuple[str, bool]:
    """What kind of transport failure `exc` is, and whether the request may have been acted on."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect_timeout", False
    if isinstance(exc, httpx.PoolTimeout):
        return "pool_timeout", False
    if isinstance(exc, httpx.ConnectError):
        return "connect", False
    if isinstance(exc, httpx.ReadTimeout):
        return "read_timeout", True
    if isinstance(exc, httpx.WriteTimeout):
        return "write_timeout", True
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported_protocol", False
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "reset", True
    if isinstance(exc, ConnectionRefusedError):
        return "connect", False
    if isinstance(exc, ConnectionError):
        return "reset", True
    if isinstance(exc, httpx.InvalidURL):  # pragma: no cover - raised at build time
        return "invalid_url", False
    return "transport", True


def _error_kind(exc: ApiError) -> str:
    if isinstance(exc, TransportError):
        return exc.kind
    return type(exc).__name__


def _is_loopback(url: str) -> bool:
    host = httpx.URL(url).host
    if host == "localhost" or host.endswith(".invalid"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
