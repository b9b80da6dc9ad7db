"""Results of `smoke` and `eval` kept with each target's sync state (`state.records`).

The promotion gate reads them back, so they live where the sync log lives (file or git store)
and are written with the store's compare-and-swap like any other state change.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline.config import Settings
from pipeline.sync.service import make_store
from pipeline.sync.state import StaleStateError, Target

log = logging.getLogger(__name__)


def save_record(settings: Settings, target: Target, key: str, record: dict[str, Any]) -> None:
    """Store `record` as `records[key]` of `target`; a concurrent write is retried once."""
    store = make_store(settings, settings.environment(target.environment))
    for attempt in (1, 2):
        state = store.load(target)
        state.records[key] = record
        try:
            store.save(state, f"kbsync {key} {target.key}: {_verdict(record)}")
            return
        except StaleStateError:
            if attempt == 2:
                raise
            log.info("state of %s moved while recording %s; reloading once", target.key, key)


def load_record(settings: Settings, target: Target, key: str) -> dict[str, Any] | None:
    """`records[key]` of `target`, or None when that command never recorded a run there."""
    store = make_store(settings, settings.environment(target.environment))
    record = store.load(target).records.get(key)
    return record if isinstance(record, dict) else None


def _verdict(record: dict[str, Any]) -> str:
    return "passed" if record.get("passed") else "failed"
