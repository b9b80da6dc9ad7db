"""What a reporter may need beyond the findings: colour, changed lines, the text of a line.

The CI formats read more than the report: GitHub orders annotations by the lines a change
touched, GitLab's fingerprint and reviewdog's byte columns read the finding's lines. The CLI
builds one :class:`ReportContext` per run; a reporter that needs nothing ignores it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.lint.findings import Finding

ChangedLines = Mapping[str, frozenset[int] | None]
"""Path → line numbers a change added or modified; None: the whole file is new."""


def _no_lines(path: str) -> Sequence[str]:
    return ()


@dataclass(frozen=True)
class ReportContext:
    color: bool = False
    changed_lines: ChangedLines | None = None
    """Set with `--changed-since`; None: nothing is known about the change."""
    file_lines: Callable[[str], Sequence[str]] = field(default=_no_lines)
    """The lines of a content file by its path (empty when unknown)."""

    def line(self, path: str, number: int) -> str | None:
        """Line `number` (1-based) of `path`, or None when unknown."""
        lines = self.file_lines(path)
        return lines[number - 1] if 0 < number <= len(lines) else None

    def line_text(self, finding: Finding) -> str:
        """The text of the finding's first line ("" when unknown)."""
        return self.line(finding.path, finding.line) or ""

    def on_changed_line(self, finding: Finding) -> bool:
        if self.changed_lines is None or finding.path not in self.changed_lines:
            return False
        lines = self.changed_lines[finding.path]
        if lines is None:
            return True
        return any(n in lines for n in range(finding.line, finding.end_line + 1))
