"""`[lint.pii]` checked and resolved: which entities, their thresholds, the allow list.

Resolving happens when the rules are built (in the main process, before any file is read), so a
misspelt entity or a broken allow-list regex is a configuration error naming the key, never a
traceback in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.config import PiiConfig
from pipeline.errors import ConfigError
from pipeline.lint.limits import LimitedPattern, allow_match, compile_limited
from pipeline.lint.pii.entities import DEFAULT_ENTITIES, ENTITIES


@dataclass(frozen=True)
class AllowList:
    """`allow`: exact values, and regexes written `/…/` (a match anywhere in the value)."""

    exact: frozenset[str] = frozenset()
    patterns: tuple[LimitedPattern, ...] = ()

    def allows(self, value: str) -> bool:
        value = value.strip()
        return value in self.exact or allow_match(self.patterns, [value])


@dataclass(frozen=True)
class PiiSettings:
    """What the pii rules run with."""

    model: str
    entities: frozenset[str]
    """Enabled entities (Presidio names)."""
    thresholds: dict[str, float]
    """Minimum score of every known entity."""
    allow: AllowList
    glossary: frozenset[str]
    """Product terms, lower case; multi-word terms keep their spaces."""
    source: tuple[str, ...]
    """The resolved values, for the cache fingerprint."""

    @property
    def pattern_entities(self) -> frozenset[str]:
        return frozenset(e for e in self.entities if ENTITIES[e].pattern)

    @property
    def ner_entities(self) -> frozenset[str]:
        return frozenset(e for e in self.entities if ENTITIES[e].ner)

    def min_threshold(self, entities: frozenset[str]) -> float:
        return min((self.thresholds[e] for e in entities), default=0.0)


def resolve(config: PiiConfig, where: Path) -> PiiSettings:
    """Check `config` and resolve defaults; raises ConfigError naming the bad key."""
    entities = set(_entities(config.entities, where, "entities")) or set(DEFAULT_ENTITIES)
    entities |= set(_entities(config.extra_entities, where, "extra_entities"))
    thresholds = {name: spec.threshold for name, spec in ENTITIES.items()}
    for key, value in config.thresholds.items():
        name = _entity(key, where, f"thresholds.{key}")
        if not 0.0 <= value <= 1.0:
            raise ConfigError(
                f"lint.pii.thresholds.{key} must be between 0 and 1, not {value}", path=where
            )
        thresholds[name] = value
    if not config.model.strip():
        raise ConfigError("lint.pii.model must name a spaCy model", path=where)
    allow = _allow_list(config.allow, where)
    glossary = frozenset(" ".join(t.lower().split()) for t in config.glossary if t.strip())
    source = (
        config.model,
        ",".join(sorted(entities)),
        repr(sorted(thresholds.items())),
        repr(sorted(config.allow)),
        repr(sorted(glossary)),
    )
    return PiiSettings(
        model=config.model.strip(),
        entities=frozenset(entities),
        thresholds=thresholds,
        allow=allow,
        glossary=glossary,
        source=source,
    )


def _entities(names: list[str], where: Path, key: str) -> list[str]:
    return [_entity(name, where, f"{key}[{i}]") for i, name in enumerate(names)]


def _entity(name: str, where: Path, key: str) -> str:
    normal = name.strip().upper()
    if normal.startswith("PII."):
        normal = normal[4:]
    if normal not in ENTITIES:
        known = ", ".join(sorted(ENTITIES))
        raise ConfigError(
            f"lint.pii.{key}: unknown entity {name!r}", path=where, hint=f"known entities: {known}"
        )
    return normal


def _allow_list(values: list[str], where: Path) -> AllowList:
    exact: set[str] = set()
    patterns: list[LimitedPattern] = []
    for i, value in enumerate(values):
        if len(value) >= 2 and value.startswith("/") and value.endswith("/"):
            try:
                patterns.append(compile_limited(value[1:-1]))
            except regex.error as exc:
                raise ConfigError(
                    f"lint.pii.allow[{i}]: {value!r} is not a valid regex: {exc}",
                    path=where,
                    hint="write a regex between slashes, e.g. '/@parcelly\\.com$/'",
                ) from None
        elif value.strip():
            exact.add(value.strip())
    return AllowList(frozenset(exact), tuple(patterns))
