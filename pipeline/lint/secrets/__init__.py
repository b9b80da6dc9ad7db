"""Finding credentials in content: the scanner behind the `secrets.*` rules.

:mod:`~pipeline.lint.secrets.formats` knows provider formats (mostly detect-secrets' own
expressions), :mod:`~pipeline.lint.secrets.contextual` values known by what precedes them,
:mod:`~pipeline.lint.secrets.private_keys` key blocks, and
:mod:`~pipeline.lint.secrets.placeholders` what is only a stand-in. :mod:`.scanner` runs them
all once per file.
"""

from __future__ import annotations

from pipeline.lint.secrets.allow import AllowList
from pipeline.lint.secrets.detection import Detection, Family
from pipeline.lint.secrets.scanner import SecretScanner, scan_text, shared_scanner

__all__ = ["AllowList", "Detection", "Family", "SecretScanner", "scan_text", "shared_scanner"]
