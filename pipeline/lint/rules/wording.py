"""`wording`: stale, deprecated or discouraged wording, from Vale styles under `rules/`.

A style is a folder `rules/<Style>/` of Vale rule files `<Name>.yml`; each becomes the rule
`<Style>.<Name>` (family `wording`), so existing Vale styles load as they are. Vale's `existence`
(flag what matches) and `substitution` (flag and suggest a replacement) kinds run; other kinds
are reported as skipped. See :mod:`pipeline.lint.rules.vale` for how a file is read and
:mod:`pipeline.lint.rules.wording_scopes` for what text a rule sees (prose by default).

A substitution finding carries a fix when the rule's swap values are replacements (it says
`action: replace`, or its message has a slot for the suggestion and one for the match) and the
value is one word or phrase (not `a|b`); when the rule ignores case and the match starts with a
capital (`E-mail`), so does the fix (`Email`). An existence rule's `action` (`remove`, `replace`,
`edit`) gives a fix the same way.

Performance: each rule is compiled once at load; a rule whose tokens or swap keys all contain
literal text is split into one pattern per token or key, and a file is searched only for those
whose literals it contains (see :class:`GateIndex`). The views of a file are built once and
shared by all rules (:class:`~pipeline.lint.rules.wording_scopes.ViewCache`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import regex

from pipeline.corpus import Item
from pipeline.errors import ConfigError
from pipeline.lint.findings import Finding, Fix, Severity
from pipeline.lint.rule import FileRule, LintContext, Rule, SkippedRule
from pipeline.lint.rules.vale import (
    SUPPORTED_KINDS,
    Action,
    Alternative,
    RuleSpec,
    SubstitutionSpec,
    Unsupported,
    format_message,
    load_rule,
    to_sentence,
    unquote_first_slot,
)
from pipeline.lint.rules.vale_regex import RegexSyntaxError, translate
from pipeline.lint.rules.wording_scopes import Block, ItemViews, Scope, ViewCache

log = logging.getLogger(__name__)

RULE_SUFFIXES = (".yml", ".yaml")
VOCABULARY_FOLDER = "config"
"""Vale keeps vocabularies and dictionaries in `<StylesPath>/config/`; it is not a style."""
ENGINE_VERSION = "1"
"""Bumped when matching changes, so cached results of data rules are recomputed."""

_VIEWS = ViewCache()
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_PHRASE_WINDOW = 200
"""How far around a match to look for a multi-word exception that contains it."""


def load_styles(rules_root: Path, context: LintContext) -> tuple[list[Rule], list[SkippedRule]]:
    """One rule per supported rule file under `rules_root/<Style>/`, and the files skipped.

    Files directly in `rules_root` (such as `facts.yml`) and files that are not YAML are not
    rules. A missing `rules_root` means no wording rules. Raises :class:`ConfigError` for a
    rule file that cannot be used.
    """
    if not rules_root.exists():
        return [], []
    if not rules_root.is_dir():
        raise ConfigError(
            "the rules directory is not a directory",
            path=rules_root,
            hint="set [lint] rules_dir in kbsync.toml to a folder of Vale styles",
        )
    rules: list[Rule] = []
    skipped: list[SkippedRule] = []
    seen: dict[str, Path] = {}
    for style in sorted(p for p in rules_root.iterdir() if _is_style(p)):
        for path in sorted(p for p in style.iterdir() if _is_rule_file(p)):
            spec = load_rule(path, style.name)
            if spec.rule_id in seen:
                raise ConfigError(
                    f"rule {spec.rule_id} is defined twice (also in {seen[spec.rule_id].name})",
                    path=path,
                    hint="keep one of the two files",
                )
            seen[spec.rule_id] = path
            shown = _shown_path(path, context)
            if isinstance(spec, Unsupported):
                log.debug("skipping %s: %s", spec.rule_id, spec.reason)
                skipped.append(SkippedRule(shown, spec.rule_id, spec.reason))
            elif isinstance(spec, SubstitutionSpec):
                rules.append(SubstitutionRule(context, spec, shown))
            else:
                rules.append(ExistenceRule(context, spec, shown))
    return rules, skipped


def _is_style(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith(".") and path.name != VOCABULARY_FOLDER


def _is_rule_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in RULE_SUFFIXES and not path.name.startswith(".")


def _shown_path(path: Path, context: LintContext) -> str:
    try:
        return path.absolute().relative_to(context.settings.root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


class ValeRule(FileRule):
    """A wording rule loaded from a Vale rule file."""

    def __init__(self, context: LintContext, spec: RuleSpec, shown_path: str) -> None:
        super().__init__(context)
        self.spec = spec
        self.shown_path = shown_path
        self.scope = Scope.parse(spec.scopes)
        self.gates = GateIndex(spec.alternatives)

    @property
    def rule_id(self) -> str:
        return self.spec.rule_id

    @property
    def category(self) -> str:
        return "wording"

    @property
    def default_severity(self) -> Severity:
        return self.spec.level

    @property
    def documentation(self) -> str:
        spec = self.spec
        description = " ".join(spec.description.split())
        message = format_message(spec.message, "…", "…")
        lines = [description or message, ""]
        if description:
            lines.append(f"Message: {message}")
        scope = ", ".join(spec.scopes)
        lines.append(f"Vale {spec.kind} rule, level {spec.level.value}, scope {scope}.")
        if spec.link:
            lines.append(f"More: {spec.link}")
        lines.append(f"Defined in {self.shown_path}.")
        return "\n".join(lines)

    def options(self) -> Mapping[str, Any]:
        return {"file": self.shown_path, "sha256": self.spec.digest, "engine": ENGINE_VERSION}

    def check(self, item: Item) -> Iterator[Finding]:
        spec = self.spec
        views = _VIEWS.get(item)
        active = self.gates.active(views, self.scope.raw)
        if not active:
            return
        count = 0
        for block in views.blocks(self.scope):
            for match, alternative in _leftmost(active, block):
                finding = self._finding(item, block, match, alternative)
                if finding is None:
                    continue
                yield finding
                count += 1
                if spec.limit and count >= spec.limit:
                    return

    def _finding(
        self, item: Item, block: Block, match: Any, alternative: Alternative
    ) -> Finding | None:
        raise NotImplementedError

    def _excepted(self, block: Block, match: Any, observed: str) -> bool:
        """Vale's exceptions: a whole-word exception inside the match, or a phrase around it."""
        spec = self.spec
        if spec.exceptions is not None and spec.exceptions.search(observed):
            return True
        if spec.phrases is not None:
            start, end = match.span()
            window_start = max(block.pos, start - _PHRASE_WINDOW)
            window_end = min(len(block.text), end + _PHRASE_WINDOW)
            for phrase in spec.phrases.finditer(block.text, window_start, window_end):
                if phrase.start() <= start and end <= phrase.end():
                    return True
        return False


