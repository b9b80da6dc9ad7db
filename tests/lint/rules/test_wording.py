"""The `wording` family: Vale styles under `rules/`, loaded from YAML.

Rule behaviour is kept as data in `wording_cases.yml` against the fixture style in
`tests/data/wording/styles`; this module runs those cases and tests loading, case adaptation,
searching, GitLab's real styles and the repository's own `Kbsync` style. The Vale engine's own
parts (the regex dialect, messages, the views a rule searches) are tested in `tests/lint/vale/`.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
import regex
import yaml

from pipeline.config import Settings
from pipeline.corpus import Item, discover, load_corpus, parse_item
from pipeline.errors import ConfigError
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.rule import LintContext, SkippedRule
from pipeline.lint.rules import wording
from pipeline.lint.rules.wording import ValeRule, adapt_case, load_styles
from pipeline.lint.vale.reader import Alternative
from pipeline.lint.vale.regex import translate
from pipeline.lint.vale.scopes import Block

HERE = Path(__file__).parent
DATA = HERE.parent.parent / "data" / "wording"
STYLES = DATA / "styles"
REPO = HERE.parents[2]
CORPORA = REPO.parent / "shared" / "corpora"
GITLAB = CORPORA / "vale-gitlab"
HUGO = CORPORA / "hugo-docs"
CASES = yaml.safe_load((HERE / "wording_cases.yml").read_text(encoding="utf-8"))
NO_GITLAB = pytest.mark.skipif(
    not (GITLAB / "gitlab_base").is_dir(),
    reason=f"GitLab's Vale styles are not at {GITLAB} (the shared corpora are not mounted)",
)
NO_HUGO = pytest.mark.skipif(not HUGO.is_dir(), reason=f"the Hugo docs corpus is not at {HUGO}")


def context(root: Path) -> LintContext:
    return LintContext(settings=Settings(root=root))


def vale_rules(root: Path, repo: Path) -> tuple[list[ValeRule], list[SkippedRule]]:
    """`load_styles`, with the rules typed as the Vale rules they are."""
    rules, skipped = load_styles(root, context(repo))
    vale = [r for r in rules if isinstance(r, ValeRule)]
    assert len(vale) == len(rules)
    return vale, skipped


def item_of(text: str, path: str = "content/docs/case.md") -> Item:
    item, _problems = parse_item(path, text, "doc")
    assert item is not None
    return item


@pytest.fixture(scope="module")
def fixture_style() -> tuple[dict[str, ValeRule], list[SkippedRule]]:
    rules, skipped = vale_rules(STYLES, REPO)
    return {rule.rule_id: rule for rule in rules}, skipped


# --- Cases as data ----------------------------------------------------------------------------


def _shape(finding: Finding, wanted: dict[str, Any]) -> dict[str, Any]:
    """The finding's fields that the expected finding names."""
    actual = {
        "rule": finding.rule,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
        "severity": finding.severity.value,
        "fix": None if finding.fix is None else finding.fix.replacement,
    }
    return {key: actual[key] for key in wanted}


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_case(
    case: dict[str, Any], fixture_style: tuple[dict[str, ValeRule], list[SkippedRule]]
) -> None:
    rules, _skipped = fixture_style
    rule = rules[case["rule"]]
    item = item_of(case["text"])
    findings = list(rule.check(item))
    expected = [{"rule": case["rule"], **wanted} for wanted in case["findings"]]
    assert [_shape(f, w) for f, w in zip(findings, expected, strict=False)] == expected
    assert len(findings) == len(expected), [f.message for f in findings]
    for finding in findings:
        assert finding.category == "wording"
        assert finding.path == "content/docs/case.md"
        if finding.fix is not None:
            start = item.source.offset(finding.line, finding.column)
            end = item.source.offset(finding.end_line, finding.end_column)
            assert (finding.fix.start, finding.fix.end) == (start, end)


