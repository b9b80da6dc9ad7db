"""Logging set-up for the CLI: plain lines for people, JSON lines for machines (stderr), every
line through the key masker."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from pipeline.cli.errors import MASKER

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                event[key] = value
        return MASKER(json.dumps(event, default=str, sort_keys=False))


class TextFormatter(logging.Formatter):
    """`level: message key=value …` for people."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{k}={v}"
            for k, v in record.__dict__.items()
            if k not in _RESERVED and not k.startswith("_")
        )
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        return MASKER(f"{text} {extras}" if extras else text)


def configure_logging(log_format: str, verbose: int) -> None:
    """Route the `pipeline` loggers to stderr in the chosen format."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger("pipeline")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
