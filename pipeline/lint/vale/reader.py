"""Read one Vale rule file (`<Style>/<Name>.yml`) into a compiled :class:`RuleSpec`.

Vale's own semantics are kept where a style depends on them:

- `existence`: `tokens` are joined as `\\b(?:t1|t2)\\b` (no word boundaries with `nonword: true`),
  `raw` pieces are concatenated and put before the tokens (after them with `append: true`);
- `substitution`: each `swap` key becomes one alternative of `\\b(?:(k1)|(k2))\\b`; a replacement
  may offer alternatives separated by `|`;
- `exceptions`: a match containing an exception as a whole word (case-sensitive unless the
  exception starts with `(?i)`) is skipped, as is a match inside a multi-word exception;
- `ignorecase` makes the whole pattern case-insensitive; multi-line mode is on for the whole
  pattern, so `^` and `$` match at every line of the text a rule sees;
- unlike Vale, a literal space in a word token, swap key or any other pattern also matches a
  line break inside a paragraph (Markdown is often wrapped), so `log into` finds `log` at the
  end of one line and `into` at the start of the next;
- `repetition`: `tokens` are joined as `(?:t1|t2)` (no word boundaries, as in Vale);
- `occurrence`: `token` is compiled as `(?:token)`; `max` and `min` are the limits, and unlike
  Vale a rule with neither, or with `min` above `max`, is an error (it could never be right);
- `conditional`: `first` and `second` are compiled as they are (`ignorecase` applies to both);
- messages use Go's `%s`: an existence message gets the match (and the fix, if the rule has an
  `action`); a substitution message gets the suggestion first and the match second.

What a kind does with its patterns is in :mod:`pipeline.lint.rules.wording`. Keys Vale does not
know are an error, as in Vale, so a misspelt `ignorecas:` does not go unnoticed. Other rule kinds
(`capitalization`, `spelling`, `metric`, …) are returned as :class:`Unsupported`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex
import yaml

from pipeline.errors import ConfigError
from pipeline.lint.findings import Severity
from pipeline.lint.limits import LimitedPattern
from pipeline.lint.slow_patterns import SlowPattern, risk
from pipeline.lint.vale.regex import Literal, RegexSyntaxError, Translated, translate
from pipeline.yamlfile import FAST_LOADER, YamlSyntaxError, line_of, parse_yaml

SUPPORTED_KINDS = ("existence", "substitution", "repetition", "occurrence", "conditional")
VALE_KINDS = (
    "existence",
    "substitution",
    "capitalization",
    "conditional",
    "consistency",
    "occurrence",
    "repetition",
    "readability",
    "spelling",
    "sequence",
    "metric",
    "script",
)
_COMMON_KEYS = frozenset(
    {
        "extends",
        "message",
        "description",
        "level",
        "limit",
        "link",
        "name",
        "scope",
        "selector",
        "action",
        "vocab",
        "matchcase",
        "tests",
        "code",
    }
)
_KIND_KEYS = {
    "existence": frozenset({"tokens", "raw", "exceptions", "append", "ignorecase", "nonword"}),
    "substitution": frozenset({"swap", "exceptions", "ignorecase", "nonword", "capitalize", "pos"}),
    "repetition": frozenset({"tokens", "alpha", "ignorecase", "exceptions", "max"}),
    "occurrence": frozenset({"token", "max", "min", "ignorecase"}),
    "conditional": frozenset({"first", "second", "exceptions", "ignorecase"}),
}
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_ACTIONS = ("replace", "remove", "edit", "suggest", "convert")
_DOCS_HINT = "see https://vale.sh/docs/checks/ for the rule format"
_INLINE_FLAGS = re.compile(r"\(\?[a-zA-Z]*-?[a-zA-Z]*\)")
"""An inline flag group, whose effect would leak into the tokens after it."""


@dataclass(frozen=True)
class Action:
    """Vale's `action`: how a finding can be fixed (`replace`, `remove`, `edit`, …)."""

    name: str
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSpec:
    """What one rule file defines, compiled once."""

    rule_id: str
    path: Path
    kind: str
    level: Severity
    message: str
    description: str
    link: str
    scopes: tuple[str, ...]
    limit: int
    action: Action | None
    digest: str
    """SHA-256 of the file's bytes (changes the cache fingerprint when the file changes)."""
    alternatives: tuple[Alternative, ...]
    """What to search for, in priority order (the first one matching at a place wins)."""
    exceptions: Any = None
    phrases: Any = None
    ignorecase: bool = False
    nonword: bool = False
    slow: tuple[SlowPattern, ...] = ()
    """Patterns that can take exponential time (warned about when the rule loads)."""