@pytest.mark.parametrize("case", CASES["errors"], ids=[c["name"] for c in CASES["errors"]])
def test_error_case(case: dict[str, Any], tmp_path: Path) -> None:
    rules_root = tmp_path / "rules"
    path = rules_root / case["file"]
    path.parent.mkdir(parents=True)
    path.write_text(case["content"], encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_styles(rules_root, context(tmp_path))
    error = caught.value
    assert case["error"] in error.message
    assert error.exit_code == 2
    assert error.path == str(path)
    assert str(path) in str(error)
    if "line" in case:
        assert error.line == case["line"]


# --- Loading ----------------------------------------------------------------------------------


def test_load_walks_style_folders_only(
    fixture_style: tuple[dict[str, ValeRule], list[SkippedRule]],
) -> None:
    """facts.yml, README.txt and Vale's config/ folder (whose YAML is broken) are not rules."""
    rules, skipped = fixture_style
    assert sorted(rules) == [
        "Fixture.Acronyms",
        "Fixture.Adverbs",
        "Fixture.Advice",
        "Fixture.BareLinks",
        "Fixture.CaseSensitive",
        "Fixture.Commas",
        "Fixture.Ellipsis",
        "Fixture.Filler",
        "Fixture.Headings",
        "Fixture.Jargon",
        "Fixture.Limited",
        "Fixture.Lists",
        "Fixture.OutsideHeadings",
        "Fixture.Quoted",
        "Fixture.Remove",
        "Fixture.Repeated",
        "Fixture.RepeatedAnyCase",
        "Fixture.Sentences",
        "Fixture.ShortHeadings",
        "Fixture.Spacing",
        "Fixture.Stutter",
        "Fixture.Terms",
        "Fixture.Trailing",
        "Fixture.Undefined",
        "Fixture.Version",
        "Other.Deprecated",
    ]
    assert skipped == [
        SkippedRule(
            "tests/data/wording/styles/Fixture/Plurals.yml",
            "Fixture.Plurals",
            "part-of-speech filters ('pos') are not supported yet",
        ),
    ]


def test_rule_identity_level_and_documentation(
    fixture_style: tuple[dict[str, ValeRule], list[SkippedRule]],
) -> None:
    rules, _skipped = fixture_style
    filler = rules["Fixture.Filler"]
    assert filler.category == "wording"
    assert filler.default_severity is Severity.WARNING
    assert rules["Fixture.Version"].default_severity is Severity.SUGGESTION  # Vale's default
    assert filler.summary == "Filler words."
    assert filler.documentation == (
        "Filler words.\n"
        "\n"
        "Message: Leave out '…'.\n"
        "Vale existence rule, level warning, scope text.\n"
        "More: https://example.invalid/style#filler\n"
        "Defined in tests/data/wording/styles/Fixture/Filler.yml."
    )
    assert rules["Other.Deprecated"].summary == "'…' is deprecated wording."


def test_options_follow_the_file_content(tmp_path: Path) -> None:
    style = tmp_path / "rules" / "Fixture"
    style.mkdir(parents=True)
    shutil.copy(STYLES / "Fixture" / "Filler.yml", style / "Filler.yml")

    def fingerprint() -> str:
        rules, _ = load_styles(tmp_path / "rules", context(tmp_path))
        return rules[0].fingerprint()

    first = fingerprint()
    assert fingerprint() == first
    path = style / "Filler.yml"
    path.write_text(path.read_text(encoding="utf-8") + "  - basically\n", encoding="utf-8")
    assert fingerprint() != first


def test_missing_rules_dir_means_no_rules(tmp_path: Path) -> None:
    assert load_styles(tmp_path / "rules", context(tmp_path)) == ([], [])


def test_rules_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "rules").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a directory"):
        load_styles(tmp_path / "rules", context(tmp_path))


def test_a_rule_defined_twice(tmp_path: Path) -> None:
    style = tmp_path / "rules" / "Fixture"
    style.mkdir(parents=True)
    shutil.copy(STYLES / "Fixture" / "Filler.yml", style / "Filler.yml")
    shutil.copy(STYLES / "Fixture" / "Filler.yml", style / "Filler.yaml")
    with pytest.raises(ConfigError, match=r"Fixture\.Filler is defined twice"):
        load_styles(tmp_path / "rules", context(tmp_path))


