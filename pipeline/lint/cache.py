"""The lint result cache: one JSON file per rule set, entries keyed by file path and content.

An entry holds what linting one file produced: its findings from file and batch rules, the
extracts of corpus rules and its suppression directives. The cache file's name carries a
fingerprint of kbsync's version and every rule's options, so changing a rule or a setting
starts a new cache; old cache files are pruned.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.lint.findings import Finding
from pipeline.lint.rule import CorpusFinding
from pipeline.lint.suppress import Suppression

KEEP_CACHE_FILES = 4
CACHE_FORMAT = 2
"""Part of the cache file's name: a kbsync that stores results differently starts afresh."""
_CORPUS_PREFIX = "corpus:"


@dataclass
class FileResult:
    """What linting one file produced. `full` is False when only extracts were computed."""

    path: str
    full: bool
    findings: list[Finding] = field(default_factory=list)
    extracts: dict[str, Any] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "full": self.full,
            "findings": [f.to_cache() for f in self.findings],
            "extracts": self.extracts,
            "suppressions": [s.to_list() for s in self.suppressions],
        }

    @classmethod
    def from_json(cls, path: str, data: dict[str, Any], findings: bool = True) -> FileResult:
        """The stored result; without `findings` (a file that is not reported, only compared
        by corpus rules) its findings are not decoded."""
        return cls(
            path=path,
            full=bool(data["full"]),
            findings=[Finding.from_cache(f) for f in data["findings"]] if findings else [],
            extracts=dict(data["extracts"]),
            suppressions=[Suppression.from_list(s) for s in data["suppressions"]],
        )


class ResultCache:
    """Load once, look up by key, save once (atomically)."""

    def __init__(self, folder: Path, fingerprint: str, enabled: bool = True) -> None:
        self.folder = folder
        self.path = folder / f"lint-{fingerprint[:20]}-v{CACHE_FORMAT}.json"
        self.enabled = enabled
        self._entries: dict[str, dict[str, Any]] = {}
        self._dirty = False
        if enabled and self.path.is_file():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._entries = loaded
            except (OSError, ValueError):
                self._entries = {}  # a corrupt cache is only a slower run

    def get(self, key: str, path: str, need_full: bool) -> FileResult | None:
        if not self.enabled:
            return None
        data = self._entries.get(key)
        if data is None:
            return None
        try:
            result = FileResult.from_json(path, data, findings=need_full)
        except (KeyError, TypeError, ValueError, AssertionError):
            return None  # an entry of another shape: only a miss
        if need_full and not result.full:
            return None
        return result

    def put(self, key: str, result: FileResult) -> None:
        if self.enabled:
            self._entries[key] = result.to_json()
            self._dirty = True

    def get_corpus(self, digest: str) -> list[CorpusFinding] | None:
        """Corpus-rule findings for a corpus whose files hash to `digest`, if cached."""
        data = self._entries.get(_CORPUS_PREFIX + digest) if self.enabled else None
        if data is None:
            return None
        try:
            return [
                CorpusFinding(Finding.from_cache(f["finding"]), tuple(f["related"]))
                for f in data["corpus"]
            ]
        except (KeyError, TypeError, ValueError):
            return None

    def put_corpus(self, digest: str, found: list[CorpusFinding]) -> None:
        if not self.enabled:
            return
        for key in [k for k in self._entries if k.startswith(_CORPUS_PREFIX)]:
            del self._entries[key]  # only the latest corpus is worth keeping
        self._entries[_CORPUS_PREFIX + digest] = {
            "corpus": [{"finding": f.finding.to_cache(), "related": list(f.related)} for f in found]
        }
        self._dirty = True

    def save(self) -> None:
        if not (self.enabled and self._dirty):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".lint-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._entries, handle, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return
        self._prune()

    def _prune(self) -> None:
        files = sorted(
            self.folder.glob("lint-*.json"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in files[KEEP_CACHE_FILES:]:
            with contextlib.suppress(OSError):
                old.unlink()