@dataclass(frozen=True)
class Alternative:
    """One compiled pattern of a rule and the literals that gate it.

    A rule whose tokens or swap keys all contain a literal is split into one alternative per
    token or key: a file is searched only for those whose literals it contains, each with a fast
    literal scan, instead of trying a long alternation at every character.
    """

    pattern: Any
    """The compiled `regex` pattern."""
    gate: frozenset[Literal] | None
    """A text holding none of these (case-folded) cannot match; None: always search."""
    swap: int | None = None
    """For a substitution: the swap key this stands for (None: the one whose group `s<i>` took
    part in the match)."""


@dataclass(frozen=True)
class Replacement:
    """One `swap` value: its alternatives, and a matcher for text that already conforms."""

    text: str
    alternatives: tuple[str, ...]
    conforms: Any = None
    """Compiled `^(?:text)$` when `text` is a pattern rather than a phrase (as Vale does)."""


@dataclass(frozen=True)
class SubstitutionSpec(RuleSpec):
    replacements: tuple[Replacement, ...] = ()
    """One per swap key, in file order."""
    capitalize: bool = False
    matchcase: bool = False


@dataclass(frozen=True)
class RepetitionSpec(RuleSpec):
    """The one alternative is the joined `tokens`."""

    alpha: bool = False
    max_repeats: int = 0
    """Vale's `max` (not in its documentation): repetitions let through before one is flagged."""


@dataclass(frozen=True)
class OccurrenceSpec(RuleSpec):
    """The one alternative is `token` (never gated when `min` is set: no match is a finding)."""

    maximum: int = 0
    minimum: int = 0


@dataclass(frozen=True)
class ConditionalSpec(RuleSpec):
    """The one alternative is `first`."""

    second: Any = None
    """The compiled `second`."""


@dataclass(frozen=True)
class Unsupported:
    """A valid rule of a kind kbsync does not run (yet)."""

    rule_id: str
    path: Path
    kind: str
    reason: str


def load_rule(path: Path, style: str) -> RuleSpec | Unsupported:
    """Read and compile `path`, the rule `<style>.<file stem>`.

    Raises :class:`ConfigError` (naming the file and line) for a file that is not a valid rule.
    """
    rule_id = f"{style}.{path.stem}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read rule file: {exc.strerror}", path=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(
            "rule file is not valid UTF-8", path=path, hint="re-save it as UTF-8"
        ) from None
    doc = _Document.parse(path, text)
    kind = doc.string("extends", required=True)
    if kind not in VALE_KINDS:
        raise doc.error(
            "extends",
            f"'extends' must be one of {', '.join(VALE_KINDS)}, not {kind!r}",
            hint=_DOCS_HINT,
        )
    if kind not in SUPPORTED_KINDS:
        return Unsupported(rule_id, path, kind, f"Vale's '{kind}' rules are not supported yet")
    doc.check_keys(_COMMON_KEYS | _KIND_KEYS[kind], kind)
    if doc.has("code"):
        raise doc.error("code", "'code' is no longer supported", hint="use 'scope: raw' instead")
    if doc.has("pos"):
        return Unsupported(
            rule_id, path, kind, "part-of-speech filters ('pos') are not supported yet"
        )
    common: dict[str, Any] = {
        "rule_id": rule_id,
        "path": path,
        "kind": kind,
        "level": doc.level(),
        "message": doc.string("message", required=True),
        "description": doc.string("description"),
        "link": doc.string("link"),
        "scopes": tuple(doc.strings("scope")) or ("text",),
        "limit": doc.integer("limit"),
        "action": doc.action(),
        "digest": hashlib.sha256(data).hexdigest(),
        "ignorecase": doc.boolean("ignorecase"),
        "nonword": doc.boolean("nonword"),
    }
    exceptions = doc.strings("exceptions")
    common["exceptions"] = _exception_pattern(doc, exceptions)
    common["phrases"] = _phrase_pattern(doc, exceptions)
    spec = _KINDS[kind](doc, common)
    if not doc.slow:
        return spec
    by_line = {slow.line: slow for slow in reversed(doc.slow)}  # the first per line
    return dataclasses.replace(spec, slow=tuple(sorted(by_line.values(), key=_slow_order)))


