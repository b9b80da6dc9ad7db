"""The facts file (`rules/facts.yml`): its errors, through the CLI and from `load_facts`, and
finding a fact's statements in prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus import parse_item
from pipeline.errors import ConfigError
from pipeline.lint.conflicts.facts import FlatProse, find_statements, load_facts, parse_facts
from tests.cli.conftest import Run
from tests.helpers import doc, write_repo

REFUND_FACTS = """\
facts:
  - id: refund-window
    description: How long a refund takes
    pattern: 'refunds? (?:are|is) processed within (?P<value>\\d+ (?:business )?days)'
"""


# --- facts.yml: errors are configuration errors ----------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            "facts:\n  - id: refund-window\n    pattern: 'processed within (?P<value>\\d+ days'\n",
            "error: rules/facts.yml:3: fact 'refund-window': pattern is not a valid regular "
            "expression: missing ), unterminated subpattern at position 17\n"
            "  hint: patterns use Python's re syntax; quote them in single quotes in YAML\n",
        ),
        (
            "facts:\n  - id: ok\n    pattern: 'a (?P<value>b)'\n"
            "  - id: refund-window\n    pattern:\n      - 'within (?P<value>\\d+) days'\n"
            "      - 'within (\\d+) business days'\n",
            "error: rules/facts.yml:7: fact 'refund-window': pattern #2 has no group named "
            "'value'\n"
            "  hint: capture the stated value with (?P<value>…), e.g. (?P<value>\\d+ days)\n",
        ),
    ],
    ids=["bad regex", "missing value group"],
)
def test_malformed_facts_file_is_exit_2(
    tmp_path: Path, run: Run, facts: str, expected: str
) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a"), "rules/facts.yml": facts})
    result = run(root, "lint")
    assert result.exit_code == 2
    assert result.output == expected


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ("facts: [\n", "rules/facts.yml:2: not valid YAML"),
        ("- id: a\n", "rules/facts.yml:1: a facts file is a mapping with one key, 'facts:'"),
        ("facts: []\nrules: []\n", "rules/facts.yml:2: unknown top-level key 'rules'"),
        ("facts:\n  - pattern: '(?P<value>x)'\n", "rules/facts.yml:2: fact #1: needs an 'id'"),
        (
            "facts:\n  - id: a\n    description: A\n",
            "rules/facts.yml:2: fact 'a': needs a 'pattern'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    severty: warning\n",
            "rules/facts.yml:4: fact 'a': unknown key 'severty'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n  - id: a\n    pattern: '(?P<value>y)'\n",
            "rules/facts.yml:4: fact 'a': fact 'a' is defined twice (first on line 2)",
        ),
        (
            "facts:\n  - id: Bad Id\n    pattern: '(?P<value>x)'\n",
            "rules/facts.yml:2: fact 'Bad Id': 'id' must match",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    severity: fatal\n",
            "rules/facts.yml:4: fact 'a': unknown level 'fatal'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    normalize: [upper]\n",
            "rules/facts.yml:4: fact 'a': unknown normalize step 'upper'",
        ),
        (
            "facts:\n  - id: a\n    pattern: '(?P<value>x)'\n    scope: {audiences: public}\n",
            "rules/facts.yml:4: fact 'a': unknown key 'audiences' in 'scope'",
        ),
    ],
    ids=[
        "bad yaml",
        "not a mapping",
        "unknown top-level key",
        "missing id",
        "missing pattern",
        "unknown key",
        "duplicate id",
        "bad id",
        "bad severity",
        "bad normalize",
        "bad scope",
    ],
)
def test_facts_file_errors_name_file_entry_and_line(
    tmp_path: Path, facts: str, message: str
) -> None:
    path = tmp_path / "rules" / "facts.yml"
    path.parent.mkdir()
    path.write_text(facts, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_facts(path, tmp_path)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_missing_facts_file_means_no_facts(tmp_path: Path) -> None:
    book = load_facts(tmp_path / "rules" / "facts.yml", tmp_path)
    assert book.facts == ()


# --- matching surface ----------------------------------------------------------------------------


def test_flat_prose_maps_back_to_file_offsets() -> None:
    text = (
        "---\nid: a\ntitle: T\nstatus: approved\n---\n"
        "Refunds are **processed**\n> within 7 business\n> days.\n\nNext   paragraph.\n"
    )
    item, _ = parse_item("content/docs/a.md", text, "doc")
    assert item is not None
    flat = FlatProse.of(item)
    assert flat.text == "Refunds are processed within 7 business days.\nNext paragraph. "
    index = flat.text.index("7 business days")
    start, end = flat.original_span(index, index + len("7 business days"))
    assert text[start:end] == "7 business\n> days"
    facts = parse_facts(REFUND_FACTS)
    (statement,) = find_statements(item, facts, "docs/a.md")
    assert (statement.value, statement.normalized) == ("7 business days", "7 business days")
    assert item.position(statement.start).line == 7
