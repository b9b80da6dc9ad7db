"""Named facts (`rules/facts.yml`): what the knowledge base states, and how to find it.

    facts:
      - id: refund-window
        description: How long a refund takes
        pattern: 'refunds? (?:are|is) processed within (?P<value>\\d+ (?:business )?days)'
        # optional:
        normalize: [lowercase, strip]    # how values are compared (this is the default)
        case_sensitive: false            # patterns ignore case unless this is true
        scope: {audience: public, paths: ["qa/**"]}   # paths are globs relative to content/
        severity: error                  # or warning / suggestion

`pattern` may also be a list of patterns (other phrasings of the same fact); each must have a
group named `value`. Patterns run over a file's prose with whitespace collapsed (a sentence that
wraps still matches a pattern written with single spaces) and emphasis markers (`**`, `_`)
removed; a paragraph break does not match a space.

A file that is not valid is a :class:`ConfigError` naming the file, the entry and its line; a
missing file means no facts.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex
import yaml

from pipeline.corpus import Item
from pipeline.errors import ConfigError
from pipeline.lint.findings import Severity
from pipeline.lint.limits import LimitedPattern
from pipeline.lint.slow_patterns import SlowPattern, risk
from pipeline.rollout import glob_regex
from pipeline.yamlfile import YamlSyntaxError, line_of, parse_yaml

FACT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
NORMALIZERS = ("lowercase", "strip", "digits")
"""`lowercase`: compare case-insensitively; `strip`: drop surrounding punctuation;
`digits`: drop thousands separators (`1,500` = `1500`). Whitespace is always collapsed."""
DEFAULT_NORMALIZE = ("lowercase", "strip")
_ENTRY_KEYS = {"id", "description", "pattern", "normalize", "case_sensitive", "scope", "severity"}
_SCOPE_KEYS = {"audience", "paths"}
_STRIP = " \t\n.,;:!?\"'()[]"
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f ](?=\d{3}\b)")
_SPACES = re.compile(r"\s+")
_DOCS_HINT = "see the comment at the top of pipeline/lint/conflicts/facts.py for the format"


@dataclass(frozen=True)
class Fact:
    """One named fact: patterns whose `value` group captures what the content states."""

    id: str
    description: str
    patterns: tuple[LimitedPattern, ...]
    """Compiled with `regex` under the time limit (:mod:`pipeline.lint.limits`)."""
    normalize: tuple[str, ...] = DEFAULT_NORMALIZE
    audiences: tuple[str, ...] = ()
    """Only content for these audiences states this fact (empty: every audience)."""
    paths: tuple[str, ...] = ()
    """Only content files matching these globs (relative to content/) (empty: every file)."""
    severity: Severity = Severity.ERROR
    line: int = 0
    slow: tuple[SlowPattern, ...] = ()
    """Patterns that can take exponential time (warned about when the facts load)."""

    def applies_to(self, content_path: str, audience: str) -> bool:
        if self.audiences and audience not in self.audiences:
            return False
        return not self.paths or any(glob_regex(glob).match(content_path) for glob in self.paths)

    def normalized(self, value: str) -> str:
        """The form two values are compared in."""
        value = _SPACES.sub(" ", value).strip()
        if "strip" in self.normalize:
            value = value.strip(_STRIP)
        if "digits" in self.normalize:
            value = _THOUSANDS.sub("", value)
        if "lowercase" in self.normalize:
            value = value.casefold()
        return value


@dataclass(frozen=True)
class FactBook:
    """Every fact of a repository, and a digest of the file they came from (for the cache)."""

    facts: tuple[Fact, ...] = ()
    source: str | None = None
    digest: str = ""

    def by_id(self) -> dict[str, Fact]:
        return {fact.id: fact for fact in self.facts}


def load_facts(path: Path, root: Path | None = None) -> FactBook:
    """Read and compile `path`; a missing file is an empty book. Raises ConfigError if invalid."""
    shown = _shown_path(path, root)
    if not path.exists():
        return FactBook(source=None, digest="none")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read facts file: {exc.strerror}", path=shown) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("facts file is not valid UTF-8", path=shown) from None
    facts = parse_facts(text, shown)
    return FactBook(facts=facts, source=shown, digest=hashlib.sha256(data).hexdigest()[:16])


def parse_facts(text: str, shown: str = "facts.yml") -> tuple[Fact, ...]:
    """The facts in `text` (the content of a facts file called `shown` in messages)."""
    try:
        parsed = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise exc.config_error(
            shown, hint="fix the YAML syntax; quote patterns in single quotes"
        ) from None
    data = parsed.data
    if data is None:
        return ()
    if not isinstance(data, dict) or "facts" not in data:
        raise ConfigError(
            "a facts file is a mapping with one key, 'facts:', holding a list of facts",
            path=shown,
            line=1,
            hint=_DOCS_HINT,
        )
    unknown = sorted(str(key) for key in data if key != "facts")
    if unknown:
        raise ConfigError(
            f"unknown top-level key {unknown[0]!r} (the only key is 'facts')",
            path=shown,
            line=parsed.key_line(unknown[0]),
            hint=_DOCS_HINT,
        )
    entries = data["facts"]
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ConfigError("'facts' must be a list of facts", path=shown, line=1, hint=_DOCS_HINT)
    entry_nodes = parsed.items("facts")
    facts: list[Fact] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(entries):
        entry_node = entry_nodes[index] if index < len(entry_nodes) else None
        entry = _Entry(shown, index, raw, entry_node)
        fact = entry.build()
        if fact.id in seen:
            raise entry.error(
                "id", f"fact {fact.id!r} is defined twice (first on line {seen[fact.id]})"
            )
        seen[fact.id] = fact.line
        facts.append(fact)
    return tuple(facts)


class _Entry:
    """One entry of `facts:`, with the line of each of its keys for error messages."""

    def __init__(self, shown: str, index: int, raw: Any, node: yaml.Node | None) -> None:
        self.shown = shown
        self.index = index
        self.raw = raw
        self.line = line_of(node) if node is not None else None
        self.key_lines: dict[str, int] = {}
        self.value_nodes: dict[str, yaml.Node] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                self.key_lines[str(key_node.value)] = line_of(key_node)
                self.value_nodes[str(key_node.value)] = value_node
        self.name = f"fact #{index + 1}"

    def error(self, key: str | None, message: str, *, hint: str | None = None) -> ConfigError:
        line = self.key_lines.get(key, self.line) if key else self.line
        return ConfigError(f"{self.name}: {message}", path=self.shown, line=line, hint=hint)

    def build(self) -> Fact:
        raw = self.raw
        if not isinstance(raw, dict):
            raise self.error(None, "must be a mapping (id: …, pattern: …)", hint=_DOCS_HINT)
        fact_id = raw.get("id")
        if isinstance(fact_id, str) and fact_id:
            self.name = f"fact {fact_id!r}"
        unknown = sorted(str(k) for k in raw if k not in _ENTRY_KEYS)
        if unknown:
            raise self.error(
                unknown[0],
                f"unknown key {unknown[0]!r}",
                hint=f"known keys: {', '.join(sorted(_ENTRY_KEYS))}",
            )
        if fact_id is None:
            raise self.error(None, "needs an 'id'")
        if not isinstance(fact_id, str) or not FACT_ID.match(fact_id):
            raise self.error("id", f"'id' must match {FACT_ID.pattern}, not {fact_id!r}")
        description = raw.get("description", "")
        if not isinstance(description, str):
            raise self.error("description", "'description' must be a string")
        case_sensitive = raw.get("case_sensitive", False)
        if not isinstance(case_sensitive, bool):
            raise self.error("case_sensitive", "'case_sensitive' must be true or false")
        patterns, slow = self._patterns(case_sensitive)
        audiences, paths = self._scope()
        return Fact(
            id=fact_id,
            description=description.strip(),
            patterns=patterns,
            normalize=self._normalize(),
            audiences=audiences,
            paths=paths,
            severity=self._severity(),
            line=self.line or 0,
            slow=slow,
        )

    def _patterns(
        self, case_sensitive: bool
    ) -> tuple[tuple[LimitedPattern, ...], tuple[SlowPattern, ...]]:
        raw = self.raw.get("pattern")
        if raw is None:
            raise self.error(None, "needs a 'pattern' with a group (?P<value>…)", hint=_DOCS_HINT)
        sources = [raw] if isinstance(raw, str) else raw
        if not isinstance(sources, list) or not sources:
            raise self.error("pattern", "'pattern' must be a string or a non-empty list of them")
        flags = 0 if case_sensitive else re.IGNORECASE
        compiled = []
        slow = []
        for number, source in enumerate(sources):
            line = self._pattern_line(number)
            which = "pattern" if isinstance(raw, str) else f"pattern #{number + 1}"
            if not isinstance(source, str) or not source.strip():
                raise ConfigError(
                    f"{self.name}: {which} must be a non-empty string", path=self.shown, line=line
                )
            try:
                # Checked with `re` (the documented syntax and its messages), run with `regex`
                # (which takes a time limit).
                pattern = re.compile(source, flags)
                limited = LimitedPattern(regex.compile(source, flags | regex.VERSION0))
            except (re.error, regex.error) as exc:
                raise ConfigError(
                    f"{self.name}: {which} is not a valid regular expression: {exc}",
                    path=self.shown,
                    line=line,
                    hint="patterns use Python's re syntax; quote them in single quotes in YAML",
                ) from None
            if "value" not in pattern.groupindex:
                raise ConfigError(
                    f"{self.name}: {which} has no group named 'value'",
                    path=self.shown,
                    line=line,
                    hint="capture the stated value with (?P<value>…), e.g. (?P<value>\\d+ days)",
                )
            compiled.append(limited)
            if (reason := risk(source)) is not None:
                slow.append(SlowPattern(line, source, reason))
        return tuple(compiled), tuple(slow)

    def _pattern_line(self, number: int) -> int | None:
        node = self.value_nodes.get("pattern")
        if isinstance(node, yaml.SequenceNode) and number < len(node.value):
            return line_of(node.value[number])
        return self.key_lines.get("pattern", self.line)

    def _normalize(self) -> tuple[str, ...]:
        raw = self.raw.get("normalize", list(DEFAULT_NORMALIZE))
        steps = [raw] if isinstance(raw, str) else raw
        if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
            raise self.error("normalize", "'normalize' must be a list of steps")
        for step in steps:
            if step not in NORMALIZERS:
                raise self.error(
                    "normalize",
                    f"unknown normalize step {step!r} (known: {', '.join(NORMALIZERS)})",
                )
        return tuple(steps)

    def _scope(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        raw = self.raw.get("scope")
        if raw is None:
            return (), ()
        if not isinstance(raw, dict):
            raise self.error("scope", "'scope' must be a mapping (audience: …, paths: […])")
        unknown = sorted(str(k) for k in raw if k not in _SCOPE_KEYS)
        if unknown:
            raise self.error(
                "scope",
                f"unknown key {unknown[0]!r} in 'scope' (known: {', '.join(sorted(_SCOPE_KEYS))})",
            )
        audiences = _str_list(raw.get("audience", []))
        paths = _str_list(raw.get("paths", []))
        if audiences is None:
            raise self.error("scope", "scope 'audience' must be a string or a list of strings")
        if paths is None:
            raise self.error(
                "scope", "scope 'paths' must be a list of globs (relative to content/)"
            )
        return tuple(audiences), tuple(paths)

    def _severity(self) -> Severity:
        raw = self.raw.get("severity", "error")
        if not isinstance(raw, str):
            raise self.error("severity", "'severity' must be error, warning or suggestion")
        try:
            return Severity.parse(raw)
        except ValueError as exc:
            raise self.error("severity", str(exc)) from None


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _shown_path(path: Path, root: Path | None) -> str:
    """`path` as messages show it: relative to the repository root when inside it."""
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            pass
    return str(path)


# --- Finding statements in prose -------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One place where a file states a fact."""

    fact: str
    value: str
    """The value as written (whitespace collapsed, emphasis removed)."""
    normalized: str
    start: int
    end: int
    """Offsets of the value in the file."""