def _slow_order(slow: SlowPattern) -> int:
    return slow.line or 0


# --- Kinds ------------------------------------------------------------------------------------


def _existence(doc: _Document, common: dict[str, Any]) -> RuleSpec:
    tokens = [(i, t) for i, t in enumerate(doc.strings("tokens")) if t.strip()]
    raw = doc.strings("raw")
    raw_text = "".join(raw)
    if not tokens and not raw_text:
        raise doc.error(
            None,
            "an existence rule needs 'tokens' or 'raw'",
            hint="list the words or patterns to flag under 'tokens:'",
        )
    flags = _flags(common["ignorecase"])
    words = bool(tokens) and not common["nonword"]
    template = "\\b(?:{})\\b" if words else "(?:{})"
    wrap = words and not raw_text
    if tokens and not raw_text and not any(_INLINE_FLAGS.search(t) for _, t in tokens):
        split = [
            doc.compile(
                template.format(t),
                flags,
                [_Part(t, doc.item_line("tokens", i))],
                doc.item_line("tokens", i),
                wrap=wrap,
            )
            for i, t in tokens
        ]
        if all(_selective(translated.required) for translated, _ in split):
            alternatives = tuple(Alternative(p, t.required) for t, p in split)
            return RuleSpec(alternatives=alternatives, **common)
    body = template.format("|".join(t for _, t in tokens))
    source = body + raw_text if doc.boolean("append") else raw_text + body
    parts = [_Part(t, doc.item_line("tokens", i)) for i, t in tokens]
    parts += [_Part(r, doc.item_line("raw", i)) for i, r in enumerate(raw)]
    where = doc.line("tokens" if tokens else "raw")
    translated, pattern = doc.compile(source, flags, parts, where, wrap=wrap)
    return RuleSpec(alternatives=(Alternative(pattern, translated.required),), **common)


def _substitution(doc: _Document, common: dict[str, Any]) -> SubstitutionSpec:
    swap = doc.swap()
    if not swap:
        raise doc.error(
            "swap" if doc.has("swap") else None,
            "a substitution rule needs a non-empty 'swap' mapping",
            hint="map each word or pattern to flag to its replacement, e.g. 'utilize: use'",
        )
    ignorecase: bool = common["ignorecase"]
    flags = _flags(ignorecase)
    words = not common["nonword"]
    template = "\\b(?:{})\\b" if words else "(?:{})"
    split = [
        doc.compile(template.format(key), flags, [_Part(key, line)], line, wrap=words)
        for key, _value, line in swap
    ]
    alternatives: tuple[Alternative, ...]
    if all(_selective(translated.required) for translated, _ in split):
        alternatives = tuple(
            Alternative(pattern, translated.required, index)
            for index, (translated, pattern) in enumerate(split)
        )
    else:
        groups = "|".join(
            f"(?P<s{index}>{doc.translate(key, line, wrap=words).pattern})"
            for index, (key, _value, line) in enumerate(swap)
        )
        pattern = doc.compile_translated(template.format(groups), flags, doc.line("swap"))
        alternatives = (Alternative(pattern, None),)
    return SubstitutionSpec(
        alternatives=alternatives,
        replacements=tuple(_replacement(value, ignorecase) for _key, value, _line in swap),
        capitalize=doc.boolean("capitalize"),
        matchcase=doc.boolean("matchcase"),
        **common,
    )