class ExistenceRule(ValeRule):
    """Flags every match of a Vale `existence` rule."""

    def _finding(
        self, item: Item, block: Block, match: Any, alternative: Alternative
    ) -> Finding | None:
        start, end, observed = _trimmed(block, match)
        if self._excepted(block, match, observed):
            return None
        fixes = _action_fixes(self.spec.action, observed)
        if fixes is None:
            message = format_message(self.spec.message, observed)
        else:
            shown = fixes[0] if len(fixes) == 1 else to_sentence(fixes)
            message = format_message(self.spec.message, observed, shown)
        fix = Fix(start, end, fixes[0]) if fixes is not None and len(fixes) == 1 else None
        return self.at(item, start, end, message, fix=fix)


class SubstitutionRule(ValeRule):
    """Flags every match of a Vale `substitution` rule and suggests its replacement.

    The swap value is a replacement (and a finding gets a fix) when the rule says
    `action: replace` or its message has two `%s` (suggestion and match); a rule whose message
    is only `%s` uses the value as advice ("Remove the phrase 'note that'."), never as a fix.
    """

    spec: SubstitutionSpec

    def __init__(self, context: LintContext, spec: SubstitutionSpec, shown_path: str) -> None:
        super().__init__(context, spec, shown_path)
        action = spec.action
        self.replace_action = action is not None and action.name == "replace"
        self.fixable = self.replace_action or spec.message.count("%s") >= 2

    def _finding(
        self, item: Item, block: Block, match: Any, alternative: Alternative
    ) -> Finding | None:
        spec = self.spec
        index = alternative.swap
        group: str | int = 0
        if index is None:
            index = _swap_index(match, len(spec.replacements))
            if index is None:
                return None
            group = f"s{index}"
        replacement = spec.replacements[index]
        start, end, observed = _trimmed(block, match, group)
        if _conforms(replacement.text, replacement.conforms, observed):
            return None
        if self._excepted(block, match, observed):
            return None
        choices = replacement.alternatives
        if self.replace_action and spec.action is not None and spec.action.params:
            choices = spec.action.params
        if self.fixable:
            choices = tuple(
                adapt_case(
                    choice,
                    observed,
                    ignorecase=spec.ignorecase,
                    capitalize=spec.capitalize,
                    matchcase=spec.matchcase,
                )
                for choice in choices
            )
            if observed in choices:
                return None
        if self.replace_action or len(choices) > 1:
            message = unquote_first_slot(spec.message)
            suggestion = to_sentence(choices)
        else:
            message = spec.message
            suggestion = choices[0] if choices else replacement.text
        text = format_message(message, suggestion, observed)
        fix = Fix(start, end, choices[0]) if self.fixable and len(choices) == 1 else None
        return self.at(item, start, end, text, fix=fix)


