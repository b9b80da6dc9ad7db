"""What a lint rule reports: a :class:`Finding`, with where, how bad, what, and a fix if any."""

from __future__ import annotations

import enum
import operator
from dataclasses import dataclass
from typing import Any


class Severity(enum.StrEnum):
    """Vale's levels. Only `error` fails a run (exit 1)."""

    ERROR = "error"
    WARNING = "warning"
    SUGGESTION = "suggestion"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "suggestion": 2}[self.value]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown level {value!r} (use error, warning or suggestion)"
            ) from None


@dataclass(frozen=True)
class Fix:
    """Replace characters `start`..`end` of the file with `replacement`."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Finding:
    """One problem at one place. Lines and columns are 1-based; `end_column` is exclusive."""

    rule: str
    category: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (version 1), field by field (`dataclasses.asdict` recursion
        cost more than the rest of a warm run); `--format json` writes the same shape itself."""
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "fix": None if self.fix is None else {"replacement": self.fix.replacement},
        }

    def to_cache(self) -> list[Any]:
        """A compact, positional form for the result cache (read back on every warm run)."""
        fix = None if self.fix is None else [self.fix.start, self.fix.end, self.fix.replacement]
        return [
            self.rule,
            self.category,
            self.severity.value,
            self.path,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            self.message,
            fix,
        ]

    @classmethod
    def from_cache(cls, data: list[Any]) -> Finding:
        rule, category, severity, path, line, column, end_line, end_column, message, fix = data
        return cls(
            rule,
            category,
            _SEVERITIES[severity],
            path,
            line,
            column,
            end_line,
            end_column,
            message,
            Fix(*fix) if fix else None,
        )


_SEVERITIES = {severity.value: severity for severity in Severity}


BY_PLACE = operator.attrgetter("path", "line", "column", "rule")
"""`Finding.sort_key` in C, the one place-order key: sorting ten thousand findings is part of
every warm run. `LintReport.findings` come sorted by it (the engine sorts them)."""