def _repetition(doc: _Document, common: dict[str, Any]) -> RepetitionSpec:
    tokens = [(i, t) for i, t in enumerate(doc.strings("tokens")) if t.strip()]
    if not tokens:
        raise doc.error(
            "tokens" if doc.has("tokens") else None,
            "a repetition rule needs 'tokens'",
            hint="e.g. '[^\\s]+' (with 'alpha: true') for any repeated word",
        )
    source = "(?:{})".format("|".join(t for _, t in tokens))
    parts = [_Part(t, doc.item_line("tokens", i)) for i, t in tokens]
    flags = _flags(common["ignorecase"])
    translated, pattern = doc.compile(source, flags, parts, doc.line("tokens"), wrap=True)
    return RepetitionSpec(
        alternatives=(Alternative(pattern, translated.required),),
        alpha=doc.boolean("alpha"),
        max_repeats=doc.integer("max"),
        **common,
    )


def _occurrence(doc: _Document, common: dict[str, Any]) -> OccurrenceSpec:
    token = doc.string("token", required=True)
    maximum, minimum = doc.integer("max"), doc.integer("min")
    if not maximum and not minimum:
        raise doc.error(
            None,
            "an occurrence rule needs 'max' or 'min'",
            hint="e.g. 'max: 25' to flag a sentence of more than 25 words",
        )
    if maximum and minimum > maximum:
        raise doc.error("min", "'min' is more than 'max', so every text breaks the rule")
    flags = _flags(common["ignorecase"])
    line = doc.line("token")
    translated, pattern = doc.compile(f"(?:{token})", flags, [], line, wrap=True)
    gate = None if minimum else translated.required
    return OccurrenceSpec(
        alternatives=(Alternative(pattern, gate),), maximum=maximum, minimum=minimum, **common
    )


def _conditional(doc: _Document, common: dict[str, Any]) -> ConditionalSpec:
    flags = _flags(common["ignorecase"])
    first = doc.string("first", required=True)
    second = doc.string("second", required=True)
    translated, first_pattern = doc.compile(first, flags, [], doc.line("first"), wrap=True)
    second_pattern = doc.compile(second, flags, [], doc.line("second"), wrap=True)[1]
    return ConditionalSpec(
        alternatives=(Alternative(first_pattern, translated.required),),
        second=second_pattern,
        **common,
    )


_KINDS: dict[str, Callable[[_Document, dict[str, Any]], RuleSpec]] = {
    "existence": _existence,
    "substitution": _substitution,
    "repetition": _repetition,
    "occurrence": _occurrence,
    "conditional": _conditional,
}


def _selective(need: frozenset[Literal] | None) -> bool:
    """Whether a gate rules out most files (whole words, or text of three characters or more)."""
    return need is not None and all(lit.words or len(lit.text) >= 3 for lit in need)


def _replacement(text: str, ignorecase: bool) -> Replacement:
    alternatives = split_alternatives(text)
    conforms = None
    if not _is_phrase(text):
        try:
            translated = translate(f"^(?:{text})$")
            conforms = LimitedPattern(regex.compile(translated.pattern, _flags(ignorecase)))
        except (RegexSyntaxError, regex.error):
            conforms = None
    return Replacement(text, alternatives, conforms)


