"""Each rule runs on each file under `[lint] pattern_timeout` (see :mod:`pipeline.lint.limits`).

A rule whose user patterns run out on a file gets one `lint.rule-timeout` finding there; the
finding is stored with the file's results like any other, so a warm run (answered from the
cache) reports it too, until the file, the rule or the setting changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from pipeline.config import Settings
from pipeline.corpus import Item
from pipeline.lint import limits
from pipeline.lint.findings import Finding
from pipeline.lint.rule import BatchRule, FileRule, Rule
from pipeline.lint.rules.runtime import RuleTimeout

ValueT = TypeVar("ValueT")


class TimeLimit:
    """The time budget of one lint run, and the `lint.rule-timeout` rule that reports it."""

    def __init__(self, settings: Settings, rules: Sequence[Rule]) -> None:
        self.seconds = settings.lint.pattern_timeout
        self.reporter = next((r for r in rules if isinstance(r, RuleTimeout)), None)

    def run(
        self, work: Callable[[Item], ValueT], item: Item, fallback: ValueT
    ) -> tuple[ValueT, bool]:
        """`work(item)` within the budget, or `fallback` when it ran out; and whether any
        pattern ran out (an allow list may have run out and carried on)."""
        with limits.budget(self.seconds) as state:
            try:
                return work(item), state.timed_out
            except TimeoutError:
                if not state.timed_out:
                    raise  # not a pattern's: nothing of ours to report
                return fallback, True

    def finding(self, path: str, rule: Rule, outcome: object) -> list[Finding]:
        """The warning that `rule` ran out on `path` (none when `lint.rule-timeout` is not
        selected); `outcome` is None when the rule's work was dropped."""
        if self.reporter is None:
            return []
        return [self.reporter.finding(path, rule.rule_id, checked=outcome is not None)]

    def check(self, rule: FileRule, item: Item) -> list[Finding]:
        findings, timed_out = self.run(lambda it: list(rule.check(it)), item, None)
        if not timed_out:
            return findings or []
        return [*(findings or []), *self.finding(item.path, rule, findings)]

    def check_many(self, rule: BatchRule, items: Sequence[Item]) -> list[Finding]:
        """The batch in one call; when a pattern runs out, file by file, to know where."""
        with limits.budget(self.seconds * len(items)) as state:
            try:
                findings = list(rule.check_many(items))
                if not state.timed_out:
                    return findings
            except TimeoutError:
                if not state.timed_out:
                    raise
        out: list[Finding] = []
        for item in items:
            found, timed_out = self.run(lambda it: list(rule.check_many([it])), item, None)
            out.extend(found or [])
            if timed_out:
                out.extend(self.finding(item.path, rule, found))
        return out
