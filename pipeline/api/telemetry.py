"""What the client tells operators: one structured log event per attempt, and per-run metrics.

Log events go to the `pipeline.api` logger with `extra=` fields (the CLI formats them as text or
JSON lines). They name the endpoint and its *path template*, never the filled path (which may
hold an e-mail), and never the API key, a document's text, a chat message or an answer.

:class:`Metrics` counts per endpoint and target for the run and exports JSON, Prometheus text
and table rows; it is shared safely between threads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.api.uppzy import Call

LOGGER_NAME = "pipeline.api"

OK = "ok"
RETRY = "retry"
FAILED = "failed"


@dataclass(frozen=True)
class Labels:
    """Who the calls are for: every metric and log event carries these."""

    environment: str
    integration: str
    tenant: str


@dataclass(frozen=True)
class MetricKey:
    environment: str
    integration: str
    tenant: str
    site: str
    endpoint: str


@dataclass
class _Counters:
    calls: int = 0
    attempts: int = 0
    successes: int = 0
    failures: int = 0
    status_4xx: int = 0
    status_429: int = 0
    status_5xx: int = 0
    timeouts: int = 0
    transport_errors: int = 0
    retries: int = 0
    latencies_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class EndpointMetrics:
    """One row of the run's metrics: one endpoint at one target.

    `calls` are operations as a caller sees them; `attempts` the HTTP requests sent for them.
    `successes`/`failures` count calls; the status and timeout counts count attempts. Latency
    percentiles are over attempts, in milliseconds.
    """

    environment: str
    integration: str
    tenant: str
    site: str
    endpoint: str
    calls: int
    attempts: int
    successes: int
    failures: int
    status_4xx: int
    status_429: int
    status_5xx: int
    timeouts: int
    transport_errors: int
    retries: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_sum_ms: float


@dataclass(frozen=True)
class AsyncMetrics:
    """Async chat: how long requests took from submission to `completed`, per target."""

    environment: str
    integration: str
    tenant: str
    site: str
    completed: int
    p50_ms: float | None
    p95_ms: float | None
    sum_ms: float


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """Nearest-rank percentile (`fraction` in 0..1); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


TABLE_HEADERS = (
    "endpoint",
    "site",
    "calls",
    "attempts",
    "ok",
    "failed",
    "4xx",
    "429",
    "5xx",
    "timeouts",
    "retries",
    "p50 ms",
    "p95 ms",
)