def split_alternatives(text: str) -> tuple[str, ...]:
    """The choices a replacement offers: `a|b`, or the `a' or 'b` idiom some styles use."""
    choices: list[str] = []
    for part in text.split("|"):
        for quote in ("'", '"'):
            if f"{quote} or {quote}" in part:
                choices.extend(p.strip() for p in part.split(f"{quote} or {quote}"))
                break
        else:
            choices.append(part.strip())
    return tuple(c for c in choices if c)


def _is_phrase(text: str) -> bool:
    """Vale's test for a plain replacement (compared as text, not as a pattern)."""
    return all(c.isalpha() or c.isdigit() or c in " -" for c in text)


def _exception_pattern(doc: _Document, exceptions: list[str]) -> Any:
    if not exceptions:
        return None
    terms = sorted(exceptions, key=len, reverse=True)
    terms = [t if t.startswith("(?i)") else f"(?-i){t}" for t in terms]
    parts = [_Part(e, doc.item_line("exceptions", i)) for i, e in enumerate(exceptions)]
    source = f"\\b(?:{'|'.join(terms)})\\b"
    flags = regex.MULTILINE | regex.VERSION0
    return doc.compile(source, flags, parts, doc.line("exceptions"))[1]


def _phrase_pattern(doc: _Document, exceptions: list[str]) -> Any:
    phrases = [e for e in exceptions if " " in e or "\t" in e or "\\s" in e]
    if not phrases:
        return None
    source = f"\\b(?:{'|'.join(phrases)})\\b"
    flags = regex.MULTILINE | regex.IGNORECASE | regex.VERSION0
    return doc.compile(source, flags, [], doc.line("exceptions"), wrap=True)[1]


def _flags(ignorecase: bool) -> int:
    flags: int = regex.MULTILINE | regex.VERSION0
    return flags | regex.IGNORECASE if ignorecase else flags


# --- Messages ---------------------------------------------------------------------------------


def format_message(message: str, *subs: str) -> str:
    """Go's `Sprintf` for Vale messages: `%s` in order (missing ones empty), `%%` is `%`."""
    parts = message.split("%%")
    values = iter(s.strip() for s in subs)
    out = []
    for part in parts:
        pieces = part.split("%s")
        filled = [pieces[0]]
        for piece in pieces[1:]:
            filled.append(next(values, ""))
            filled.append(piece)
        out.append("".join(filled))
    return "%".join(out)


def to_sentence(words: tuple[str, ...] | list[str]) -> str:
    """`'a'`, `'a' or 'b'`, `'a', 'b', or 'c'` (Vale's ToSentence)."""
    quoted = [f"'{w}'" for w in words]
    if len(quoted) <= 2:
        return " or ".join(quoted)
    return ", ".join([*quoted[:-1], f"or {quoted[-1]}"])


def unquote_first_slot(message: str) -> str:
    """Vale's convertMessage: suggestions arrive quoted, so `'%s'` loses its quotes once."""
    for slot in ("'%s'", '"%s"'):
        if message.count(slot) == 2:
            message = message.replace(slot, "%s", 1)
    return message


# --- The YAML document ------------------------------------------------------------------------


