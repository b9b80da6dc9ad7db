"""What the Vale reader gives the rules besides compiled specs: Go-style messages and the
alternatives a replacement offers. Reading rule files is tested through the `wording` rules
(`tests/lint/rules/test_wording.py` and its cases)."""

from __future__ import annotations

from pipeline.lint.vale.reader import (
    format_message,
    split_alternatives,
    to_sentence,
    unquote_first_slot,
)


def test_messages() -> None:
    assert format_message("Use '%s' instead of '%s'.", "email", " e-mail ") == (
        "Use 'email' instead of 'e-mail'."
    )
    assert format_message("100%% '%s' %s", "a") == "100% 'a' "
    assert to_sentence(["a"]) == "'a'"
    assert to_sentence(["a", "b"]) == "'a' or 'b'"
    assert to_sentence(["a", "b", "c"]) == "'a', 'b', or 'c'"
    assert unquote_first_slot("Use '%s' instead of '%s'.") == "Use %s instead of '%s'."
    assert unquote_first_slot("Use %s.") == "Use %s."
    assert split_alternatives("main|primary") == ("main", "primary")
    assert split_alternatives("A' or 'B") == ("A", "B")
