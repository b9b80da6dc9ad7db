"""Vale's regular expressions, made to compile under Python's `regex` module.

Vale compiles rule patterns with regexp2 in RE2-compatible mode: Perl syntax (look-behind of any
length, back-references, atomic groups) plus a few spellings Python lacks. :func:`translate` parses
a pattern into a small tree and writes it back in Python's dialect:

- an inline flag group in the middle of a pattern, `a(?i)b|c`, applies to the rest of its group
  (alternatives after it included); Python only allows flags at the very start, so the rest is
  wrapped in a scoped group: `(?:a(?i:b)|(?i:c))`;
- `\\x{2010}` becomes `\\u2010`, `\\e` becomes `\\x1b`, `\\Q…\\E` becomes an escaped literal,
  `\\k<name>` becomes `(?P=name)`, `(?'name'…)` becomes `(?P<name>…)`, `(?#…)` is dropped;
- `\\z` (end of text) becomes `\\Z`, and `\\Z` (end, or before a final newline) a look-ahead;
- `x{,3}` is a literal in Go and .NET, so its brace is escaped.

The same tree gives :func:`required_literals`: strings of which every match must contain at least
one (case-folded), so a rule can skip a file with a substring test instead of running its regex.

One file (~615 lines) because it is one translator: a small parser and writer of one
grammar, whose parts only make sense together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD_ESCAPES = frozenset("wWdDsSpP")
"""Escapes that stand for a class of characters (`\\p{L}`, `\\w`, …)."""
_ZERO_WIDTH_ESCAPES = frozenset("bBAzZG")
_CHAR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "e": "\x1b"}
_SUPPORTED_FLAGS = frozenset("imsx")
_MAX_CLASS_LITERALS = 12


class RegexSyntaxError(ValueError):
    """A pattern kbsync cannot read (the message says where)."""


# --- The tree ---------------------------------------------------------------------------------


@dataclass
class _Node:
    text: str
    """The node written in Python's dialect (groups are written from their children)."""


@dataclass
class _Char(_Node):
    """One literal character."""

    char: str = ""


@dataclass
class _Class(_Node):
    """Anything matching one character out of several (`.`, `[…]`, `\\w`, `\\p{L}`)."""

    chars: frozenset[str] | None = None
    """The characters, when the class is a short explicit list (`[Ss]`, `[‘’]`)."""


@dataclass
class _ZeroWidth(_Node):
    """An assertion (`^`, `$`, `\\b`) or anything else that consumes nothing we can use."""


@dataclass
class _Space(_Node):
    """A literal space in a word pattern: one space, or a line break inside wrapped prose."""

    text: str = "(?: |[ \\t]*\\n[ \\t]*)"


@dataclass
class _Opaque(_Node):
    """Something that matches text we cannot predict (a back-reference)."""


@dataclass
class _Flags(_Node):
    """An inline flag group `(?i)`, `(?-i)`, `(?i-s)`: applies to the rest of its group."""

    on: str = ""
    off: str = ""


@dataclass
class _Group(_Node):
    opener: str = "(?:"
    """How the group opens, in Python's dialect (`(`, `(?:`, `(?P<n>`, `(?<=`, …)."""
    alternatives: list[list[_Node]] = field(default_factory=list)

    @property
    def is_lookaround(self) -> bool:
        return self.opener in ("(?=", "(?!", "(?<=", "(?<!")


@dataclass
class _Repeat(_Node):
    node: _Node = field(default_factory=lambda: _Node(""))
    quantifier: str = ""
    minimum: int = 0


