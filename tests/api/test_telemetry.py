"""Metrics: counting, percentiles and the three exports."""

from __future__ import annotations

import json
import re

from pipeline.api.telemetry import MetricKey, Metrics, percentile, safe_session_id


def key(endpoint: str = "list_documents", site: str = "s_help") -> MetricKey:
    return MetricKey("staging", "kbsync", "t_acme", site, endpoint)


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile([7.0], 0.95) == 7
    assert percentile([], 0.5) is None


def filled() -> Metrics:
    metrics = Metrics()
    for latency in (10.0, 20.0, 30.0, 40.0):
        metrics.record_attempt(key(), status=200, latency_ms=latency)
    metrics.record_attempt(key(), status=503, latency_ms=5.0, retried=True)
    metrics.record_attempt(key(), status=429, latency_ms=1.0, retried=True)
    metrics.record_attempt(key(), status=None, latency_ms=3.0, timeout=True, transport_error=True)
    metrics.record_call(key(), ok=True)
    metrics.record_call(key(), ok=False)
    metrics.record_attempt(key("create_text_document"), status=201, latency_ms=12.0)
    metrics.record_call(key("create_text_document"), ok=True)
    metrics.record_async_completion(key("chat_async"), 1.5)
    return metrics


def test_counts_per_endpoint() -> None:
    rows = {row.endpoint: row for row in filled().endpoints()}
    listing = rows["list_documents"]
    assert (listing.calls, listing.attempts, listing.successes, listing.failures) == (2, 7, 1, 1)
    assert (listing.status_4xx, listing.status_429, listing.status_5xx) == (1, 1, 1)
    assert (listing.timeouts, listing.transport_errors, listing.retries) == (1, 1, 2)
    assert (listing.latency_p50_ms, listing.latency_p95_ms) == (10.0, 40.0)
    assert (listing.environment, listing.tenant, listing.site) == ("staging", "t_acme", "s_help")


def test_json_export_round_trips() -> None:
    data = json.loads(filled().to_json())
    assert {row["endpoint"] for row in data["endpoints"]} == {
        "create_text_document",
        "list_documents",
    }
    assert data["async_chat"][0]["completed"] == 1
    assert data["async_chat"][0]["p50_ms"] == 1500.0


def test_prometheus_text_format() -> None:
    text = filled().to_prometheus()
    assert text.endswith("\n")
    sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-z_]+="[^"]*",?)+\})? -?[0-9.e+-]+$')
    for line in text.splitlines():
        assert line.startswith("# ") or sample.match(line), line
    assert (
        'kbsync_api_attempts_total{environment="staging",integration="kbsync",'
        'tenant="t_acme",site="s_help",endpoint="list_documents"} 7'
    ) in text
    assert "# TYPE kbsync_api_latency_seconds summary" in text
    assert 'quantile="0.95"} 0.040000' in text
    assert "kbsync_api_async_completion_seconds_count" in text


def test_prometheus_label_values_are_escaped() -> None:
    metrics = Metrics()
    metrics.record_attempt(key(site='we"ird\\site'), status=200, latency_ms=1)
    assert 'site="we\\"ird\\\\site"' in metrics.to_prometheus()


def test_table_rows_for_the_cli() -> None:
    headers, rows = filled().table_rows()
    assert headers[0] == "endpoint" and len(headers) == len(rows[0])
    assert rows[1][:6] == ("list_documents", "s_help", "2", "7", "1", "1")


def test_empty_metrics_export_cleanly() -> None:
    metrics = Metrics()
    assert json.loads(metrics.to_json()) == {"endpoints": [], "async_chat": []}
    assert metrics.table_rows()[1] == []


def test_session_ids_that_look_like_addresses_are_hashed_for_logs() -> None:
    assert safe_session_id("thread_48291") == "thread_48291"
    hashed = safe_session_id("user-ana@example.com")
    assert hashed is not None and hashed.startswith("sha256:") and "ana" not in hashed
    assert safe_session_id(None) is None
