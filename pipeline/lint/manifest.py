"""What the last run saw, so that the next one can skip work it would only repeat.

Without it a warm `kbsync lint` (every file's results in the cache) still pays for two things:
reading and hashing every content file to find its cache entry, and building every rule
(compiling the Vale styles' patterns) only to learn the cache's fingerprint. The manifest
remembers

- per file: `(size, mtime_ns)` → its content key, so an unchanged file is not read;
- per *inputs key* (kbsync's version and lint code, the settings, `--select`/`--ignore`, and
  the bytes of every file under `rules/` and of `rollout.yaml`): the rule fingerprint, the
  rules that were skipped and what the run's rules are (for SARIF's rule table), so no rule is
  built while every answer is in the cache.

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

from pipeline.corpus.loader import MAX_FILE_BYTES
from pipeline.lint.keys import file_key

MANIFEST_FILE = "manifest.json"
FORMAT = 1
RACY_NS = 2_000_000_000
KEEP_RULE_SETS = 4


@dataclass(frozen=True)
class RuleSetMemo:
    """What building the rules for one inputs key produced, minus the rules themselves."""

    fingerprint: str
    skipped: tuple[tuple[str, str, str], ...]  # (path, rule id, reason)
    known: tuple[tuple[str, str], ...]  # (rule id, family) of every rule, selected or not
    warnings: tuple[tuple[str, int, str, str], ...] = ()  # (path, line or 0, rule id, message)
    described: tuple[tuple[str, str, str, str, str], ...] = ()
    """The run's rules as (id, family, severity, summary, documentation): SARIF's rule table."""


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
            known = tuple((str(r), str(c)) for r, c in entry["known"])
            warnings = tuple(
                (str(p), int(n), str(r), str(m)) for p, n, r, m in entry.get("warnings", ())
            )
            described = tuple(
                (str(r), str(c), str(v), str(s), str(d)) for r, c, v, s, d in entry["described"]
            )
            return RuleSetMemo(str(entry["fingerprint"]), skipped, known, warnings, described)
        except (KeyError, TypeError, ValueError):
            return None

    def remember_rule_set(self, inputs: str, memo: RuleSetMemo) -> None:
        if not self.enabled or self.rule_set(inputs) == memo:
            return
        self._rule_sets.pop(inputs, None)
        self._rule_sets[inputs] = {
            "fingerprint": memo.fingerprint,
            "skipped": [list(s) for s in memo.skipped],
            "known": [list(k) for k in memo.known],
            "warnings": [list(w) for w in memo.warnings],
            "described": [list(d) for d in memo.described],
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


def regular_file(path: Path) -> os.stat_result | None:
    """The file's own stat when it is a regular file kbsync may read, else None."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        return None
    return info


def read_bytes(path: Path) -> bytes | None:
    """Raw bytes for hashing, or None when the file cannot be read (a problem, then)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


class ContentFiles:
    """The content files' keys and bytes. A file is read at most once, and not at all while
    the manifest's record of its size and mtime holds, unless its bytes are asked for (to lint
    it, or for a finding's line text in the baseline)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self._paths: dict[str, Path] = {}
        self._data: dict[str, bytes] = {}

    def key(self, rel: str, path: Path) -> str | None:
        """The file's content key, or None when it is not a regular file kbsync can read."""
        info = regular_file(path)
        if info is None:
            return None
        key = self.manifest.known_key(rel, info)
        if key is None:
            data = read_bytes(path)
            if data is None:
                return None
            self._data[rel] = data
            key = file_key(rel, data)
        self._paths[rel] = path
        self.manifest.saw(rel, info, key)
        return key

    def data(self, rel: str) -> bytes:
        if rel not in self._data:
            try:
                self._data[rel] = self._paths[rel].read_bytes()
            except (KeyError, OSError):
                return b""
        return self._data[rel]
