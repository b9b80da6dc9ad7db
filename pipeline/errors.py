"""kbsync's exception tree.

Every error a user can cause derives from :class:`KbsyncError`. Parts below the CLI raise these;
only the CLI turns them into a message and an exit status (``exit_code``), so no traceback ever
reaches a user for bad input.

    KbsyncError                 exit 1 unless a subclass says otherwise
    ├── UsageError              exit 2: a command line that cannot work (bad option values)
    ├── ConfigError             exit 2: kbsync.toml, rules/, rollout.yaml or facts are wrong
    │   └── MissingModelError   exit 2: the configured spaCy model is not installed
    ├── ContentError            exit 1: content that cannot be used (reported with path and line)
    └── (api.errors.ApiError)   exit 1: the Uppzy API said no or could not be reached
"""

from __future__ import annotations

from pathlib import Path


class KbsyncError(Exception):
    """Base of every error kbsync reports to its user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(KbsyncError):
    """A command line that cannot work: contradictory or invalid option values."""

    exit_code = 2


class ConfigError(KbsyncError):
    """Configuration is invalid: says which file, where, what is wrong and what to do."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f":{line}"
            where += ": "
        super().__init__(where + message, hint=hint)
        self.path = None if path is None else str(path)
        self.line = line


class MissingModelError(ConfigError):
    """The spaCy model named in the configuration is not installed."""


class ContentError(KbsyncError):
    """Content that cannot be used as it is (for example, a plan over content with lint errors)."""
