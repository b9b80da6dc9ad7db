"""`kbsync lint --fix`: unambiguous substitutions applied in place, reported, then re-linted."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run
from tests.helpers import doc, write_repo

STYLE = """\
extends: substitution
message: "Use '%s' instead of '%s'."
level: error
ignorecase: true
action:
  name: replace
swap:
  e-mail: email
  utilize: use|employ
"""


def test_fix_applies_unambiguous_swaps(tmp_path: Path, run: Run) -> None:
    body = "Send an e-mail.\nE-mail us, then utilize the form.\n"
    root = write_repo(
        tmp_path,
        {"rules/House/Terms.yml": STYLE, "content/docs/a.md": doc("docs.a", "A", body)},
    )
    before = json.loads(run(root, "lint", "--format", "json").output)
    assert [(f["rule"], f["line"], f["fix"]) for f in before["findings"]] == [
        ("House.Terms", 9, {"replacement": "email"}),
        ("House.Terms", 10, {"replacement": "Email"}),
        ("House.Terms", 10, None),  # two alternatives: no fix
    ]
    result = run(root, "lint", "--fix")
    assert result.exit_code == 1  # the ambiguous one is left for a person
    assert "fixed content/docs/a.md:9 House.Terms: 'e-mail' -> 'email'" in result.output
    assert "fixed content/docs/a.md:10 House.Terms: 'E-mail' -> 'Email'" in result.output
    text = (root / "content/docs/a.md").read_text()
    assert "Send an email.\nEmail us, then utilize the form.\n" in text
    after = json.loads(run(root, "lint", "--format", "json").output)
    assert [f["line"] for f in after["findings"]] == [10]