def test_yaml_1_1_booleans_stay_words(tmp_path: Path) -> None:
    """PyYAML reads `on`/`no` as booleans; a token list must keep them as words."""
    style = tmp_path / "rules" / "Words"
    style.mkdir(parents=True)
    (style / "Odd.yml").write_text(
        "extends: existence\nmessage: \"'%s'\"\ntokens:\n  - on\n  - no\n", encoding="utf-8"
    )
    rules, _ = vale_rules(tmp_path / "rules", tmp_path)
    found = [f.message for f in rules[0].check(item_of("---\nid: x\n---\nTurn on, no.\n"))]
    assert found == ["'on'", "'no'"]


# --- Case -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replacement", "observed", "options", "expected"),
    [
        ("email", "E-mail", {"ignorecase": True}, "Email"),
        ("email", "e-mail", {"ignorecase": True}, "email"),
        ("email", "E-mail", {}, "email"),
        ("macOS", "Mac OS", {"ignorecase": True}, "macOS"),
        ("log in to", "Log into", {"ignorecase": True}, "Log in to"),
        ("a-ok", "A OK", {"matchcase": True}, "A-OK"),
        ("A-OK", "a ok", {"matchcase": True}, "a-ok"),
        ("email", "E-mail", {"capitalize": True}, "Email"),
    ],
)
def test_adapt_case(
    replacement: str, observed: str, options: dict[str, bool], expected: str
) -> None:
    flags = {"ignorecase": False, "capitalize": False, "matchcase": False, **options}
    assert adapt_case(replacement, observed, **flags) == expected


# --- Searching --------------------------------------------------------------------------------


def _ungated(rule: ValeRule) -> ValeRule:
    """The same rule searching every file for every alternative."""
    alternatives = tuple(Alternative(a.pattern, None, a.swap) for a in rule.spec.alternatives)
    spec = dataclasses.replace(rule.spec, alternatives=alternatives)
    return type(rule)(rule.context, spec, rule.shown_path)


def _combined_pattern(rule: ValeRule) -> Any:
    """One alternation of every swap key, as Vale builds it."""
    data = yaml.safe_load(rule.spec.path.read_text(encoding="utf-8"))
    swap = data["swap"]
    keys = [k for entry in swap for k in entry] if isinstance(swap, list) else list(swap)
    groups = "|".join(
        f"(?P<s{i}>{translate(k, wrap_spaces=not rule.spec.nonword).pattern})"
        for i, k in enumerate(keys)
    )
    source = f"(?:{groups})" if rule.spec.nonword else rf"\b(?:{groups})\b"
    flags = regex.MULTILINE | regex.VERSION0 | (regex.IGNORECASE if rule.spec.ignorecase else 0)
    return regex.compile(source, flags)


def _combined_matches(pattern: Any, text: str) -> list[tuple[int, int, int]]:
    """(start, end, swap key) of each match of a combined pattern."""
    out = []
    for match in pattern.finditer(text):
        index = next(int(name[1:]) for name, span in _group_spans(match) if span[0] >= 0)
        out.append((*match.span(f"s{index}"), index))
    return out


def _group_spans(match: Any) -> list[tuple[str, tuple[int, int]]]:
    names = sorted(match.re.groupindex, key=lambda name: int(name[1:]))
    return [(name, match.span(name)) for name in names]


def _split_matches(rule: ValeRule, text: str) -> list[tuple[int, int, int]]:
    alternatives = list(rule.spec.alternatives)
    return [
        (*match.span(), alternative.swap if alternative.swap is not None else -1)
        for match, alternative in wording._leftmost(alternatives, Block(0, text, 0))
    ]


