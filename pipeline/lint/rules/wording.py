"""`wording`: stale, deprecated or discouraged wording, from Vale styles under `rules/`.

A style is a folder `rules/<Style>/` of Vale rule files `<Name>.yml`; each becomes the rule
`<Style>.<Name>` (family `wording`), so existing Vale styles load as they are. These of Vale's
kinds run (each rule class says exactly how, and where it differs from Vale):

- `existence`: flag what matches (:class:`ExistenceRule`);
- `substitution`: flag what matches and suggest its replacement (:class:`SubstitutionRule`);
- `repetition`: flag a token repeated right after itself, "the the" (:class:`RepetitionRule`);
- `occurrence`: flag a sentence, paragraph or other scope in which a token matches more than
  `max` or fewer than `min` times (:class:`OccurrenceRule`);
- `conditional`: flag a match of `first` whose text no match of `second` has, such as an
  acronym never spelt out (:class:`ConditionalRule`).

Other kinds (`capitalization`, `consistency`, `spelling`, `metric`, …) are reported as skipped.
See :mod:`pipeline.lint.vale.reader` for how a file is read and
:mod:`pipeline.lint.vale.scopes` for what text a rule sees (prose by default, where
hidden markup reads `*`) and how sentences and paragraphs are found.

A substitution finding carries a fix when the rule's swap values are replacements (it says
`action: replace`, or its message has a slot for the suggestion and one for the match) and the
value is one word or phrase (not `a|b`); when the rule ignores case and the match starts with a
capital (`E-mail`), so does the fix (`Email`). An existence rule's `action` (`remove`, `replace`,
`edit`) gives a fix the same way.

Performance: each rule is compiled once at load; a rule whose tokens or swap keys all contain
literal text is split into one pattern per token or key, and a file is searched only for those
whose literals it contains (see :class:`GateIndex`). The views of a file are built once and
shared by all rules (:class:`~pipeline.lint.vale.scopes.ViewCache`).

One file (~670 lines) because it is one rule family: each Vale kind is a small rule class
over the same scopes and the same style loading (the Vale engine itself is :mod:`pipeline.lint.vale`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

import regex

from pipeline.corpus import Item
from pipeline.errors import ConfigError
from pipeline.lint.findings import Finding, Fix, Severity
from pipeline.lint.limits import compile_limited
from pipeline.lint.rule import FileRule, LintContext, Rule, RuleWarning, SkippedRule
from pipeline.lint.vale.reader import (
    SUPPORTED_KINDS,
    Action,
    Alternative,
    ConditionalSpec,
    OccurrenceSpec,
    RepetitionSpec,
    RuleSpec,
    SubstitutionSpec,
    Unsupported,
    format_message,
    load_rule,
    to_sentence,
    unquote_first_slot,
)
from pipeline.lint.vale.regex import RegexSyntaxError, translate
from pipeline.lint.vale.scopes import PLACEHOLDER, Block, ItemViews, Scope, ViewCache

log = logging.getLogger(__name__)

RULE_SUFFIXES = (".yml", ".yaml")
VOCABULARY_FOLDER = "config"
"""Vale keeps vocabularies and dictionaries in `<StylesPath>/config/`; it is not a style."""
ENGINE_VERSION = "2"
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
            else:
                rules.append(_rule(context, spec, shown))
    return rules, skipped


def _rule(context: LintContext, spec: RuleSpec, shown: str) -> ValeRule:
    if isinstance(spec, SubstitutionSpec):
        return SubstitutionRule(context, spec, shown)
    if isinstance(spec, RepetitionSpec):
        return RepetitionRule(context, spec, shown)
    if isinstance(spec, OccurrenceSpec):
        return OccurrenceRule(context, spec, shown)
    if isinstance(spec, ConditionalSpec):
        return ConditionalRule(context, spec, shown)
    return ExistenceRule(context, spec, shown)


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

    def load_warnings(self) -> list[RuleWarning]:
        return [
            RuleWarning(self.shown_path, slow.line, self.rule_id, slow.message())
            for slow in self.spec.slow
        ]

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
        views = _VIEWS.get(item)
        active = self.gates.active(views, self.scope.raw)
        if not active:
            return
        findings = self._search(item, views, active)
        yield from islice(findings, self.spec.limit) if self.spec.limit else findings

    def _search(self, item: Item, views: ItemViews, active: list[Alternative]) -> Iterator[Finding]:
        """Every finding in `item`, in order (`check` applies the rule's `limit`)."""
        for block in views.blocks(self.scope):
            for match, alternative in _leftmost(active, block):
                finding = self._finding(item, block, match, alternative)
                if finding is not None:
                    yield finding

    def _finding(
        self, item: Item, block: Block, match: Any, alternative: Alternative
    ) -> Finding | None:
        raise NotImplementedError

    def _excepted(self, block: Block, span: tuple[int, int], observed: str) -> bool:
        """Vale's exceptions: a whole-word exception inside the match, or a phrase around it.

        `span` is where the match is in `block.text`.
        """
        spec = self.spec
        if spec.exceptions is not None and spec.exceptions.search(observed):
            return True
        if spec.phrases is not None:
            start, end = span
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
        if self._excepted(block, match.span(), observed):
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
        if self._excepted(block, match.span(), observed):
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


class RepetitionRule(ValeRule):
    """Flags a token repeated right after itself ("the the"): Vale's `repetition`.

    The rule's `tokens`, joined as one alternative without word boundaries, are matched in turn
    along each block; a match equal to the one before it is a repetition (equal ignoring case
    with `ignorecase`; with `alpha`, only a match made of letters counts). It is flagged from
    the first of the two to the second, with the token as the message's `%s`, unless the two
    are in different sentences or paragraphs (`.`, `!`, `?`, `|` or a blank line between them,
    as Vale skips a pair its sentence splitter cuts) or an exception covers the pair. Vale's
    undocumented `max` works as in Vale: that many repetitions of a block (since the last one
    flagged) go through, and the next one is flagged.

    Hidden markup reads `*` in the prose view, and `*` at a token's edges is not part of it:
    "the [the docs](…)" repeats "the" (link brackets are hidden), while inline code can never
    equal a word ("the `the`" is no repetition).
    """

    spec: RepetitionSpec

    def _search(self, item: Item, views: ItemViews, active: list[Alternative]) -> Iterator[Finding]:
        spec = self.spec
        pattern = active[0].pattern
        for block in views.blocks(self.scope):
            if pattern.groups == 0 and not _has_pair(
                pattern.findall(block.text, block.pos), spec.ignorecase, spec.alpha
            ):
                continue
            matches = list(pattern.finditer(block.text, block.pos))
            tokens = [_bare(match.group()) for match in matches]
            keys = [t.casefold() for t in tokens] if spec.ignorecase else tokens
            repeats = 0
            for index in range(1, len(keys)):
                if not keys[index] or keys[index] != keys[index - 1]:
                    continue
                token = tokens[index]
                if spec.alpha and not token.isalpha():
                    continue
                repeats += 1
                before = _token_span(matches[index - 1])
                after = _token_span(matches[index])
                if repeats <= spec.max_repeats or _SENTENCE_GAP.search(
                    block.text, before[1], after[0]
                ):
                    continue
                pair = (before[0], after[1])
                observed = _LINE_BREAK.sub(" ", block.text[pair[0] : pair[1]])
                if self._excepted(block, pair, observed):
                    continue
                repeats = 0
                message = format_message(spec.message, token)
                yield self.at(item, block.offset + pair[0], block.offset + pair[1], message)


class OccurrenceRule(ValeRule):
    """Flags a unit of text in which `token` matches more than `max` or fewer than `min` times.

    Vale's `occurrence`. The units are the sentences of the prose with `scope: sentence`, its
    paragraphs with `scope: paragraph`, and each block of any other scope (the whole prose
    for `text`); :mod:`pipeline.lint.vale.scopes` says how sentences are found. As in
    Vale, the message's `%s` is the count and the finding starts at the unit's first match;
    unlike Vale, it runs to the end of the unit (Vale marks the first match only), and a unit
    with no match at all (under `min`) is flagged whole (Vale points at the file's first line).
    """

    spec: OccurrenceSpec

    def _search(self, item: Item, views: ItemViews, active: list[Alternative]) -> Iterator[Finding]:
        spec = self.spec
        pattern = active[0].pattern
        view = views.view(self.scope.raw)
        for start, end in views.units(self.scope):
            count = len(pattern.findall(view, start, end))
            too_many = 0 < spec.maximum < count
            if not too_many and count >= spec.minimum:
                continue
            first = next(
                (m.start() for m in pattern.finditer(view, start, end) if m.group().strip()),
                start,
            )
            yield self.at(item, first, end, format_message(spec.message, str(count)))


class ConditionalRule(ValeRule):
    """Flags a match of `first` that no match of `second` accounts for: Vale's `conditional`.

    Typically `first` finds an acronym, `\\b([A-Z]{3,5})\\b`, and `second` its definition,
    `(?:\\b[A-Z][a-z]+ )+\\(([A-Z]{3,5})\\)` ("Three Letter Acronym (TLA)"). What `first` finds is
    its first capture group (the whole match when it has none); it is flagged, with it as the
    message's `%s`, unless some match of `second` anywhere in the text the rule sees captured
    the same text (in any of its groups; compared ignoring case with `ignorecase`), or an
    exception covers it. A `second` without a capture group is a plain condition, as in
    current Vale: any match of it anywhere accounts for every match of `first`.

    Unlike Vale, the definition may come after the use (the whole file is read before anything
    is flagged), `ignorecase` applies to both patterns and the comparison (as Vale's
    documentation says), and with a capture group in `first` only the group must be defined
    (Vale compares `first`'s whole match).
    """

    spec: ConditionalSpec

    def _search(self, item: Item, views: ItemViews, active: list[Alternative]) -> Iterator[Finding]:
        spec = self.spec
        group = 1 if active[0].pattern.groups else 0
        blocks = list(views.blocks(self.scope))
        undefined = []
        for block in blocks:
            for match in active[0].pattern.finditer(block.text, block.pos):
                if match.start(group) < 0:
                    continue
                start, end, used = _trimmed(block, match, group)
                if used and not self._excepted(block, match.span(group), used):
                    undefined.append((start, end, used))
        if not undefined:
            return
        second = spec.second
        if not second.groups:
            if any(second.search(block.text, block.pos) for block in blocks):
                return
            defined: set[str] = set()
        else:
            defined = self._definitions(blocks)
        for start, end, used in undefined:
            if self._key(used) not in defined:
                yield self.at(item, start, end, format_message(spec.message, used))

    def _definitions(self, blocks: list[Block]) -> set[str]:
        """Everything `second`'s groups capture in `blocks`."""
        defined: set[str] = set()
        for block in blocks:
            for match in self.spec.second.finditer(block.text, block.pos):
                defined.update(self._key(group) for group in match.groups() if group)
        return defined

    def _key(self, text: str) -> str:
        text = _LINE_BREAK.sub(" ", text.strip())
        return text.casefold() if self.spec.ignorecase else text


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


_SENTENCE_GAP = re.compile(r"[.!?|]|\n[ \t\r>]*\n")
"""Between two tokens: they are in different sentences or paragraphs."""


_TOKEN_EDGES = " \t\n\r\f\v" + PLACEHOLDER


def _bare(token: str) -> str:
    """A repetition token without surrounding space or hidden markup (`*`)."""
    return token.strip(_TOKEN_EDGES)


def _has_pair(tokens: list[str], ignorecase: bool, alpha: bool) -> bool:
    """Whether two tokens in a row are equal once bare: a quick test before the search.

    Most text has no repetition, and this costs a fraction of a search that keeps every match.
    """
    bare = [token.strip(_TOKEN_EDGES) for token in tokens]
    keys = [token.casefold() for token in bare] if ignorecase else bare
    return any(
        key == before and (token.isalpha() if alpha else token != "")
        for before, key, token in zip(keys, keys[1:], bare[1:], strict=False)
    )


def _token_span(match: Any) -> tuple[int, int]:
    """Where a repetition token's bare text is."""
    bare = _bare(match.group())
    start = match.start() + match.group().index(bare)
    return start, start + len(bare)


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
            result = compile_limited(pattern).sub(_python_template(args[1]), observed)
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
    "ConditionalRule",
    "ExistenceRule",
    "OccurrenceRule",
    "RepetitionRule",
    "SubstitutionRule",
    "ValeRule",
    "adapt_case",
    "load_styles",
]
