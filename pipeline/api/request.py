"""The request layer: how one Uppzy call is sent, as httpx splits a client from its transport.

:class:`Requester` knows nothing of what an endpoint means. It takes a :class:`uppzy.Call`
(method, path, body, as the wire module builds it) and owns everything between that and a
decoded answer: the connection pool and its headers, the cap on requests in flight
(`http.concurrency`), pacing on the rate-limit headers, the attempts and the waits between them
(the policy of :mod:`pipeline.api.retry`), the call's total deadline (`http.total_timeout`)
with each attempt's timeouts clipped to what is left of it, the typed errors of
:mod:`pipeline.api.errors`, the telemetry of each attempt and call, the recording of answers
for `kbsync probe`, and the memory of submitted async chat requests.

:class:`pipeline.api.client.UppzyClient` is the layer above: one method per Uppzy operation,
each a call built by the wire module, sent here, and parsed by the wire module.

It is one module of some 500 lines because its parts share one attempt's state: the connection
pool, the request slots, the pacer, the call's clock and its client request id all pass from the
attempt loop to the error builders; split, each would take them all as arguments. Like the wire
module it is private to `pipeline.api`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from pipeline import __version__
from pipeline.api import uppzy
from pipeline.api.errors import (
    ApiError,
    DeadlineExceeded,
    TransportError,
    UnexpectedResponseError,
    error_for_status,
    server_text,
)
from pipeline.api.pacing import RateLimitPacer
from pipeline.api.probing import Exchange, Recording
from pipeline.api.retry import Deadline, RetryDecision, RetryPolicy, RetryState, run_with_retries
from pipeline.api.telemetry import FAILED, OK, RETRY, AttemptRecord, Telemetry
from pipeline.config import HttpConfig, api_key_problem
from pipeline.errors import ConfigError

T = TypeVar("T")
Item = TypeVar("Item")

log = logging.getLogger("pipeline.api")

REQUEST_ID_HEADER = "X-Request-Id"
_SUBMITTED_MEMORY = 10_000
MAX_PACING_WAIT = 60.0
"""Longest wait for a rate-limit window's reset (`X-RateLimit-Reset`) before a request."""

Answer = tuple[Any, str | None, httpx.Headers]
"""A call's decoded JSON body (None if empty or not JSON), the answer's request id, its headers."""


