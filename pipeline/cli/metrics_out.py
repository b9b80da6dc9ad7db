"""The client's per-endpoint metrics: a table at the end of long commands, and files."""

from __future__ import annotations

from pathlib import Path

from pipeline.api.telemetry import Metrics


def metrics_table(metrics: Metrics) -> str:
    header, rows = metrics.table_rows()
    if not rows:
        return ""
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in [header, *rows]]  # fmt: skip
    return "\n".join(line.rstrip() for line in lines)


def write_metrics(metrics: Metrics, path: Path) -> None:
    """JSON, or Prometheus text format when the file name ends in `.prom`."""
    text = metrics.to_prometheus() if path.suffix == ".prom" else metrics.to_json()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