# --- Parsing ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, pattern: str, wrap_spaces: bool = False) -> None:
        self.src = pattern
        self.pos = 0
        self.wrap_spaces = wrap_spaces
        self.verbose = False
        """Whether `(?x)` appears: white space in the pattern then means nothing."""

    def error(self, message: str, at: int | None = None) -> RegexSyntaxError:
        where = self.pos if at is None else at
        return RegexSyntaxError(f"{message} at position {where} of {self.src!r}")

    def parse(self) -> list[list[_Node]]:
        alternatives = self.alternatives()
        if self.pos < len(self.src):
            raise self.error("unbalanced ')'")
        return alternatives

    def alternatives(self) -> list[list[_Node]]:
        alternatives: list[list[_Node]] = [[]]
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch == ")":
                break
            if ch == "|":
                self.pos += 1
                alternatives.append([])
                continue
            node = self.atom()
            if node is None:
                continue
            alternatives[-1].append(self.quantified(node))
        return alternatives

    def quantified(self, node: _Node) -> _Node:
        src, start = self.src, self.pos
        if start >= len(src):
            return node
        ch = src[start]
        minimum = -1
        if ch in "*+?":
            minimum = 1 if ch == "+" else 0
            self.pos += 1
        elif ch == "{":
            end = src.find("}", start)
            body = src[start + 1 : end] if end > 0 else ""
            low, _, high = body.partition(",")
            if end > 0 and low.isdigit() and (not high or high.isdigit()):
                minimum = int(low)
                self.pos = end + 1
            else:
                return node  # a literal brace: `atom()` reads it next time
        else:
            return node
        if self.pos < len(src) and src[self.pos] in "?+":
            self.pos += 1  # lazy or possessive
        if isinstance(node, _Flags):
            raise self.error("nothing to repeat before a quantifier", start)
        if isinstance(node, _Space):
            node = _Char(" ", char=" ")
        return _Repeat("", node, src[start : self.pos], minimum)

    def atom(self) -> _Node | None:
        src = self.src
        ch = src[self.pos]
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape()
        self.pos += 1
        if ch == ".":
            return _Class(".")
        if ch in "^$":
            return _ZeroWidth(ch)
        if ch == "{":
            return _Char("\\{", char="{")
        if ch in "*+?":
            raise self.error(f"nothing to repeat before {ch!r}", self.pos - 1)
        if ch == "}":
            return _Char("\\}", char="}")
        if ch == " " and self.wrap_spaces and not self.verbose:
            return _Space()
        return _Char(ch, char=ch)

    def escape(self) -> _Node | None:
        src, start = self.src, self.pos
        if start + 1 >= len(src):
            raise self.error("pattern ends with a lone backslash")
        ch = src[start + 1]
        self.pos = start + 2
        if ch == "Q":
            end = src.find("\\E", self.pos)
            literal = src[self.pos :] if end < 0 else src[self.pos : end]
            self.pos = len(src) if end < 0 else end + 2
            nodes: list[_Node] = [_Char(_escape_char(c), char=c) for c in literal]
            return _Group("", "(?:", [nodes]) if nodes else None
        if ch == "E":
            return None
        if ch == "x":
            return self.hex_escape(start)
        if ch == "u" and _is_hex(src[self.pos : self.pos + 4], 4):
            char = chr(int(src[self.pos : self.pos + 4], 16))
            self.pos += 4
            return _Char(_escape_char(char), char=char)
        if ch == "k" and self.pos < len(src) and src[self.pos] in "<'{":
            close = {"<": ">", "'": "'", "{": "}"}[src[self.pos]]
            end = src.find(close, self.pos + 1)
            if end < 0:
                raise self.error("unterminated group name in \\k")
            name = src[self.pos + 1 : end]
            self.pos = end + 1
            return _Opaque(f"(?P={name})")
        if ch.isdigit():
            end = self.pos
            while end < len(src) and src[end].isdigit():
                end += 1
            self.pos = end
            return _Opaque("\\" + src[start + 1 : end])
        if ch in "pP":
            if self.pos < len(src) and src[self.pos] == "{":
                end = src.find("}", self.pos)
                if end < 0:
                    raise self.error("unterminated \\p{…}")
                self.pos = end + 1
            else:
                self.pos += 1
            return _Class(src[start : self.pos])
        if ch in _WORD_ESCAPES:
            return _Class("\\" + ch)
        if ch == "z":
            return _ZeroWidth("\\Z")
        if ch == "Z":
            return _ZeroWidth("(?=\\n?\\Z)")
        if ch in _ZERO_WIDTH_ESCAPES:
            return _ZeroWidth("\\" + ch)
        if ch in _CHAR_ESCAPES:
            char = _CHAR_ESCAPES[ch]
            return _Char(_escape_char(char), char=char)
        if ch.isalnum():
            raise self.error(f"unknown escape \\{ch}", start)
        return _Char(_escape_char(ch), char=ch)

    def hex_escape(self, start: int) -> _Char:
        src = self.src
        if self.pos < len(src) and src[self.pos] == "{":
            end = src.find("}", self.pos)
            digits = src[self.pos + 1 : end] if end > 0 else ""
            if not _is_hex(digits, None):
                raise self.error("bad \\x{…} escape", start)
            self.pos = end + 1
        else:
            digits = src[self.pos : self.pos + 2]
            if not _is_hex(digits, 2):
                raise self.error("bad \\x escape", start)
            self.pos += 2
        char = chr(int(digits, 16))
        return _Char(_escape_char(char), char=char)

    def char_class(self) -> _Class:
        """A bracket expression, copied with its escapes rewritten; short lists are kept."""
        src, start = self.src, self.pos
        pos = start + 1
        out = ["["]
        negated = pos < len(src) and src[pos] == "^"
        if negated:
            out.append("^")
            pos += 1
        members: set[str] | None = set()
        first = True
        while True:
            if pos >= len(src):
                raise self.error("unterminated character class '['", start)
            ch = src[pos]
            if ch == "]" and not first:
                pos += 1
                break
            first = False
            if ch == "[" and src.startswith("[:", pos):
                end = src.find(":]", pos + 2)
                if end < 0:
                    raise self.error("unterminated POSIX class", pos)
                out.append(src[pos : end + 2])
                pos = end + 2
                members = None
                continue
            if ch == "\\":
                if pos + 1 >= len(src):
                    raise self.error("pattern ends with a lone backslash")
                esc = src[pos + 1]
                literal: str | None = None
                if esc == "x":
                    self.pos = pos + 2
                    literal = self.hex_escape(pos).char
                    pos = self.pos
                elif esc == "u" and _is_hex(src[pos + 2 : pos + 6], 4):
                    literal = chr(int(src[pos + 2 : pos + 6], 16))
                    pos += 6
                elif esc in _CHAR_ESCAPES:
                    literal = _CHAR_ESCAPES[esc]
                    pos += 2
                elif esc in "pP":
                    end = src.find("}", pos) + 1 if src[pos + 2 : pos + 3] == "{" else pos + 3
                    out.append(src[pos:end])
                    pos = end
                    members = None
                    continue
                elif esc.isalnum():
                    out.append(src[pos : pos + 2])
                    pos += 2
                    members = None
                    continue
                else:
                    literal = esc
                    pos += 2
                out.append(_escape_class_char(literal))
                if members is not None:
                    members.add(literal)
                continue
            if ch == "-" and len(out) > 1 and pos + 1 < len(src) and src[pos + 1] != "]":
                members = None  # a range
            elif members is not None:
                members.add(ch)
            out.append(_escape_class_char(ch) if ch in "[&~|" else ch)
            pos += 1
        self.pos = pos
        out.append("]")
        keep = members if members and not negated and len(members) <= _MAX_CLASS_LITERALS else None
        return _Class("".join(out), chars=frozenset(keep) if keep else None)

    def group(self) -> _Node | None:
        src, start = self.src, self.pos
        opener = "("
        pos = start + 1
        if src.startswith("?", pos):
            head = src[pos + 1 : pos + 2]
            if src.startswith("?#", pos):
                end = src.find(")", pos)
                if end < 0:
                    raise self.error("unterminated comment group", start)
                self.pos = end + 1
                return None
            if head in (":", "=", "!", ">"):
                opener = "(?" + head
                pos += 2
            elif src.startswith("?<=", pos) or src.startswith("?<!", pos):
                opener = src[start : pos + 3]
                pos += 3
            elif src.startswith("?P=", pos):
                end = src.find(")", pos)
                if end < 0:
                    raise self.error("unterminated back-reference", start)
                self.pos = end + 1
                return _Opaque(src[start : end + 1])
            elif src.startswith("?P<", pos) or head in ("<", "'"):
                name_start = pos + (3 if head == "P" else 2)
                close = "'" if head == "'" else ">"
                end = src.find(close, name_start)
                if end < 0:
                    raise self.error("unterminated group name", start)
                opener = f"(?P<{src[name_start:end]}>"
                pos = end + 1
            else:
                end = pos + 1
                while end < len(src) and (src[end].isalpha() or src[end] == "-"):
                    end += 1
                letters = src[pos + 1 : end]
                on, _, off = letters.partition("-")
                unsupported = set(on + off) - _SUPPORTED_FLAGS
                if end >= len(src) or src[end] not in ":)" or not letters:
                    raise self.error("unknown group syntax '(?'", start)
                if unsupported:
                    raise self.error(
                        f"inline flag {''.join(sorted(unsupported))!r} is not supported", start
                    )
                self.verbose = self.verbose or "x" in on
                if src[end] == ")":
                    self.pos = end + 1
                    return _Flags("", on=on, off=off)
                opener = "(?" + letters + ":"
                pos = end + 1
        self.pos = pos
        alternatives = self.alternatives()
        if self.pos >= len(src) or src[self.pos] != ")":
            raise self.error("missing ')'", start)
        self.pos += 1
        return _Group("", opener, alternatives)


