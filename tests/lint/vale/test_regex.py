"""Vale's regex dialect in Python's `regex`: translation, refusals, the literals that gate a
search, and spaces that also match a wrapped line."""

from __future__ import annotations

import pytest
import regex

from pipeline.lint.vale.regex import Literal, RegexSyntaxError, translate


@pytest.mark.parametrize(
    ("vale", "python"),
    [
        ("a(?i)b|c", "a(?i:b)|(?i:c)"),
        ("(?i)GitLab", "(?i:GitLab)"),
        (r"\x{2010}", "\u2010"),
        (r"[\x{2010}\u2011]", "[\u2010\u2011]"),
        (r"\Qa.b\E", r"(?:a\.b)"),
        ("a{,3}", r"a\{,3\}"),
        (r"(?'n'x)\k<n>", "(?P<n>x)(?P=n)"),
        (r"x\z", r"x\Z"),
        (r"x\Z", r"x(?=\n?\Z)"),
        (r"a\eb", "a\x1bb"),
        ("a(?#note)b", "ab"),
        (r"(?<!GitLab )Duo", r"(?<!GitLab )Duo"),
    ],
)
def test_translate(vale: str, python: str) -> None:
    assert translate(vale).pattern == python
    regex.compile(translate(vale).pattern)


def test_inline_flags_apply_to_the_rest_of_their_group() -> None:
    pattern = regex.compile(translate("x(?:a(?i)b|c)").pattern)
    assert [bool(pattern.fullmatch(s)) for s in ("xab", "xaB", "xC", "xAb")] == [
        True,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(?U)a", "inline flag 'U' is not supported"),
        ("(a", "missing ')'"),
        ("a)", "unbalanced ')'"),
        ("a\\", "lone backslash"),
        ("[a-", "unterminated character class"),
        (r"\q", r"unknown escape \q"),
        ("*a", "nothing to repeat"),
    ],
)
def test_translate_refuses(pattern: str, problem: str) -> None:
    with pytest.raises(RegexSyntaxError, match=regex.escape(problem)):
        translate(pattern)


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"\b(?:able to)\b", {Literal("able to", ("able", "to"))}),
        (r"\b(?:ability|able)\b", {Literal("ability", ("ability",)), Literal("able", ("able",))}),
        ("colou?r", {Literal("colo")}),
        (r"[Ss]elf-managed", {Literal("self-managed")}),
        (r"\b(?:[Ss]elf-managed)\b", {Literal("self-managed", ("self", "managed"))}),
        ("[‘’]", {Literal("‘"), Literal("’")}),
        (r"\w+ {2,}\w", {Literal("  ")}),
        (r"\b(?:(?<!right-)click(?!-through))\b", {Literal("click", ("click",))}),
        (r"\b(?:air(?:-| )?gapped)\b", {Literal("gapped")}),
        (r"\d+|x", None),
        ("(?x)a b", None),
    ],
)
def test_required_literals(pattern: str, required: set[Literal] | None) -> None:
    assert translate(pattern).required == (None if required is None else frozenset(required))


def test_wrapped_spaces() -> None:
    translated = translate(r"\b(?:log into)\b", wrap_spaces=True)
    pattern = regex.compile(translated.pattern)
    assert pattern.search("then log\n  into it")
    assert pattern.search("then log into it")
    assert not pattern.search("then log\n\ninto it")
    assert translated.required == frozenset({Literal("into", ("into",))})
    assert regex.compile(translate(" +", wrap_spaces=True).pattern).fullmatch("   ")
