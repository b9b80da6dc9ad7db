"""The committed docs match the code: the rules reference is current, the guide covers it all."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.lint.rules.schema import KNOWN_FIELDS
from tests.cli.conftest import Run

REPO = Path(__file__).resolve().parents[2]
RULES_MD = REPO / "docs" / "rules.md"
WRITING_MD = REPO / "docs" / "writing.md"


def test_docs_rules_md_is_what_kbsync_rules_writes(run: Run) -> None:
    result = run(REPO, "rules", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert RULES_MD.read_text(encoding="utf-8") == result.stdout, (
        "docs/rules.md is stale: run `kbsync rules --format markdown > docs/rules.md`"
    )


def test_the_writers_guide_explains_every_rule_family() -> None:
    families = re.findall(r"^## (\S+)$", RULES_MD.read_text(encoding="utf-8"), re.MULTILINE)
    assert {"schema", "wording", "freshness", "internal", "pii", "secrets"} <= set(families)
    guide = WRITING_MD.read_text(encoding="utf-8")
    missing = [f for f in families if f"### `{f}`" not in guide]
    assert not missing, f"docs/writing.md has no section for: {missing}"


def test_the_writers_guide_documents_every_frontmatter_field() -> None:
    guide = WRITING_MD.read_text(encoding="utf-8")
    fields = set().union(*KNOWN_FIELDS.values())
    missing = sorted(f for f in fields if f"`{f}`" not in guide)
    assert not missing, f"docs/writing.md does not mention: {missing}"


def test_the_guides_examples_suppress_real_rules() -> None:
    rules = set(re.findall(r"^### `([^`]+)`$", RULES_MD.read_text(encoding="utf-8"), re.M))
    guide = WRITING_MD.read_text(encoding="utf-8")
    named = re.findall(r"kbsync-(?:disable-next-line|disable|enable) ([\w.-]+)", guide)
    assert named
    assert sorted(set(named) - rules) == []


def test_the_guides_relative_links_resolve() -> None:
    guide = WRITING_MD.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#:]+\.md)\)", guide)
    assert targets == ["rules.md"]
    assert all((WRITING_MD.parent / t).is_file() for t in targets)