def _is_hex(text: str, length: int | None) -> bool:
    if not text or (length is not None and len(text) != length):
        return False
    return all(c in "0123456789abcdefABCDEF" for c in text)


def _escape_char(ch: str) -> str:
    if ch in ".^$*+?{}[]\\|()":
        return "\\" + ch
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch in " #":
        return "\\" + ch  # safe even if a pattern turns on verbose mode
    return ch


def _escape_class_char(ch: str) -> str:
    if ch in "]\\^-[&~|":
        return "\\" + ch
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    return ch


# --- Writing ----------------------------------------------------------------------------------


def _write_alternatives(alternatives: list[list[_Node]]) -> str:
    """Alternatives joined by `|`, with inline flags turned into scoped groups."""
    out: list[str] = []
    on: set[str] = set()
    off: set[str] = set()
    for sequence in alternatives:
        written = _write_sequence(sequence, on, off)
        out.append(_scoped(on, off, written) if (on or off) else written)
        for node in sequence:
            if isinstance(node, _Flags):
                on = (on - set(node.off)) | set(node.on)
                off = (off - set(node.on)) | set(node.off)
    return "|".join(out)


def _write_sequence(sequence: list[_Node], on: set[str], off: set[str]) -> str:
    for index, node in enumerate(sequence):
        if isinstance(node, _Flags):
            head = "".join(_write(n) for n in sequence[:index])
            new_on = set(node.on)
            new_off = set(node.off)
            rest = _write_sequence(sequence[index + 1 :], set(), set())
            return head + (_scoped(new_on, new_off, rest) if rest else "")
    return "".join(_write(n) for n in sequence)