class GateIndex:
    """Which of a rule's alternatives a file can match, found without a loop over all of them.

    Each literal made of whole words is filed under its longest word; a file's word set,
    intersected with those keywords (one set operation), names the few alternatives worth a
    closer look. Alternatives with other literals are tested one by one.
    """

    def __init__(self, alternatives: tuple[Alternative, ...]) -> None:
        self.alternatives = alternatives
        self.by_word: dict[str, list[tuple[int, frozenset[str], str]]] = {}
        self.others: list[int] = []
        for index, alternative in enumerate(alternatives):
            gate = alternative.gate
            if gate is None or any(not literal.words for literal in gate):
                self.others.append(index)
                continue
            for literal in gate:
                keyword = max(literal.words, key=len)
                entry = (index, frozenset(literal.words), literal.text)
                self.by_word.setdefault(keyword, []).append(entry)
        self.keywords = frozenset(self.by_word)

    def active(self, views: ItemViews, raw: bool) -> list[Alternative]:
        """The alternatives `views` may match, in rule order."""
        chosen: set[int] = set()
        if self.keywords:
            words = views.words(raw)
            hits = self.keywords & words
            if hits:
                folded = views.folded(raw)
                for keyword in hits:
                    for index, needed, text in self.by_word[keyword]:
                        if index not in chosen and needed <= words and text in folded:
                            chosen.add(index)
        for index in self.others:
            gate = self.alternatives[index].gate
            if gate is None or views.passes(gate, raw):
                chosen.add(index)
        return [self.alternatives[i] for i in sorted(chosen)]


def _leftmost(alternatives: list[Alternative], block: Block) -> Iterator[tuple[Any, Alternative]]:
    """The matches one alternation of all `alternatives` would find, in order.

    At the leftmost place where any alternative matches, the first of them in rule order wins
    and the search goes on after its match; each alternative keeps its next match until a
    chosen match passes over it.
    """
    text, pos = block.text, block.pos
    if len(alternatives) == 1:
        for match in alternatives[0].pattern.finditer(text, pos):
            yield match, alternatives[0]
        return
    upcoming = [a.pattern.search(text, pos) for a in alternatives]
    while True:
        best = -1
        for index, match in enumerate(upcoming):
            if match is not None and (best < 0 or match.start() < upcoming[best].start()):
                best = index
        if best < 0:
            return
        chosen = upcoming[best]
        yield chosen, alternatives[best]
        pos = chosen.end() if chosen.end() > chosen.start() else chosen.start() + 1
        for index, match in enumerate(upcoming):
            if match is not None and match.start() < pos:
                upcoming[index] = alternatives[index].pattern.search(text, pos)


