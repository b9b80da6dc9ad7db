"""`lint.*`: what happened while the rules ran (not a property of the content itself)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.corpus import relative_path
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.rule import LintContext, ProblemRule, RuleWarning
from pipeline.lint.slow_patterns import SlowPattern, risk


class RuleTimeout(ProblemRule):
    """A rule's patterns ran out of time on a file.

    Every pattern that comes from you (Vale rules under `rules/`, facts, `allow` lists,
    `[lint.links] unchecked`) runs under a time limit: `[lint] pattern_timeout` seconds
    (default 2) per rule and file. A rule that runs out is reported once per file and lint goes
    on. A Vale rule or a fact that runs out did not check the file; an allow list that runs out
    allows nothing there, so its findings are reported; a link the `[lint.links] unchecked`
    patterns ran out on is left unchecked (not reported broken; `links.unchecked` counts it).
    The cause is almost always a pattern that backtracks exponentially (nested quantifiers such
    as `(a+)+`, or alternatives that overlap such as `(a|a)+`), which kbsync warns about when
    the rules load: rewrite it. Raise `pattern_timeout` only for a rule
    that is slow but sound on very large files.
    """

    id = "lint.rule-timeout"
    severity = Severity.WARNING

    def __init__(self, context: LintContext) -> None:
        super().__init__(context)
        self.seconds = context.settings.lint.pattern_timeout

    def options(self) -> Mapping[str, Any]:
        return {"pattern_timeout": self.seconds}

    def load_warnings(self) -> list[RuleWarning]:
        """Allow-list regexes and `[lint.links] unchecked` patterns in kbsync.toml that can
        take exponential time (the Vale rules and facts warn about their own patterns)."""
        settings = self.context.settings
        where = relative_path(settings.source, settings.root) if settings.source else "kbsync.toml"
        lists = (
            ("lint.secrets.allow", settings.lint.secrets.allow),
            ("lint.pii.allow", settings.lint.pii.allow),
        )
        warnings = []
        for key, entries in lists:
            for index, entry in enumerate(entries):
                if len(entry) < 2 or not entry.startswith("/") or not entry.endswith("/"):
                    continue
                if (reason := risk(entry[1:-1])) is not None:
                    slow = SlowPattern(None, entry[1:-1], reason)
                    warnings.append(
                        RuleWarning(where, None, self.rule_id, f"{key}[{index}]: {slow.message()}")
                    )
        for index, pattern in enumerate(settings.lint.links.unchecked):
            if (reason := risk(pattern)) is not None:
                slow = SlowPattern(None, pattern, reason)
                key = f"lint.links.unchecked[{index}]"
                warnings.append(RuleWarning(where, None, self.rule_id, f"{key}: {slow.message()}"))
        return warnings

    def finding(self, path: str, rule_id: str, *, checked: bool) -> Finding:
        """The warning for `rule_id` running out on `path`; `checked` when its findings stand
        (an allow list ran out, so nothing was allowed) rather than being dropped."""
        effect = (
            "so its allow list allowed nothing here (values it may allow are reported)"
            if checked
            else "and did not check this file"
        )
        return self.on_line(
            path,
            1,
            0,
            f"rule {rule_id} ran out of its {self.seconds:g} s time limit {effect}: one of its "
            "patterns is too slow (see the warning when rules load); simplify the pattern, or "
            "raise [lint] pattern_timeout",
        )
