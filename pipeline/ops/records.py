"""Results of `smoke` and `eval` kept with each target's sync state (`state.records`).

The promotion gate reads them back, so they live where the sync log lives (file or git store)
and are written with the store's compare-and-swap like any other state change.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pipeline.config import EnvironmentConfig, Settings
from pipeline.sync.service import make_store
from pipeline.sync.state import StaleStateError, StateError
from pipeline.targets import Target

log = logging.getLogger(__name__)
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


def save_record(
    settings: Settings,
    target: Target,
    key: str,
    record: dict[str, Any],
    *,
    env: EnvironmentConfig | None = None,
) -> None:
    """Store `record` as `records[key]` of `target`; a concurrent write is retried once.

    `env` is the target's environment, when the caller has it."""
    store = make_store(settings, env or settings.environment(target.environment))
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


def load_record(
    settings: Settings, target: Target, key: str, *, env: EnvironmentConfig | None = None
) -> dict[str, Any] | None:
    """`records[key]` of `target`, or None when that command never recorded a run there.

    A record of another shape is a :class:`StateError` naming where it lives: its `commit` is
    handed to git, so anything but a commit id (an option such as `--output=…`) is refused.
    `env` is the target's environment, when the caller has it.
    """
    store = make_store(settings, env or settings.environment(target.environment))
    record = store.load(target).records.get(key)
    if record is None:
        return None
    where = f"{store.describe(target)}: records.{key}"
    if not isinstance(record, dict):
        raise _bad_record(where, "it is not a JSON object")
    commit = record.get("commit")
    if commit is not None and not (isinstance(commit, str) and _COMMIT.fullmatch(commit)):
        raise _bad_record(where, "its commit is not a commit id")
    return record


def _bad_record(where: str, why: str) -> StateError:
    return StateError(
        f"{where}: not a kbsync record ({why})",
        hint="run the command that writes it again (`kbsync smoke` or `kbsync eval`): "
        "the new run replaces it",
    )


def _verdict(record: dict[str, Any]) -> str:
    return "passed" if record.get("passed") else "failed"
