"""The payload gate sees through invisible characters.

A zero-width space, a soft hyphen or a word joiner — typed, or written as an entity the
normaliser decodes (`&shy;`, `&NoBreak;`, `&#8203;`) — inside a key, a card number, an e-mail
address or a name hides it from every pattern, yet the assistant reads it (and a user copies it)
whole. Before this, each case below was stored on the site with its secret intact.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.sync.test_payload_gate import AWS, CARD, GITHUB, Run, kb, kbsync_bytes, make_repo, stored

__all__ = ["kb"]

EMAIL = "jane.doe@parcelly-mail.co.uk"
CASES = {
    "aws_zwsp": (f"The key id is AKIA\u200b{AWS[4:]} for the bucket.", AWS, "secrets.cloud-key"),
    "aws_entity": (f"The key id is AKIA&#8203;{AWS[4:]} for the bucket.", AWS, "secrets.cloud-key"),
    "github_shy": (
        f"Log in with {GITHUB[:20]}&shy;{GITHUB[20:]} today.",
        GITHUB,
        "secrets.vcs-token",
    ),
    "card_joiner": (
        "Charge " + "&NoBreak;".join(re.findall("....", CARD)) + " for the order.",
        CARD,
        "pii.credit_card",
    ),
    "email_zwsp": (
        "Write to jane.doe\u200b@parcelly-mail.co.uk today.",
        EMAIL,
        "pii.email_address",
    ),
    "name_zwsp": ("Ask Jo\u200bhn Smith at the front desk.", "John Smith", "pii.person"),
}


def titles(root: Path) -> list[str]:
    return sorted(str(d["title"]) for d in stored(root))


def visible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_invisible_character_does_not_smuggle_a_secret_out(
    tmp_path: Path, kb: Run, name: str
) -> None:
    body, secret, rule = CASES[name]
    root = make_repo(tmp_path, {name: body})
    result = kb(root, "sync", "--yes", "--skip-lint")  # the gate alone: lint is bypassed
    assert result.exit_code == 1, result.output
    assert f"blocked docs.{name}:" in result.stdout
    assert f"content/docs/{name}.md:9: {rule}:" in result.stdout
    assert secret not in visible(result.output)
    assert titles(root) == ["Lockers"]
    assert secret.encode() not in visible(kbsync_bytes(root).decode("utf-8", "replace")).encode()


def test_lint_finds_a_key_split_by_a_typed_zero_width_space(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"aws_zwsp": CASES["aws_zwsp"][0]})
    result = kb(root, "lint", "--no-cache")
    assert result.exit_code == 1
    assert "secrets.cloud-key" in result.output
