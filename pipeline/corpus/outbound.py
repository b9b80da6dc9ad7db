"""The exact text that leaves the machine for one item, and what a check of it found.

Shared vocabulary between the part that builds payloads (`sync`) and the part that checks text
for secrets and personal data (`lint`): neither imports the other, so both speak in these plain
types and the CLI composes them (`kbsync plan` and `kbsync sync` pass
:class:`pipeline.lint.outbound.OutboundChecker` to the sync service).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutboundText:
    """Every field of one payload as one text, with where each of its lines came from.

    `origins[i]` is the (first, last) 1-based line of the source file that line `i` of `text`
    was rendered from: a paragraph joined from several lines spans several.
    """

    path: str
    text: str
    origins: tuple[tuple[int, int], ...]

    def origin(self, line_index: int) -> tuple[int, int]:
        """The source lines of 0-based `line_index` of `text` (line 1 when unknown)."""
        if 0 <= line_index < len(self.origins):
            return self.origins[line_index]
        return (1, 1)


@dataclass(frozen=True)
class OutboundFinding:
    """A secret or personal datum in an outbound text, placed on its source line, masked."""

    rule: str
    path: str
    line: int
    message: str

    def to_json(self) -> dict[str, str | int]:
        return {"rule": self.rule, "path": self.path, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"
