"""What each environment and site holds, read from the state store, for `kbsync report`.

The report must work offline and must not change anything, so the state is read from the local
copy only: a git store configured with a remote is opened *without* that remote
(`GitStateStore(root, None)`), which reads the local `refs/kbsync/<env>/<site>` without fetching.
That ref is as fresh as the last sync, smoke, eval or `git fetch` run on this machine; the page
says which store it read. A target whose state cannot be read is reported with the reason instead
of failing the whole report.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import EnvironmentConfig, Settings
from pipeline.sync.service import make_store
from pipeline.sync.state import StateError, TargetState
from pipeline.sync.store import GitStateStore, StateStore
from pipeline.targets import Target, resolve_targets

log = logging.getLogger(__name__)

NO_BATCH = "(no batch)"
RECORD_KEYS = ("smoke", "eval")


@dataclass(frozen=True)
class BatchHolding:
    """Entries of one rollout batch that a target holds, by status."""

    batch: str
    active: int
    draft: int
    total: int


@dataclass(frozen=True)
class RunRecord:
    """The last smoke or eval run recorded with a target (`state.records[kind]`)."""

    kind: str
    passed: bool
    at: str
    commit: str
    detail: str
    """A short human summary: steps passed, or pass rate against the minimum."""


@dataclass(frozen=True)
class TargetHoldings:
    environment: str
    site: str
    store: str
    """Where the state was read (file path or git ref), so a reader knows what is shown."""
    entries: int = 0
    batches: list[BatchHolding] = field(default_factory=list)
    commit: str | None = None
    updated_at: str = ""
    revision: int = 0
    paused: bool = False
    held_batches: list[str] = field(default_factory=list)
    smoke: RunRecord | None = None
    eval: RunRecord | None = None
    error: str | None = None
    """Why the state could not be read (the other figures are then empty)."""

    @property
    def key(self) -> str:
        return f"{self.environment}/{self.site}"

    def to_json(self) -> dict[str, Any]:
        return {"target": self.key, **asdict(self)}


def gather_holdings(settings: Settings) -> list[TargetHoldings]:
    """The holdings of every (environment, site) in the configuration, without network."""
    out: list[TargetHoldings] = []
    for target in resolve_targets(settings):
        env = settings.environment(target.environment)
        try:
            store = offline_store(settings, env)
        except StateError as exc:
            out.append(TargetHoldings(target.environment, target.site, "", error=str(exc)))
            continue
        out.append(target_holdings(store, target, settings.root))
    return out


def offline_store(settings: Settings, env: EnvironmentConfig) -> StateStore:
    """The environment's state store, with a git remote dropped so that nothing is fetched."""
    store = make_store(settings, env)
    if isinstance(store, GitStateStore) and store.remote:
        return GitStateStore(settings.root, None)
    return store


def target_holdings(store: StateStore, target: Target, root: Path | None = None) -> TargetHoldings:
    """One target's holdings; `root` shortens a state file's path to one relative to it."""
    where = store.describe(target)
    if root is not None and where.startswith(f"{root}/"):
        where = where.removeprefix(f"{root}/")
    try:
        state = store.load(target)
    except StateError as exc:
        log.warning("cannot read the state of %s: %s", target.key, exc)
        return TargetHoldings(target.environment, target.site, where, error=str(exc))
    return _from_state(state, where)


def _from_state(state: TargetState, where: str) -> TargetHoldings:
    counts: dict[str, Counter[str]] = {}
    for entry in state.entries.values():
        counts.setdefault(entry.batch or NO_BATCH, Counter())[entry.status] += 1
    batches = [
        BatchHolding(batch, c["active"], c["draft"], sum(c.values()))
        for batch, c in sorted(counts.items(), key=lambda kv: (kv[0] == NO_BATCH, kv[0]))
    ]
    target = state.target
    return TargetHoldings(
        environment=target.environment,
        site=target.site,
        store=where,
        entries=len(state.entries),
        batches=batches,
        commit=state.commit,
        updated_at=state.updated_at,
        revision=state.revision,
        paused=state.pause is not None,
        held_batches=sorted(state.holds),
        smoke=_record("smoke", state.records.get("smoke")),
        eval=_record("eval", state.records.get("eval")),
    )


def _record(kind: str, raw: Any) -> RunRecord | None:
    if not isinstance(raw, dict):
        return None
    return RunRecord(
        kind=kind,
        passed=bool(raw.get("passed")),
        at=str(raw.get("at") or ""),
        commit=str(raw.get("commit") or ""),
        detail=_smoke_detail(raw) if kind == "smoke" else _eval_detail(raw),
    )


def _smoke_detail(raw: dict[str, Any]) -> str:
    steps = raw.get("steps")
    if not isinstance(steps, list):
        return ""
    passed = sum(1 for s in steps if isinstance(s, dict) and s.get("status") == "passed")
    return f"{passed} of {len(steps)} steps passed"


def _eval_detail(raw: dict[str, Any]) -> str:
    rate, total = raw.get("pass_rate"), raw.get("total")
    if not isinstance(rate, int | float) or not isinstance(total, int):
        return ""
    text = f"{rate:.0%} of {total} cases"
    minimum = raw.get("min_pass")
    if isinstance(minimum, int | float):
        text += f" (minimum {minimum:.0%})"
    failed = raw.get("failed")
    if isinstance(failed, list) and failed:
        text += "; failed: " + ", ".join(str(f) for f in failed)
    return text
