"""`pii.uk_nhs`: a checksum-valid NHS number said to be one, never a phone number."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.lint.pii.lookalikes import is_lookalike, nhs_checksum
from tests.lint.rules.test_pii import DOC_HEAD, lint

# 415-839-2209/2217/2225 are San Francisco numbers whose digits pass the NHS checksum (as one
# phone number in eleven does); 943 476 5919 is the NHS's own example number.
US_PHONES = ("(415) 839-2209", "415-839-2217", "+1 415 839 2225")


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("9434765919", True), ("4158392217", True), ("4158392218", False), ("943476591", False)],
)
def test_checksum(digits: str, valid: bool) -> None:
    assert nhs_checksum(digits) is valid


@pytest.mark.parametrize(
    ("before", "value", "after"),
    [
        ("Your NHS number ", "943 476 5919", " is on the letter."),
        ("NHS no: ", "9434765919", ""),
        ("", "943-476-5919", " (your National Health Service number)"),
    ],
)
def test_an_nhs_number_with_its_context_is_reported(before: str, value: str, after: str) -> None:
    assert not is_lookalike("UK_NHS", value, before, after, 0.5)


@pytest.mark.parametrize(
    ("before", "value", "after"),
    [
        ("Reference ", "943 476 5919", " for the order."),  # no context
        ("Your NHS number ", "943 476 5918", ""),  # checksum fails
        ("NHS helpline: call ", "415-839-2217", ""),  # the nearer word says phone
        ("NHS patients, phone ", "415 839 2225", ""),
        ("NHS office +1 ", "415 839 2225", ""),  # a dialling prefix
        ("NHS office (", "415) 839-2209", ""),
        ("NHS number ", "943.476.5919", ""),  # not how an NHS number is written
    ],
)
def test_not_an_nhs_number(before: str, value: str, after: str) -> None:
    assert is_lookalike("UK_NHS", value, before, after, 0.5)


def test_us_phone_numbers_are_never_nhs_numbers(tmp_path: Path) -> None:
    """The issue's reproduction: a US phone number was also reported as `pii.uk_nhs`."""
    body = (
        f"# A\n\nCall our US office at {US_PHONES[0]} or {US_PHONES[1]} or {US_PHONES[2]}.\n\n"
        "Your NHS number 943 476 5919 is on the letter.\n"
    )
    report = lint(tmp_path, {"content/docs/case.md": DOC_HEAD + body})
    found = [(f.rule, f.line) for f in report.findings]
    assert ("pii.uk_nhs", 11) in found
    assert [rule for rule, line in found if line == 9] == ["pii.phone_number"] * 3