class Metrics:
    """Per-endpoint counters and latencies for one run, safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[MetricKey, _Counters] = {}
        self._async: dict[MetricKey, list[float]] = {}

    def _get(self, key: MetricKey) -> _Counters:
        counters = self._counters.get(key)
        if counters is None:
            counters = self._counters[key] = _Counters()
        return counters

    def record_attempt(
        self,
        key: MetricKey,
        *,
        status: int | None,
        latency_ms: float,
        timeout: bool = False,
        transport_error: bool = False,
        retried: bool = False,
    ) -> None:
        with self._lock:
            counters = self._get(key)
            counters.attempts += 1
            counters.latencies_ms.append(latency_ms)
            if status is not None:
                if status == 429:
                    counters.status_429 += 1
                if 400 <= status < 500:
                    counters.status_4xx += 1
                elif status >= 500:
                    counters.status_5xx += 1
            if timeout:
                counters.timeouts += 1
            if transport_error:
                counters.transport_errors += 1
            if retried:
                counters.retries += 1

    def record_call(self, key: MetricKey, *, ok: bool) -> None:
        with self._lock:
            counters = self._get(key)
            counters.calls += 1
            if ok:
                counters.successes += 1
            else:
                counters.failures += 1

    def record_async_completion(self, key: MetricKey, seconds: float) -> None:
        with self._lock:
            self._async.setdefault(key, []).append(seconds * 1000.0)

    def endpoints(self) -> list[EndpointMetrics]:
        """A consistent snapshot, sorted by target and endpoint."""
        with self._lock:
            items = [(key, _copy(counters)) for key, counters in self._counters.items()]
        rows = []
        for key, c in sorted(items, key=lambda item: _sort_key(item[0])):
            rows.append(
                EndpointMetrics(
                    environment=key.environment,
                    integration=key.integration,
                    tenant=key.tenant,
                    site=key.site,
                    endpoint=key.endpoint,
                    calls=c.calls,
                    attempts=c.attempts,
                    successes=c.successes,
                    failures=c.failures,
                    status_4xx=c.status_4xx,
                    status_429=c.status_429,
                    status_5xx=c.status_5xx,
                    timeouts=c.timeouts,
                    transport_errors=c.transport_errors,
                    retries=c.retries,
                    latency_p50_ms=_round(percentile(c.latencies_ms, 0.50)),
                    latency_p95_ms=_round(percentile(c.latencies_ms, 0.95)),
                    latency_sum_ms=round(sum(c.latencies_ms), 3),
                )
            )
        return rows

    def async_completions(self) -> list[AsyncMetrics]:
        with self._lock:
            items = [(key, list(values)) for key, values in self._async.items()]
        return [
            AsyncMetrics(
                environment=key.environment,
                integration=key.integration,
                tenant=key.tenant,
                site=key.site,
                completed=len(values),
                p50_ms=_round(percentile(values, 0.50)),
                p95_ms=_round(percentile(values, 0.95)),
                sum_ms=round(sum(values), 3),
            )
            for key, values in sorted(items, key=lambda item: _sort_key(item[0]))
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoints": [asdict(row) for row in self.endpoints()],
            "async_chat": [asdict(row) for row in self.async_completions()],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False)

    def table_rows(self) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        """Headers and rows of strings for a table the CLI renders."""
        rows: list[tuple[str, ...]] = [
            (
                row.endpoint,
                row.site or "-",
                str(row.calls),
                str(row.attempts),
                str(row.successes),
                str(row.failures),
                str(row.status_4xx),
                str(row.status_429),
                str(row.status_5xx),
                str(row.timeouts),
                str(row.retries),
                _ms(row.latency_p50_ms),
                _ms(row.latency_p95_ms),
            )
            for row in self.endpoints()
        ]
        return TABLE_HEADERS, rows

    def to_prometheus(self, *, prefix: str = "kbsync_api") -> str:
        """The metrics in Prometheus' text exposition format (version 0.0.4)."""
        rows = self.endpoints()
        lines: list[str] = []
        counters = (
            ("calls", "calls", "Calls made (operations, retries not counted)."),
            ("attempts", "attempts", "HTTP requests sent, retries included."),
            ("successes", "successes", "Calls that succeeded."),
            ("failures", "failures", "Calls that failed after any retries."),
            ("status_4xx", "responses_4xx", "Attempts answered with a 4xx status."),
            ("status_429", "responses_429", "Attempts answered with 429 (rate limited)."),
            ("status_5xx", "responses_5xx", "Attempts answered with a 5xx status."),
            ("timeouts", "timeouts", "Attempts that timed out."),
            ("transport_errors", "transport_errors", "Attempts without a response."),
            ("retries", "retries", "Attempts that were followed by a retry."),
        )
        for attribute, name, help_text in counters:
            metric = f"{prefix}_{name}_total"
            lines += [f"# HELP {metric} {help_text}", f"# TYPE {metric} counter"]
            for row in rows:
                lines.append(f"{metric}{{{_labels(row)}}} {getattr(row, attribute)}")
        metric = f"{prefix}_latency_seconds"
        lines += [
            f"# HELP {metric} Latency of one attempt.",
            f"# TYPE {metric} summary",
        ]
        for row in rows:
            labels = _labels(row)
            for quantile, value in (("0.5", row.latency_p50_ms), ("0.95", row.latency_p95_ms)):
                if value is not None:
                    lines.append(f'{metric}{{{labels},quantile="{quantile}"}} {value / 1000:.6f}')
            lines.append(f"{metric}_sum{{{labels}}} {row.latency_sum_ms / 1000:.6f}")
            lines.append(f"{metric}_count{{{labels}}} {row.attempts}")
        completions = self.async_completions()
        if completions:
            metric = f"{prefix}_async_completion_seconds"
            lines += [
                f"# HELP {metric} Async chat: submission to completed answer.",
                f"# TYPE {metric} summary",
            ]
            for item in completions:
                labels = _labels(item)
                for quantile, value in (("0.5", item.p50_ms), ("0.95", item.p95_ms)):
                    if value is not None:
                        lines.append(
                            f'{metric}{{{labels},quantile="{quantile}"}} {value / 1000:.6f}'
                        )
                lines.append(f"{metric}_sum{{{labels}}} {item.sum_ms / 1000:.6f}")
                lines.append(f"{metric}_count{{{labels}}} {item.completed}")
        return "\n".join(lines) + "\n"