def _scoped(on: set[str], off: set[str], body: str) -> str:
    flags = "".join(sorted(on)) + ("-" + "".join(sorted(off)) if off else "")
    return f"(?{flags}:{body})"


def _write(node: _Node) -> str:
    if isinstance(node, _Group):
        return node.opener + _write_alternatives(node.alternatives) + ")"
    if isinstance(node, _Repeat):
        inner = _write(node.node)
        return inner + node.quantifier
    return node.text


# --- Required literals ------------------------------------------------------------------------

_BOUNDARIES = frozenset({"\\b", "^", "$", "\\A", "\\Z", "(?=\\n?\\Z)"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Literal:
    """Text every match of some part of a pattern contains (case-folded).

    `words` are the whole words it implies: a word inside the text, or at its edge when the
    pattern puts a word boundary there (`\\bable to\\b` implies the words `able` and `to`).
    Testing a set of a file's words is cheaper than searching its text.
    """

    text: str
    words: tuple[str, ...] = ()


def _literal(text: str, left: bool, right: bool) -> Literal:
    words = [
        m.group()
        for m in _WORD.finditer(text)
        if (m.start() > 0 or left) and (m.end() < len(text) or right)
    ]
    return Literal(text, tuple(words))


_Need = frozenset[Literal] | None
"""Literals of which a match must contain one; None when nothing is certain."""


def _better(a: _Need, b: _Need) -> _Need:
    if a is None:
        return b
    if b is None:
        return a
    return a if _score(a) >= _score(b) else b


def _score(need: frozenset[Literal]) -> tuple[int, int]:
    return (min(len(lit.text) for lit in need), -len(need))


def _need_of_alternatives(alternatives: Iterable[list[_Node]], left: bool, right: bool) -> _Need:
    union: set[Literal] = set()
    for sequence in alternatives:
        need = _need_of_sequence(sequence, left, right)
        if need is None:
            return None
        union |= need
    return frozenset(union) if union else None


def _transparent(node: _Node) -> bool:
    """Zero-width nodes that leave the word boundary around them as it is."""
    return isinstance(node, _Flags) or (isinstance(node, _Group) and node.is_lookaround)


def _boundary_after(sequence: list[_Node], index: int, right: bool) -> bool:
    while index < len(sequence) and _transparent(sequence[index]):
        index += 1
    if index == len(sequence):
        return right
    return _is_boundary(sequence[index])


def _is_boundary(node: _Node) -> bool:
    """Whether a word character next to this node must end a word there."""
    return isinstance(node, _Space) or (isinstance(node, _ZeroWidth) and node.text in _BOUNDARIES)


def _char_of(node: _Node) -> str | None:
    """The one (case-folded) character a node stands for, if it stands for one."""
    if isinstance(node, _Char):
        return node.char.casefold()
    if isinstance(node, _Class) and node.chars is not None:
        folded = {c.casefold() for c in node.chars}
        if len(folded) == 1:
            return folded.pop()
    return None


def _need_of_sequence(sequence: list[_Node], left: bool, right: bool) -> _Need:
    best: _Need = None
    run: list[str] = []
    run_left = False
    boundary_before = left
    for index, node in enumerate(sequence):
        char = _char_of(node)
        if char is not None:
            if not run:
                run_left = boundary_before
            run.append(char)
            boundary_before = False
            continue
        if run:
            literal = _literal("".join(run), run_left, _boundary_after(sequence, index, right))
            best = _better(best, frozenset([literal]))
            run = []
        if _transparent(node):
            continue
        group_right = _boundary_after(sequence, index + 1, right)
        if isinstance(node, _Class) and node.chars is not None:
            best = _better(best, frozenset(Literal(c.casefold()) for c in node.chars))
        elif isinstance(node, _Repeat) and node.minimum >= 1:
            inner = node.node
            char = _char_of(inner)
            if char is not None:
                best = _better(best, frozenset([_literal(char * node.minimum, False, False)]))
            elif isinstance(inner, _Class) and inner.chars is not None:
                best = _better(best, frozenset(Literal(c.casefold()) for c in inner.chars))
            elif isinstance(inner, _Group) and not inner.is_lookaround:
                best = _better(best, _need_of_alternatives(inner.alternatives, False, False))
        elif isinstance(node, _Group):
            need = _need_of_alternatives(node.alternatives, boundary_before, group_right)
            best = _better(best, need)
        boundary_before = _is_boundary(node)
    if run:
        best = _better(best, frozenset([_literal("".join(run), run_left, right)]))
    return best


# --- Public -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Translated:
    """A pattern in Python's dialect and the literals a match must contain one of."""

    pattern: str
    required: frozenset[Literal] | None
    """A text holding none of these (case-folded) cannot match."""


def translate(pattern: str, *, wrap_spaces: bool = False) -> Translated:
    """Rewrite a Vale (regexp2/RE2) pattern for Python's `regex` module.

    With `wrap_spaces`, a literal space (not repeated, not escaped) also matches a line break
    with the indentation around it, so a phrase wrapped across two lines of a paragraph still
    matches (Vale would miss it). Raises :class:`RegexSyntaxError` for a pattern it cannot read.
    """
    parser = _Parser(pattern, wrap_spaces)
    alternatives = parser.parse()
    need = None if parser.verbose else _need_of_alternatives(alternatives, False, False)
    if need is not None and min(len(lit.text) for lit in need) == 0:
        need = None
    return Translated(_write_alternatives(alternatives), need)