class Requester:
    """Sends calls to one environment's base URL; thread-safe, shared by a pool of workers.

    `service` names the other end in transport errors ("Uppzy", "the in-process sandbox").
    """

    def __init__(
        self,
        *,
        base_url: str,
        tenant_id: str,
        http: HttpConfig,
        policy: RetryPolicy,
        pacer: RateLimitPacer,
        telemetry: Telemetry,
        api_key: str | None = None,
        api_key_env: str | None = None,
        environment: str = "",
        service: str = "Uppzy",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.tenant_id = tenant_id
        self.http_config = http
        self.policy = policy
        self.pacer = pacer
        self.telemetry = telemetry
        self.environment = environment
        self.service = service
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
        pool = max(http.concurrency, 1)
        self._slots = threading.BoundedSemaphore(pool)
        self._http = httpx.Client(
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(
                connect=http.connect_timeout,
                read=http.read_timeout,
                write=http.write_timeout,
                pool=http.pool_timeout,
            ),
            limits=httpx.Limits(max_connections=pool * 2, max_keepalive_connections=pool),
            follow_redirects=False,
            trust_env=not _is_loopback(base_url),
        )

    def close(self) -> None:
        """Close connections (and the transport, as httpx does)."""
        self._http.close()

    # ------------------------------------------------------------------------- sending

    def parsed(
        self,
        call: uppzy.Call,
        parse: Callable[[Any], T],
        *,
        retry_uncertain: bool = False,
        deadline: Deadline | None = None,
    ) -> T:
        """Send `call` (:meth:`execute`) and read its body with `parse` (:meth:`parse`)."""
        body, response_request_id, _ = self.execute(
            call, retry_uncertain=retry_uncertain, deadline=deadline
        )
        return self.parse(call, response_request_id, lambda: parse(body))

    def parse(self, call: uppzy.Call, request_id: str | None, parse: Callable[[], T]) -> T:
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

    def execute(
        self,
        call: uppzy.Call,
        *,
        retry_uncertain: bool = False,
        deadline: Deadline | None = None,
    ) -> Answer:
        """Send `call` with retries within its deadline (`deadline`, else `http.total_timeout`).

        A repeat the endpoint does not make safe is sent only on a certain failure, or on any
        failure with `retry_uncertain`. The last error is raised, as a :class:`DeadlineExceeded`
        when the deadline ended the attempts.
        """
        clock = deadline or Deadline(self.http_config.total_timeout)
        client_request_id = f"kbsync-{uuid.uuid4().hex}"
        state: RetryState | None = None

        def attempt(number: int, current: RetryState) -> Answer:
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

    def exchange(self, call: uppzy.Call, *, api_key: str | None = None) -> Exchange:
        """Send `call` once and return the answer whatever its status (an error status is
        answered, not raised; never retried). `api_key` replaces the environment's key for this
        request. A transport failure raises :class:`TransportError`."""
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

    def map_concurrently(self, send: Callable[[Item], T], items: Sequence[Item]) -> list[T]:
        """`send` applied to each of `items`, in order, on up to twice `http.concurrency`
        threads (requests in flight stay capped at `http.concurrency`; a thread waiting out a
        backoff holds no slot), or on this thread for one item."""
        workers = min(2 * max(self.http_config.concurrency, 1), len(items))
        if workers <= 1:
            return [send(item) for item in items]
        with ThreadPoolExecutor(workers, "kbsync-list") as pool:
            return list(pool.map(send, items))

    # ----------------------------------------------------------------- probe recordings

    @contextmanager
    def recording(self) -> Iterator[Recording]:
        """Records every answer received (any thread) while the block runs."""
        tape = Recording()
        with self._recordings_lock:
            self._recordings.append(tape)
        try:
            yield tape
        finally:
            with self._recordings_lock:
                self._recordings.remove(tape)

    def _record(self, call: uppzy.Call, response: httpx.Response, body: Any) -> Exchange:
        exchange = Exchange(
            call.endpoint.name, response.status_code, dict(response.headers.items()), body
        )
        with self._recordings_lock:
            for tape in self._recordings:
                tape.add(exchange)
        return exchange

    # ------------------------------------------------------- submitted async requests

    def note_submitted(self, request_id: str, at: float) -> None:
        """Remember when async request `request_id` was submitted (`time.monotonic()`), for
        the time-to-answer telemetry; the oldest is forgotten past a bounded memory."""
        with self._submitted_lock:
            if len(self._submitted) >= _SUBMITTED_MEMORY:
                self._submitted.pop(next(iter(self._submitted)))
            self._submitted[request_id] = at

    def submitted_at(self, request_id: str, default: float) -> float:
        """When `request_id` was submitted by this client; `default` if not by this one."""
        with self._submitted_lock:
            return self._submitted.get(request_id, default)

    def forget_submitted(self, request_id: str) -> None:
        """`request_id` has ended (completed or failed)."""
        with self._submitted_lock:
            self._submitted.pop(request_id, None)

    # ------------------------------------------------------------------------ attempts

    def _attempt(
        self,
        call: uppzy.Call,
        number: int,
        state: RetryState,
        clock: Deadline,
        client_request_id: str,
        retry_uncertain: bool,
    ) -> Answer:
        """One attempt of `call`: sent, its answer decoded, its outcome and the policy's
        decision on a failure recorded in telemetry (and in `state`, for the retry loop)."""
        self._wait_for_turn(call, number, state, clock, client_request_id)
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

    def _wait_for_turn(
        self,
        call: uppzy.Call,
        number: int,
        state: RetryState,
        clock: Deadline,
        client_request_id: str,
    ) -> None:
        """Wait out the rate limit's window, then take a request slot (the caller releases it);
        :class:`DeadlineExceeded` when the call's deadline leaves no time to send."""
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

    # -------------------------------------------------------------------------- errors

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

    def _transport_error(
        self, call: uppzy.Call, exc: BaseException, number: int, client_request_id: str
    ) -> TransportError:
        kind, uncertain = _transport_kind(exc)
        name = call.endpoint.name
        where = self.service
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