def _swap_index(match: Any, count: int) -> int | None:
    for index in range(count):
        if match.start(f"s{index}") >= 0:
            return index
    return None


def _trimmed(block: Block, match: Any, group: str | int = 0) -> tuple[int, int, str]:
    """File offsets and text of a match without surrounding white space (unless all space).

    The text reads a line break inside the match (a wrapped phrase) as one space.
    """
    start, end = match.span(group)
    text = block.text[start:end]
    stripped = text.strip()
    if stripped:
        start += len(text) - len(text.lstrip())
        end = start + len(stripped)
        text = _LINE_BREAK.sub(" ", stripped)
    return block.offset + start, block.offset + end, text


def _conforms(expected: str, pattern: Any, observed: str) -> bool:
    """Vale's check that the text already is the replacement (then nothing is reported)."""
    if pattern is None:
        return expected == observed
    return pattern.fullmatch(observed) is not None


def adapt_case(
    replacement: str, observed: str, *, ignorecase: bool, capitalize: bool, matchcase: bool
) -> str:
    """The replacement in the case of the text it replaces, where that is clearly intended.

    - `matchcase`: all capitals, a capital first letter, or all lower case, like the match;
    - `capitalize`: a capital first letter when the match has one;
    - `ignorecase`: a capital first letter when the match has one and the replacement's first
      word is all lower case (so `macOS` or `iPhone` are never changed).
    """
    if not replacement or not observed:
        return replacement
    if matchcase:
        letters = [c for c in observed if c.isalpha()]
        if len(letters) > 1 and observed.isupper():
            return replacement.upper()
        if observed[0].isupper():
            return _cap_first(replacement)
        if observed.islower():
            return replacement.lower()
        return replacement
    if capitalize and observed[0].isupper():
        return _cap_first(replacement)
    if ignorecase and observed[0].isupper():
        first_word = replacement.split(" ", 1)[0]
        if first_word.islower():
            return _cap_first(replacement)
    return replacement


def _cap_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _action_fixes(action: Action | None, observed: str) -> tuple[str, ...] | None:
    """What an existence rule's `action` offers for `observed` (None when it offers nothing)."""
    if action is None:
        return None
    params = action.params
    if action.name == "remove":
        return ("",)
    if action.name == "replace":
        return params or None
    if action.name == "edit" and params:
        return _edit(params, observed)
    return None


def _edit(params: tuple[str, ...], observed: str) -> tuple[str, ...] | None:
    """Vale's `edit` action: `regex`, `trim`, `trim_left`, `trim_right`, `truncate`, `split`."""
    name, args = params[0], params[1:]
    try:
        if name == "regex" and len(args) == 2:
            pattern = translate(args[0]).pattern
            result = regex.sub(pattern, _python_template(args[1]), observed)
        elif name == "trim_right" and len(args) == 1:
            result = observed.rstrip(args[0])
        elif name == "trim_left" and len(args) == 1:
            result = observed.lstrip(args[0])
        elif name == "trim" and len(args) == 1:
            result = observed.strip(args[0])
        elif name == "truncate" and len(args) == 1:
            result = observed.split(args[0])[0]
        elif name == "split" and len(args) == 2:
            result = observed.split(args[0])[int(args[1])]
        else:
            return None
    except (RegexSyntaxError, regex.error, ValueError, IndexError):
        return None
    return (result.strip(),)


_GO_GROUP = re.compile(r"\$(\d+|\{\w+\})")


def _python_template(template: str) -> str:
    """Go's replacement template (`$1`, `${name}`) in Python's spelling (`\\g<1>`)."""
    escaped = template.replace("\\", "\\\\")
    return _GO_GROUP.sub(lambda m: "\\g<" + m.group(1).strip("{}") + ">", escaped)


__all__ = [
    "SUPPORTED_KINDS",
    "ExistenceRule",
    "SubstitutionRule",
    "ValeRule",
    "adapt_case",
    "load_styles",
]