def test_split_alternatives_find_what_one_alternation_finds(
    fixture_style: tuple[dict[str, ValeRule], list[SkippedRule]],
) -> None:
    rule = fixture_style[0]["Fixture.Terms"]
    assert len(rule.spec.alternatives) == 5  # split: one per swap key
    text = "log into e-mail; Right-click, click master e-mails E-MAIL log\n into master"
    assert _split_matches(rule, text) == _combined_matches(_combined_pattern(rule), text)


# --- GitLab's styles --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gitlab() -> tuple[list[ValeRule], list[SkippedRule]]:
    return vale_rules(GITLAB, REPO)


@NO_GITLAB
def test_gitlab_styles_load(gitlab: tuple[list[ValeRule], list[SkippedRule]]) -> None:
    rules, skipped = gitlab
    kinds: dict[str, int] = {}
    for rule in rules:
        kinds[rule.spec.kind] = kinds.get(rule.spec.kind, 0) + 1
    assert kinds == {
        "existence": 54,
        "substitution": 9,
        "repetition": 1,
        "occurrence": 1,
        "conditional": 1,
    }
    assert len({r.rule_id for r in rules}) == len(rules)
    assert {r.category for r in rules} == {"wording"}
    reasons = sorted(s.reason for s in skipped)
    assert reasons == sorted(
        f"Vale's '{kind}' rules are not supported yet" for kind in ("metric", "script", "spelling")
    )
    assert sorted(s.rule_id for s in skipped) == [
        "gitlab_base.ReadingLevel",
        "gitlab_base.Spelling",
        "gitlab_docs.FrontMatter",
    ]


@NO_GITLAB
def test_gitlab_rules_find_what_they_should(
    gitlab: tuple[list[ValeRule], list[SkippedRule]],
) -> None:
    text = (
        "---\nid: doc.gitlab\n---\n"
        "Right-click the row, then click the **Save** button.\n"  # line 4
        "Send an e-mail about GitLab's features.\n"  # line 5
        "Run `click` and see [click](https://example.com/click).\n"  # line 6: link text only
    )
    item = item_of(text)
    found = {(f.rule, f.line, f.column, f.fix.replacement if f.fix else None)
             for rule in gitlab[0] for f in rule.check(item)}  # fmt: skip
    assert ("gitlab_base.SubstitutionWarning", 4, 27, "select") in found
    assert ("gitlab_base.ElementDescriptors", 4, 37, None) in found
    assert ("gitlab_base.SubstitutionWarning", 5, 9, "email") in found
    assert ("gitlab_base.Possessive", 5, 22, None) in found
    assert ("gitlab_base.SubstitutionWarning", 6, 22, "select") in found
    substitutions = {(line, column) for rule, line, column, _ in found
                     if rule == "gitlab_base.SubstitutionWarning"}  # fmt: skip
    assert substitutions == {(4, 27), (5, 9), (6, 22)}  # not right-click, code or the URL


@NO_GITLAB
def test_gitlab_repetition_sentence_length_and_uppercase(
    gitlab: tuple[list[ValeRule], list[SkippedRule]],
) -> None:
    """GitLab's rules of the three counting and comparing kinds find what is planted."""
    long_sentence = " ".join(f"Word{n}" for n in range(1, 31))
    text = (
        "---\nid: doc.planted\n---\n"
        "Open the the app and send the TLA.\n"  # line 4
        "Then the XYZ arrives. The API is fine.\n"  # line 5
        f"Short one. {long_sentence}.\n"  # line 6
        "A Three Letter Acronym (TLA) is defined here; `ABC` and `the the` are code.\n"  # line 7
        + " ".join(f"Word{n}" for n in range(1, 26))
        + ".\n"  # line 8: 25 words, the maximum
    )
    item = item_of(text)
    ids = ("gitlab_base.Repetition", "gitlab_base.SentenceLength", "gitlab_base.Uppercase")
    found = sorted(
        (f.rule, f.line, f.column, f.end_line, f.end_column, f.message)
        for rule in gitlab[0]
        if rule.rule_id in ids
        for f in rule.check(item)
    )
    assert found == [
        ("gitlab_base.Repetition", 4, 6, 4, 13, "Remove this duplicate word: 'the'."),
        (
            "gitlab_base.SentenceLength",
            6,
            12,
            6,
            12 + len(long_sentence) + 1,
            "Improve readability by using fewer than 25 words in this sentence.",
        ),
        (
            "gitlab_base.Uppercase",
            5,
            10,
            5,
            13,
            "Instead of uppercase for 'XYZ', use lowercase or backticks (`) if possible. "
            "Otherwise, ask a Technical Writer to add this word or acronym to the rule's "
            "exception list.",
        ),
    ]


