"""Rollout batches (`content/rollout.yaml`): which content is approved for which environment.

    batches:
      - id: core
        description: The first content we ship.
        include: ["docs/getting-started/**", "qa/account/**"]   # globs relative to content/
        environments: [local, staging, production]
        requires_eval: false

An item belongs to the batch named by its `batch` field, else to the first batch whose `include`
globs match its path. It is synced to an environment only when it is `approved` and its batch
lists that environment; taking the environment off a batch removes the batch's content there on
the next sync (that is the rollback).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError
from pipeline.ids import SAFE_ID_RULE, is_safe_id, shown
from pipeline.yamlfile import YamlSyntaxError, YamlText, parse_yaml, read_yaml_file

ROLLOUT_FILE = "rollout.yaml"
_BATCH_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_BATCH_KEYS = {"id", "description", "include", "environments", "requires_eval"}


@dataclass(frozen=True)
class Batch:
    id: str
    include: tuple[str, ...]
    environments: tuple[str, ...]
    description: str = ""
    requires_eval: bool = False
    line: int = 0

    def matches(self, content_path: str) -> bool:
        return any(glob_regex(glob).match(content_path) for glob in self.include)


@dataclass(frozen=True)
class Rollout:
    """The ordered batches; empty when the repository has no rollout.yaml."""

    batches: tuple[Batch, ...] = ()
    source: Path | None = None
    by_id: dict[str, Batch] = field(default_factory=dict, compare=False)

    def batch_for(self, content_path: str, batch_field: str | None = None) -> Batch | None:
        """The batch of an item at `content_path` (relative to content/)."""
        if batch_field:
            return self.by_id.get(batch_field)
        for batch in self.batches:
            if batch.matches(content_path):
                return batch
        return None

    def approved_for(self, environment: str, content_path: str, batch_field: str | None) -> bool:
        batch = self.batch_for(content_path, batch_field)
        return batch is not None and environment in batch.environments


@functools.lru_cache(maxsize=512)
def glob_regex(glob: str) -> re.Pattern[str]:
    """A path glob where `**` spans folders, `*` and `?` do not cross `/`."""
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("^" + "".join(out) + "$")


def load_rollout(content_root: Path, *, required: bool = False) -> Rollout:
    """Parse `content/rollout.yaml` (read once); a missing file means no batches (nothing is
    synced), or, when `required` (lint, plan and sync), a :class:`ConfigError`: without it every
    item is unapproved everywhere, and a plan would delete the whole site."""
    path = content_root / ROLLOUT_FILE
    if not path.is_file():
        if required:
            raise ConfigError(
                "no rollout file: without it no content is approved for any environment, "
                "and a sync would remove every document it manages",
                path=path,
                hint=f"create {ROLLOUT_FILE} listing your batches (`kbsync init` writes a "
                "starter), or set content_dir in kbsync.toml if the content lives elsewhere",
            )
        return Rollout()
    parsed = read_yaml_file(path)
    return rollout_from_data(parsed.data, path, parsed.node)


def rollout_from_data(data: Any, path: Path, node: Any = None) -> Rollout:
    if data is None:
        return Rollout(source=path)
    if not isinstance(data, dict) or not isinstance(data.get("batches"), list):
        raise ConfigError("expected a mapping with a list 'batches:'", path=path, line=1)
    lines = _item_lines(node)
    batches: list[Batch] = []
    for index, raw in enumerate(data["batches"]):
        line = lines[index] if index < len(lines) else None
        if not isinstance(raw, dict):
            raise ConfigError(f"batch #{index + 1} must be a mapping", path=path, line=line)
        unknown = set(raw) - _BATCH_KEYS
        if unknown:
            raise ConfigError(
                f"batch #{index + 1}: unknown key {sorted(unknown)[0]!r} "
                f"(known: {', '.join(sorted(_BATCH_KEYS))})",
                path=path,
                line=line,
            )
        batch_id = raw.get("id")
        if (
            not isinstance(batch_id, str)
            or not _BATCH_ID.fullmatch(batch_id)
            or not is_safe_id(batch_id)
        ):
            raise ConfigError(
                f"batch #{index + 1}: 'id' must match {_BATCH_ID.pattern}, without '..' "
                "and not ending in '.' or '.lock'",
                path=path,
                line=line,
            )
        include = raw.get("include", [])
        environments = raw.get("environments", [])
        if not _is_str_list(include) or not include:
            raise ConfigError(
                f"batch {batch_id!r}: 'include' must be a non-empty list of globs",
                path=path,
                line=line,
            )
        if not _is_str_list(environments):
            raise ConfigError(
                f"batch {batch_id!r}: 'environments' must be a list of environment names",
                path=path,
                line=line,
            )
        for name in environments:
            if not is_safe_id(name):
                raise ConfigError(
                    f"batch {batch_id!r}: environment {shown(name)} is not a safe "
                    f"identifier ({SAFE_ID_RULE} characters)",
                    path=path,
                    line=line,
                )
        requires_eval = raw.get("requires_eval", False)
        if not isinstance(requires_eval, bool):
            raise ConfigError(
                f"batch {batch_id!r}: 'requires_eval' must be true or false", path=path, line=line
            )
        if any(b.id == batch_id for b in batches):
            raise ConfigError(f"batch {batch_id!r} is defined twice", path=path, line=line)
        batches.append(
            Batch(
                id=batch_id,
                include=tuple(include),
                environments=tuple(environments),
                description=str(raw.get("description", "") or ""),
                requires_eval=requires_eval,
                line=line or 0,
            )
        )
    return Rollout(batches=tuple(batches), source=path, by_id={b.id: b for b in batches})


def check_environments(rollout: Rollout, defined: Iterable[str], config: Path | None) -> None:
    """Every environment a batch names is one `kbsync.toml` defines (`local` always is): a
    misspelt name would otherwise approve the batch nowhere, silently."""
    known = set(defined)
    for batch in rollout.batches:
        for name in batch.environments:
            if name not in known:
                where = config.name if config is not None else "kbsync.toml"
                raise ConfigError(
                    f"batch {batch.id!r} names environment {name!r}, which {where} does not "
                    f"define (defined: {', '.join(sorted(known))})",
                    path=rollout.source,
                    line=batch.line or None,
                    hint=_case_hint(name, known)
                    or f"fix the name, or add an [environments.{name}] table to {where}",
                )


def _case_hint(name: str, known: Iterable[str]) -> str | None:
    """`Production` for `production`: names are compared exactly, so say which one was meant."""
    same = [k for k in sorted(known) if k.casefold() == name.casefold()]
    if not same:
        return None
    return f"environment names are case-sensitive: write {same[0]!r}"


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _item_lines(node: Any) -> list[int]:
    """The line of each entry of `batches:` (1-based), for error messages."""
    return YamlText(None, node).item_lines("batches")


_STARTER = "# Rollout batches: which content is approved for which environment.\nbatches:\n"


def add_batch(content_root: Path, batch: Batch, comment: str = "") -> str:
    """Append `batch` to `content/rollout.yaml` (created when missing); returns the file's text.

    The file is edited as text, not re-dumped: PyYAML would drop every comment and reorder
    keys, and a writer's notes in rollout.yaml are part of the review. The result is parsed
    again before it is written (atomically); a batch id already defined is a ConfigError.
    """
    path = content_root / ROLLOUT_FILE
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    new = batch_appended(old, batch, path, comment)
    rollout = rollout_from_data(*_parsed(new, path), path)
    if batch.id not in rollout.by_id:  # pragma: no cover - batch_appended guarantees it
        raise ConfigError(f"could not add batch {batch.id!r}", path=path)
    content_root.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.kbsync-tmp")
    temporary.write_text(new, encoding="utf-8")
    temporary.replace(path)
    return new


def batch_appended(text: str, batch: Batch, path: Path, comment: str = "") -> str:
    """`text` (a rollout.yaml) with `batch` added after the last batch, everything else as is.

    The new entry copies the indentation of the existing ones; `batches: []` becomes a block
    list. A flow-style list with entries (`batches: [{...}]`) is refused: it cannot be extended
    without rewriting it.
    """
    if not text.strip():
        return _STARTER + _entry_text(batch, 2, 4, comment) + "\n"
    data, node = _parsed(text, path)
    existing = rollout_from_data(data, path, node)
    if batch.id in existing.by_id:
        raise ConfigError(f"batch {batch.id!r} is already defined", path=path)
    sequence = next(
        (value for key, value in node.value if key.value == "batches"), None
    )  # rollout_from_data checked there is a list `batches:`
    assert isinstance(sequence, yaml.SequenceNode)
    if not sequence.value:
        start, end = sequence.start_mark.index, sequence.end_mark.index
        entry = _entry_text(batch, 2, 4, comment)
        return text[:start].rstrip(" ") + "\n" + entry + text[end:].rstrip("\n") + "\n"
    if sequence.flow_style:
        raise ConfigError(
            "the 'batches' list is written in flow style ([...]); kbsync can only add to a "
            "block list",
            path=path,
            line=sequence.start_mark.line + 1,
            hint="write each batch as a '- id: …' entry, then run the command again",
        )
    lines = text.split("\n")
    first = sequence.value[0].start_mark
    key_indent = first.column
    dash_indent = lines[first.line].rfind("-", 0, first.column)
    dash_indent = dash_indent if dash_indent >= 0 else max(key_indent - 2, 0)
    last_line = _last_line(sequence.value[-1])
    entry = _entry_text(batch, dash_indent, key_indent, comment)
    head = "\n".join(lines[: last_line + 1])
    tail = "\n".join(lines[last_line + 1 :])
    return head + "\n" + entry + ("\n" + tail if tail else "\n")


def _parsed(text: str, path: Path) -> tuple[Any, Any]:
    try:
        parsed = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise exc.config_error(path) from None
    if not isinstance(parsed.data, dict) or not isinstance(parsed.data.get("batches"), list):
        raise ConfigError("expected a mapping with a list 'batches:'", path=path, line=1)
    return parsed.data, parsed.node


def _last_line(node: Any) -> int:
    """The 0-based last line holding text of `node` (a block's end mark is past its end)."""
    children: list[Any] = []
    if getattr(node, "flow_style", False):  # `[a,\n b\n]`: its end mark is just past the `]`
        return int(node.end_mark.line)
    if isinstance(node.value, list):
        for child in node.value:
            children.extend(child if isinstance(child, tuple) else (child,))
    if not children:
        end = node.end_mark
        return int(end.line) if end.column > 0 else max(int(end.line) - 1, node.start_mark.line)
    return max(_last_line(child) for child in children)


def _entry_text(batch: Batch, dash: int, indent: int, comment: str) -> str:
    """One batch as block YAML; strings are JSON-quoted (valid YAML, no escaping surprises)."""
    pad = " " * indent
    lines = [f"{' ' * dash}# {line}".rstrip() for line in comment.splitlines()]
    lines.append(f"{' ' * dash}-{' ' * max(indent - dash - 1, 1)}id: {batch.id}")
    if batch.description:
        lines.append(f"{pad}description: {json.dumps(batch.description, ensure_ascii=False)}")
    lines.append(f"{pad}include:")
    lines.extend(f"{pad}  - {json.dumps(glob, ensure_ascii=False)}" for glob in batch.include)
    lines.append(f"{pad}environments: [{', '.join(batch.environments)}]")
    if batch.requires_eval:
        lines.append(f"{pad}requires_eval: true")
    return "\n".join(lines)