# A run of whitespace (with blockquote markers at the start of a wrapped line), or an emphasis
# delimiter (`**`, `_`) next to a word.
_SEPARATOR = re.compile(
    r"(?P<sep>[ \t\r\f\v]*(?:\n[ \t\r\f\v]*(?:>[ \t\r\f\v]*)*)+|[ \t\r\f\v]+)"
    r"|(?P<emph>(?<![\w*_])[*_]{1,3}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,3}(?![\w*_]))"
)


@dataclass(frozen=True)
class FlatProse:
    """A file's prose as one line of text: whitespace runs are one space (a paragraph break is
    a newline), emphasis markers are gone; `original` maps an index back to a file offset."""

    text: str
    _starts: tuple[int, ...]
    _origins: tuple[int, ...]
    _verbatim: tuple[bool, ...]

    @classmethod
    def of(cls, item: Item) -> FlatProse:
        prose = item.prose
        parts: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        verbatim: list[bool] = []
        length = 0

        def segment(text: str, origin: int, is_verbatim: bool) -> None:
            nonlocal length
            starts.append(length)
            origins.append(origin)
            verbatim.append(is_verbatim)
            parts.append(text)
            length += len(text)

        last = item.body_start
        for match in _SEPARATOR.finditer(prose, item.body_start):
            if match.start() > last:
                segment(prose[last : match.start()], last, True)
            if match.group("sep") is not None:
                gap = "\n" if match.group().count("\n") >= 2 else " "
                if length:
                    segment(gap, match.start(), False)
            last = match.end()
        if last < len(prose):
            segment(prose[last:], last, True)
        return cls("".join(parts), tuple(starts), tuple(origins), tuple(verbatim))

    def original(self, index: int) -> int:
        """The file offset of character `index` of :attr:`text`."""
        k = bisect.bisect_right(self._starts, index) - 1
        if k < 0:
            return self._origins[0] if self._origins else 0
        if self._verbatim[k]:
            return self._origins[k] + (index - self._starts[k])
        return self._origins[k]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        first = self.original(start)
        last = self.original(end - 1) + 1 if end > start else first
        return first, max(first, last)


def find_statements(item: Item, facts: Sequence[Fact], content_path: str) -> list[Statement]:
    """Every statement of `facts` in `item`'s prose (not code, not frontmatter), in file order."""
    applicable = [fact for fact in facts if fact.applies_to(content_path, item.audience)]
    if not applicable:
        return []
    flat = FlatProse.of(item)
    found: dict[tuple[str, int], Statement] = {}
    for fact in applicable:
        for pattern in fact.patterns:
            for match in pattern.finditer(flat.text):
                raw = match.group("value")
                if raw is None:
                    continue
                trim = _STRIP if "strip" in fact.normalize else " \n"
                value = raw.strip(trim)
                if not value:
                    continue
                begin = match.start("value") + len(raw) - len(raw.lstrip(trim))
                start, end = flat.original_span(begin, begin + len(value))
                found.setdefault(
                    (fact.id, start),
                    Statement(fact.id, value, fact.normalized(value), start, end),
                )
    return sorted(found.values(), key=lambda s: (s.start, s.fact))