def _sample_items(count: int | None) -> list[Item]:
    """Every file of the Hugo docs, or `count` of them spread over the corpus."""
    paths = list(discover([HUGO], HUGO))
    if count is not None:
        paths = paths[:: max(1, len(paths) // count)]
    return load_corpus(paths, HUGO).items


def _check_gating(rules: list[ValeRule], items: list[Item]) -> int:
    total = 0
    for rule in rules:
        ungated = _ungated(rule)
        for item in items:
            gated_findings = list(rule.check(item))
            assert gated_findings == list(ungated.check(item)), (rule.rule_id, item.path)
            total += len(gated_findings)
        if rule.spec.kind == "substitution" and len(rule.spec.alternatives) > 1:
            combined = _combined_pattern(rule)
            for item in items:
                view = wording._VIEWS.get(item).view(rule.scope.raw)
                assert _split_matches(rule, view) == _combined_matches(combined, view), item.path
    return total


@NO_GITLAB
@NO_HUGO
def test_gating_never_hides_a_finding(gitlab: tuple[list[ValeRule], list[SkippedRule]]) -> None:
    """Skipping files by required literals finds exactly what searching every file finds."""
    assert _check_gating(gitlab[0], _sample_items(40)) > 0


@pytest.mark.slow
@NO_GITLAB
@NO_HUGO
def test_gating_never_hides_a_finding_in_the_whole_corpus(
    gitlab: tuple[list[ValeRule], list[SkippedRule]],
) -> None:
    assert _check_gating(gitlab[0], _sample_items(None)) > 0


# --- The repository's own style ---------------------------------------------------------------


def test_kbsync_style() -> None:
    rules, skipped = vale_rules(REPO / "rules", REPO)
    assert skipped == []
    by_id = {r.rule_id: r for r in rules}
    assert sorted(by_id) == [
        "Kbsync.ClickHere",
        "Kbsync.Deprecated",
        "Kbsync.Simply",
        "Kbsync.Terms",
    ]
    text = (
        "---\nid: doc.sample\n---\n"
        "Simply log into Parcelly Classic and\n"  # line 4
        "click here to whitelist an e-mail address.\n"  # line 5
        "Please note: the old dashboard is gone. In order to ship, use `just` code.\n"  # line 6
    )
    item = item_of(text)
    found = [(f.rule, f.line, f.column, f.severity.value, f.fix.replacement if f.fix else None)
             for rule in rules for f in rule.check(item)]  # fmt: skip
    assert sorted(found) == [
        ("Kbsync.ClickHere", 5, 1, "warning", None),
        ("Kbsync.Deprecated", 4, 17, "error", None),
        ("Kbsync.Deprecated", 6, 18, "error", None),
        ("Kbsync.Simply", 4, 1, "warning", None),
        ("Kbsync.Terms", 4, 8, "warning", "log in to"),
        ("Kbsync.Terms", 5, 15, "warning", "allowlist"),
        ("Kbsync.Terms", 5, 28, "warning", "email"),
        ("Kbsync.Terms", 6, 1, "warning", "Note"),
        ("Kbsync.Terms", 6, 41, "warning", "To"),
    ]
    clean = item_of("---\nid: doc.clean\n---\nLog in to the dashboard and select **Ship**.\n")
    assert [f for rule in rules for f in rule.check(clean)] == []