def _copy(counters: _Counters) -> _Counters:
    return _Counters(**{**counters.__dict__, "latencies_ms": list(counters.latencies_ms)})


def _sort_key(key: MetricKey) -> tuple[str, ...]:
    return (key.environment, key.integration, key.tenant, key.site, key.endpoint)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(row: EndpointMetrics | AsyncMetrics) -> str:
    pairs = [
        ("environment", row.environment),
        ("integration", row.integration),
        ("tenant", row.tenant),
        ("site", row.site),
    ]
    if isinstance(row, EndpointMetrics):
        pairs.append(("endpoint", row.endpoint))
    return ",".join(f'{name}="{_escape(value)}"' for name, value in pairs)


def safe_session_id(session_id: str | None) -> str | None:
    """A session id fit for logs: one that looks like an e-mail address is replaced by a hash.

    Uppzy asks for opaque session ids; this guards against a caller who used an address anyway.
    """
    if session_id is None or "@" not in session_id:
        return session_id
    digest = hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:12]
    return f"sha256:{digest}"


@dataclass(frozen=True)
class AttemptRecord:
    """The facts of one attempt, as the client observed them."""

    call: Call
    attempt: int
    client_request_id: str
    status: int | None
    latency_ms: float
    outcome: str
    error_kind: str | None = None
    retry_in_ms: float | None = None
    response_request_id: str | None = None


class Telemetry:
    """Logs each attempt and feeds :class:`Metrics`, all labelled with one :class:`Labels`."""

    def __init__(
        self, labels: Labels, metrics: Metrics, logger: logging.Logger | None = None
    ) -> None:
        self.labels = labels
        self.metrics = metrics
        self.logger = logger or logging.getLogger(LOGGER_NAME)

    def key(self, call: Call) -> MetricKey:
        return self.key_for(call.site_id or "", call.endpoint.name)

    def key_for(self, site: str, endpoint: str) -> MetricKey:
        return MetricKey(
            environment=self.labels.environment,
            integration=self.labels.integration,
            tenant=self.labels.tenant,
            site=site,
            endpoint=endpoint,
        )

    def attempt(self, record: AttemptRecord) -> None:
        call = record.call
        kind = record.error_kind or ""
        self.metrics.record_attempt(
            self.key(call),
            status=record.status,
            latency_ms=record.latency_ms,
            timeout="timeout" in kind,
            transport_error=record.status is None and record.outcome != OK,
            retried=record.outcome == RETRY,
        )
        level = {OK: logging.DEBUG, RETRY: logging.INFO}.get(record.outcome, logging.WARNING)
        if not self.logger.isEnabledFor(level):
            return
        extra: dict[str, Any] = {
            "method": call.endpoint.method,
            "endpoint": call.endpoint.name,
            "path_template": call.endpoint.path,
            "environment": self.labels.environment,
            "integration": self.labels.integration,
            "tenant": self.labels.tenant,
            "status": record.status,
            "latency_ms": round(record.latency_ms, 1),
            "attempt": record.attempt,
            "client_request_id": record.client_request_id,
            "outcome": record.outcome,
        }
        if call.site_id is not None:
            extra["site"] = call.site_id
        if call.session_id is not None:
            extra["session_id"] = safe_session_id(call.session_id)
        request_id = record.response_request_id or call.request_id
        if request_id is not None:
            extra["request_id"] = request_id
        if record.error_kind is not None:
            extra["error_kind"] = record.error_kind
        if record.retry_in_ms is not None:
            extra["retry_in_ms"] = round(record.retry_in_ms, 1)
        status = "-" if record.status is None else str(record.status)
        self.logger.log(
            level,
            "uppzy %s %s: %s (%s, attempt %d)",
            call.endpoint.method,
            call.endpoint.name,
            record.outcome,
            status if record.error_kind is None else f"{status} {record.error_kind}",
            record.attempt,
            extra=extra,
        )

    def call_finished(self, call: Call, *, ok: bool) -> None:
        self.metrics.record_call(self.key(call), ok=ok)

    def async_completed(self, site_id: str, seconds: float) -> None:
        self.metrics.record_async_completion(self.key_for(site_id, "chat_async"), seconds)
