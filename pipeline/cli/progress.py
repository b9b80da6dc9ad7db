"""Progress of a sync: a bar on a terminal, a plain line per 10% in CI logs."""

from __future__ import annotations

import sys
import threading
from typing import Any

import click

from pipeline.sync.apply import ProgressCallback
from pipeline.sync.plan import Plan


class SyncProgress:
    """Made per target once the plan (and so the number of writes) is known."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._lock = threading.Lock()
        self._bar: Any = None
        self._done = 0
        self._total = 0
        self._next = 0

    def start(self, plan: Plan) -> ProgressCallback:
        self._total = plan.expected_progress
        self._next = max(1, self._total // 10)
        if self._total and sys.stderr.isatty():
            self._bar = click.progressbar(length=self._total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        return self.update

    def update(self, _event: str, count: int) -> None:
        with self._lock:
            self._done += count
            if self._bar is not None:
                self._bar.update(count)
            elif self._total and self._done >= self._next:
                shown = min(self._done, self._total)
                click.echo(f"{self.label}: {shown}/{self._total} writes", err=True)
                self._next = self._done + max(1, self._total // 10)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
