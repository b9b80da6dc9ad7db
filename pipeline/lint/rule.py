"""The shape of a lint rule.

A rule is a class with an `id` (`family.name`), a default `severity` and a docstring that is its
user documentation (`kbsync rules` prints it). It is built once per run from the
:class:`LintContext` (its options come from `[lint]` in kbsync.toml) and comes in one of three
kinds, by what it needs to see:

- :class:`FileRule` — one file at a time: `check(item)` yields findings. Results are cached per
  file content, so an unchanged file is never checked again.
- :class:`BatchRule` — many files in one call (`check_many(items)`), for rules that pay a fixed
  cost per call (a spaCy pipeline). Cached per file like file rules.
- :class:`CorpusRule` — the whole corpus: `extract(item)` returns a small JSON-able summary of one
  file (cached per file content), and `check_corpus(extracts)` compares the summaries of every
  file. Findings name the other files involved in `related`, so `--changed-since` can keep a
  finding whose other end changed.

Rules built from data (Vale styles under `rules/`) are instances of a data-driven class with their
own `id` and documentation; see :mod:`pipeline.lint.rules.wording`.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pipeline.config import Settings
from pipeline.corpus import Item
from pipeline.lint.findings import Finding, Fix, Severity
from pipeline.rollout import Rollout


@dataclass(frozen=True)
class LintContext:
    """What every rule may read: the settings, today's date and the rollout batches."""

    settings: Settings
    today: dt.date = field(default_factory=dt.date.today)
    rollout: Rollout = field(default_factory=Rollout)


class Rule:
    """Base of every rule. Subclasses set `id`, `severity` and a docstring."""

    id: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.ERROR

    def __init__(self, context: LintContext) -> None:
        self.context = context

    @property
    def rule_id(self) -> str:
        """The id findings carry (data-driven rules override it per instance)."""
        return self.id

    @property
    def category(self) -> str:
        return self.rule_id.split(".", 1)[0]

    @property
    def default_severity(self) -> Severity:
        return self.severity

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.documentation.strip().splitlines()[0] if self.documentation.strip() else ""

    @property
    def documentation(self) -> str:
        return inspect.cleandoc(type(self).__doc__ or "")

    def options(self) -> Mapping[str, Any]:
        """The settings this rule reads (shown by `kbsync rules`)."""
        return {}

    def load_warnings(self) -> list[RuleWarning]:
        """What is risky in this rule's definition (a pattern that can take exponential time);
        shown when the rule loads, the rule still runs."""
        return []

    def fingerprint(self) -> str:
        """Everything that changes this rule's output besides the file (for the cache key)."""
        return f"{self.rule_id}:{self.default_severity.value}:{sorted(self.options().items())!r}"

    def at(
        self,
        item: Item,
        start: int,
        end: int,
        message: str,
        *,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding covering offsets `start`..`end` of `item`'s file."""
        first = item.position(start)
        last = item.position(max(start, end))
        return Finding(
            rule=self.rule_id,
            category=self.category,
            severity=severity or self.default_severity,
            path=item.path,
            line=first.line,
            column=first.column,
            end_line=last.line,
            end_column=last.column,
            message=message,
            fix=fix,
        )

    def at_key(
        self, item: Item, key: str, message: str, *, severity: Severity | None = None
    ) -> Finding:
        """A finding on the line of frontmatter `key` (the whole line's text)."""
        line = item.key_line(key)
        length = len(item.source.line_text(line))
        return self.on_line(item.path, line, length, message, severity=severity)

    def on_line(
        self, path: str, line: int, length: int, message: str, *, severity: Severity | None = None
    ) -> Finding:
        """A finding covering the whole of `line` (`length` characters) of `path`."""
        return Finding(
            rule=self.rule_id,
            category=self.category,
            severity=severity or self.default_severity,
            path=path,
            line=line,
            column=1,
            end_line=line,
            end_column=length + 1,
            message=message,
        )


class DescribedRule(Protocol):
    """What a report says about a rule (SARIF's rule table): a :class:`Rule` or its
    :class:`RuleInfo`."""

    @property
    def rule_id(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def default_severity(self) -> Severity: ...

    @property
    def summary(self) -> str: ...

    @property
    def documentation(self) -> str: ...


@dataclass(frozen=True)
class RuleInfo:
    """A rule's description without the rule: the manifest keeps these for the run's rules, so a
    run answered from the cache can write SARIF's rule table without building (compiling) any
    rule."""

    rule_id: str
    category: str
    default_severity: Severity
    summary: str
    documentation: str

    @classmethod
    def of(cls, rule: DescribedRule) -> RuleInfo:
        return cls(
            rule.rule_id, rule.category, rule.default_severity, rule.summary, rule.documentation
        )


class FileRule(Rule):
    """A rule that sees one file at a time."""

    def check(self, item: Item) -> Iterator[Finding]:
        raise NotImplementedError


class BatchRule(Rule):
    """A rule that checks many files per call (for a fixed per-call cost such as spaCy)."""

    def check_many(self, items: Sequence[Item]) -> Iterator[Finding]:
        raise NotImplementedError

    def needs_check(self, item: Item) -> bool:
        """False when `item` certainly has nothing for this rule (skip loading heavy models)."""
        return True


@dataclass(frozen=True)
class CorpusFinding:
    """A finding of a corpus rule, with the other files it involves."""

    finding: Finding
    related: tuple[str, ...] = ()


class CorpusRule(Rule):
    """A rule that compares files: extract per file (cached), then check all extracts."""

    def extract(self, item: Item) -> Any:
        """A small JSON-able summary of what this rule needs from `item`."""
        raise NotImplementedError

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        """`extracts` maps every content file's path to its extract."""
        raise NotImplementedError


class DatedRule(Rule):
    """A rule whose answer depends on today's date as well as on the file.

    What it needs from a file is extracted once and cached with the file's results, like a
    corpus rule's extract; `check_dated` runs on every run. So the date stays out of the
    rule's options and the cache key, and a cache built yesterday still answers today.
    """

    def extract(self, item: Item) -> Any:
        """A small JSON-able summary of what this rule needs from `item` (None: nothing)."""
        raise NotImplementedError

    def check_dated(self, path: str, extract: Any) -> Iterator[Finding]:
        """Findings for the file at `path` as of `self.context.today`."""
        raise NotImplementedError


class ProblemRule(Rule):
    """A rule whose findings come from the loader (unreadable files, bad YAML).

    It checks nothing itself; it exists so the problem has an id, a severity and documentation
    and can be selected or ignored like any rule.
    """


@dataclass(frozen=True)
class RuleWarning:
    """A problem found in a rule's definition that does not stop it from running."""

    path: str
    line: int | None
    rule_id: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.rule_id}: {self.message}"


@dataclass(frozen=True)
class SkippedRule:
    """A rule from a data file that kbsync cannot run (e.g. a Vale kind it does not support)."""

    path: str
    rule_id: str
    reason: str