class _Document:
    """A rule file's top-level mapping, with the line of every key and list item."""

    def __init__(self, path: Path, keys: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        self.path = path
        self.keys = keys
        self.slow: list[SlowPattern] = []
        """Patterns compiled so far that can backtrack exponentially."""

    @classmethod
    def parse(cls, path: Path, text: str) -> _Document:
        try:
            node = parse_yaml(text, loader=FAST_LOADER, construct=False).node
        except YamlSyntaxError as exc:
            raise exc.config_error(
                path,
                hint="fix the YAML syntax (quote patterns that contain ': ' or start with '*')",
            ) from None
        if not isinstance(node, yaml.MappingNode):
            raise ConfigError(
                "a rule file must be a YAML mapping (extends: …, message: …)",
                path=path,
                line=line_of(node) if node is not None else None,
                hint=_DOCS_HINT,
            )
        keys: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in keys:
                raise ConfigError(
                    f"key {key!r} appears twice",
                    path=path,
                    line=line_of(key_node),
                    hint="keep one of them",
                )
            keys[key] = (key_node, value_node)
        return cls(path, keys)

    def has(self, key: str) -> bool:
        return key in self.keys

    def line(self, key: str | None) -> int | None:
        if key is None or key not in self.keys:
            return None
        return line_of(self.keys[key][0])

    def item_line(self, key: str, index: int) -> int | None:
        value = self.keys.get(key, (None, None))[1]
        if isinstance(value, yaml.SequenceNode) and index < len(value.value):
            return line_of(value.value[index])
        return self.line(key)

    def error(self, key: str | None, message: str, *, hint: str | None = None) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.line(key), hint=hint)

    def check_keys(self, known: frozenset[str], kind: str) -> None:
        for key in self.keys:
            if key not in known:
                raise self.error(
                    key,
                    f"unknown key {key!r} for a {kind} rule",
                    hint=f"known keys: {', '.join(sorted(known - {'code', 'tests'}))}",
                )

    def _value(self, key: str) -> yaml.Node | None:
        pair = self.keys.get(key)
        if pair is None or _is_null(pair[1]):
            return None
        return pair[1]

    def string(self, key: str, *, required: bool = False) -> str:
        node = self._value(key)
        if node is None:
            if required:
                raise self.error(
                    None, f"missing the required key {key!r}", hint=f"add '{key}:' ({_DOCS_HINT})"
                )
            return ""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(key, f"{key!r} must be a string")
        return str(node.value)

    def strings(self, key: str) -> list[str]:
        """A list of strings; a single string counts as a list of one (as in Vale)."""
        node = self._value(key)
        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode):
            return [str(node.value)]
        if isinstance(node, yaml.SequenceNode):
            out = []
            for item in node.value:
                if not isinstance(item, yaml.ScalarNode):
                    raise ConfigError(
                        f"every item of {key!r} must be a string",
                        path=self.path,
                        line=line_of(item),
                    )
                if not _is_null(item):
                    out.append(str(item.value))
            return out
        raise self.error(key, f"{key!r} must be a string or a list of strings")

    def boolean(self, key: str) -> bool:
        node = self._value(key)
        if node is None:
            return False
        value = str(node.value).strip().lower() if isinstance(node, yaml.ScalarNode) else ""
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.error(key, f"{key!r} must be true or false")

    def integer(self, key: str) -> int:
        node = self._value(key)
        if node is None:
            return 0
        value = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
        if not value.isdigit():
            raise self.error(key, f"{key!r} must be a whole number (0 for no limit)")
        return int(value)

    def level(self) -> Severity:
        value = self.string("level")
        if not value:
            return Severity.SUGGESTION
        try:
            return Severity.parse(value)
        except ValueError as exc:
            raise self.error("level", f"'level': {exc}") from None

    def action(self) -> Action | None:
        node = self._value("action")
        if node is None:
            return None
        params: list[str] = []
        if isinstance(node, yaml.ScalarNode):
            name = str(node.value)
        elif isinstance(node, yaml.MappingNode):
            fields = {str(k.value): v for k, v in node.value}
            unknown = set(fields) - {"name", "params"}
            if unknown:
                raise self.error("action", f"unknown key {sorted(unknown)[0]!r} in 'action'")
            name_node = fields.get("name")
            name = str(name_node.value) if isinstance(name_node, yaml.ScalarNode) else ""
            params_node = fields.get("params")
            if isinstance(params_node, yaml.SequenceNode):
                params = [str(p.value) for p in params_node.value if isinstance(p, yaml.ScalarNode)]
            elif params_node is not None and not _is_null(params_node):
                raise self.error("action", "'action.params' must be a list of strings")
        else:
            raise self.error("action", "'action' must be a mapping with 'name' and 'params'")
        if name not in _ACTIONS:
            raise self.error(
                "action", f"'action.name' must be one of {', '.join(_ACTIONS)}, not {name!r}"
            )
        return Action(name, tuple(params))

    def swap(self) -> list[tuple[str, str, int]]:
        """(key, replacement, line) in file order; a list of one-entry mappings also works."""
        node = self._value("swap")
        if node is None:
            return []
        mappings: list[yaml.MappingNode] = []
        if isinstance(node, yaml.MappingNode):
            mappings = [node]
        elif isinstance(node, yaml.SequenceNode) and all(
            isinstance(item, yaml.MappingNode) for item in node.value
        ):
            mappings = list(node.value)
        else:
            raise self.error("swap", "'swap' must be a mapping of 'pattern: replacement'")
        pairs: list[tuple[str, str, int]] = []
        seen: set[str] = set()
        for mapping in mappings:
            for key_node, value_node in mapping.value:
                line = line_of(key_node)
                if not isinstance(key_node, yaml.ScalarNode) or not isinstance(
                    value_node, yaml.ScalarNode
                ):
                    raise ConfigError(
                        "every 'swap' entry must map a string to a string",
                        path=self.path,
                        line=line,
                    )
                key = str(key_node.value)
                if key in seen:
                    raise ConfigError(f"swap key {key!r} appears twice", path=self.path, line=line)
                seen.add(key)
                pairs.append((key, str(value_node.value), line))
        return pairs

    def translate(self, pattern: str, line: int | None, *, wrap: bool = False) -> Translated:
        try:
            return translate(pattern, wrap_spaces=wrap)
        except RegexSyntaxError as exc:
            raise self._invalid(str(exc), line) from None

    def compile(
        self, source: str, flags: int, parts: list[_Part], line: int | None, *, wrap: bool = False
    ) -> tuple[Translated, Any]:
        """Translate and compile a pattern joined from `parts` (blaming the broken part).

        The result runs under the time limit (:mod:`pipeline.lint.limits`); each part (or the
        whole source, without parts) is checked for exponential backtracking.
        """
        try:
            translated = translate(source, wrap_spaces=wrap)
            compiled = regex.compile(translated.pattern, flags)
        except (RegexSyntaxError, regex.error) as exc:
            raise self.pattern_error(exc, parts, line, flags) from None
        for part in parts or [_Part(source, line)]:
            self.check_slow(part.text, part.line)
        return translated, LimitedPattern(compiled)

    def compile_translated(self, pattern: str, flags: int, line: int | None) -> Any:
        """Compile a pattern already in Python's dialect (its parts were checked already)."""
        try:
            return LimitedPattern(regex.compile(pattern, flags))
        except regex.error as exc:
            raise self._invalid(str(exc), line) from None

    def check_slow(self, pattern: str, line: int | None) -> None:
        """Remember `pattern` when it can backtrack exponentially."""
        reason = risk(pattern)
        if reason is not None:
            self.slow.append(SlowPattern(line, pattern, reason))

    def pattern_error(
        self, exc: Exception, parts: list[_Part], line: int | None, flags: int
    ) -> ConfigError:
        """The error for a pattern that does not compile, at the line of its first bad part."""
        for part in parts:
            try:
                regex.compile(translate(part.text).pattern, flags)
            except (RegexSyntaxError, regex.error) as part_exc:
                return self._invalid(f"{part_exc} in {part.text!r}", part.line)
        return self._invalid(str(exc), line)

    def _invalid(self, detail: str, line: int | None) -> ConfigError:
        return ConfigError(
            f"invalid regular expression: {detail}",
            path=self.path,
            line=line,
            hint="fix the pattern (Vale patterns use RE2/Perl syntax; escape literal ( ) [ ] . * + ?)",
        )


@dataclass(frozen=True)
class _Part:
    """One token, raw piece, swap key or exception, and its line in the file."""

    text: str
    line: int | None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and str(node.tag).endswith(":null")
