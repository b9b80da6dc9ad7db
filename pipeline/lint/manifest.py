"""What the last run saw, so that the next one can skip work it would only repeat.

Without it a warm `kbsync lint` (every file's results in the cache) still pays for two things:
reading and hashing every content file to find its cache entry, and building every rule
(compiling the Vale styles' patterns) only to learn the cache's fingerprint. The manifest
remembers

- per file: `(size, mtime_ns)` → its content key, so an unchanged file is not read;
- per *inputs key* (kbsync's version and lint code, the settings, `--select`/`--ignore`, and
  the bytes of every file under `rules/` and of `rollout.yaml`): the rule fingerprint and the
  rules that were skipped, so no rule is built while every answer is in the cache.

A file's stat is trusted only when its mtime is older than the manifest by more than the
coarsest file-system timestamp (2 s); a file written in the same tick as the manifest is read
and hashed again ("racy" entries, as git calls them). `--no-cache` ignores the manifest.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"
FORMAT = 1
RACY_NS = 2_000_000_000
KEEP_RULE_SETS = 4


@dataclass(frozen=True)
class RuleSetMemo:
    """What building the rules for one inputs key produced, minus the rules themselves."""

    fingerprint: str
    skipped: tuple[tuple[str, str, str], ...]  # (path, rule id, reason)


class Manifest:
    """Load once, consult and update during the run, save once (atomically)."""

    def __init__(self, folder: Path, enabled: bool = True) -> None:
        self.path = folder / MANIFEST_FILE
        self.enabled = enabled
        self._written_ns = 0
        self._files: dict[str, list[Any]] = {}
        self._rule_sets: dict[str, dict[str, Any]] = {}
        self._seen: dict[str, list[Any]] = {}
        self._dirty = False
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no manifest, or a corrupt one: only a slower run
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return
        files, rule_sets, written = data.get("files"), data.get("rule_sets"), data.get("written")
        if isinstance(files, dict) and isinstance(rule_sets, dict) and isinstance(written, int):
            self._files, self._rule_sets, self._written_ns = files, rule_sets, written

    # --- rules ------------------------------------------------------------------------------

    def rule_set(self, inputs: str) -> RuleSetMemo | None:
        entry = self._rule_sets.get(inputs) if self.enabled else None
        if entry is None:
            return None
        try:
            skipped = tuple((str(p), str(r), str(w)) for p, r, w in entry["skipped"])
            return RuleSetMemo(str(entry["fingerprint"]), skipped)
        except (KeyError, TypeError, ValueError):
            return None

    def remember_rule_set(self, inputs: str, memo: RuleSetMemo) -> None:
        if not self.enabled or self.rule_set(inputs) == memo:
            return
        self._rule_sets.pop(inputs, None)
        self._rule_sets[inputs] = {
            "fingerprint": memo.fingerprint,
            "skipped": [list(s) for s in memo.skipped],
        }
        while len(self._rule_sets) > KEEP_RULE_SETS:
            del self._rule_sets[next(iter(self._rule_sets))]  # the oldest goes first
        self._dirty = True

    # --- files ------------------------------------------------------------------------------

    def known_key(self, rel: str, info: os.stat_result) -> str | None:
        """The content key recorded for `rel` if its stat says it has not changed since."""
        if not self.enabled:
            return None
        entry = self._files.get(rel)
        if not (isinstance(entry, list) and len(entry) == 3):
            return None
        size, mtime_ns, key = entry
        if size != info.st_size or mtime_ns != info.st_mtime_ns:
            return None
        if info.st_mtime_ns >= self._written_ns - RACY_NS:
            return None
        return key if isinstance(key, str) else None

    def saw(self, rel: str, info: os.stat_result, key: str) -> None:
        """Record what `rel` holds in this run (the manifest keeps exactly this run's files)."""
        if self.enabled and stat.S_ISREG(info.st_mode):
            self._seen[rel] = [info.st_size, info.st_mtime_ns, key]

    def save(self) -> None:
        if not self.enabled:
            return
        racy = any(m >= self._written_ns - RACY_NS for _, m, _ in self._seen.values())
        if not (self._dirty or racy or self._seen != self._files):
            return
        folder = self.path.parent
        data = {
            "format": FORMAT,
            "written": time.time_ns(),
            "files": self._seen,
            "rule_sets": self._rule_sets,
        }
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".manifest-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, separators=(",", ":"))
                os.replace(tmp, self.path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
