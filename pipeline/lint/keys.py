"""What a cached lint result depends on, as digests.

- :func:`file_key`: one file's path and bytes (the cache's entry key);
- :func:`fingerprint`: kbsync's lint code and every rule's id, severity and options (the cache
  file's name: change a rule or a setting and a new cache starts);
- :func:`inputs_key`: everything besides the content that decides which rules are built — the
  key under which the manifest remembers the fingerprint without building the rules.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.config import Settings
from pipeline.lint.rule import Rule


def file_key(path: str, data: bytes) -> str:
    digest = hashlib.sha256(path.encode("utf-8") + b"\0")
    digest.update(data)
    return digest.hexdigest()


@functools.cache
def code_stamp() -> str:
    """kbsync's lint code: its version and the bytes of every module linting runs (the shared
    model, `corpus/` and `lint/`).

    In a source checkout, editing a rule's code (which its options do not show) must start a
    new cache; bytes rather than mtimes, so that a CI runner that installs the same kbsync
    afresh can use a restored cache.
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for path in stamped_modules(package):
        digest.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()


def stamped_modules(package: Path) -> list[Path]:
    """The files :func:`code_stamp` reads: the package's own modules (the shared model:
    config, rollout, yamlfile, …), `corpus/` and `lint/` (rules, the Vale engine, conflicts)."""
    return sorted(
        [*package.glob("*.py"), *package.glob("corpus/**/*.py"), *package.glob("lint/**/*.py")]
    )


def fingerprint(settings: Settings, rules: Sequence[Rule]) -> str:
    digest = hashlib.sha256(f"kbsync {code_stamp()}\0{settings.content_dir}\0".encode())
    for rule_fingerprint in sorted(rule.fingerprint() for rule in rules):
        digest.update(rule_fingerprint.encode("utf-8") + b"\0")
    return digest.hexdigest()


def inputs_key(settings: Settings, select: Sequence[str], ignore: Sequence[str]) -> str:
    """kbsync's lint code, the settings, the selection, and the bytes of `rollout.yaml`, the
    facts file and every file under `rules/`."""
    digest = hashlib.sha256(f"kbsync {code_stamp()}\0{settings!r}\0".encode())
    digest.update(repr((sorted(select), sorted(ignore))).encode())
    sources = [
        settings.content_root / "rollout.yaml",
        settings.rules_root / settings.lint.conflicts.facts_file,
    ]
    if settings.rules_root.is_dir():
        for folder, dirs, names in os.walk(settings.rules_root):
            # Hidden folders (.git, kbsync's own state when rules_dir is ".") hold no rules.
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            sources.extend(Path(folder, name) for name in sorted(names))
    for source in sources:
        digest.update(b"\0" + str(source).encode() + b"\0")
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()
