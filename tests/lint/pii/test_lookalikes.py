"""What Presidio's patterns match and a reader would not call personal data."""

from __future__ import annotations

import pytest

from pipeline.lint.pii.lookalikes import is_lookalike


@pytest.mark.parametrize(
    ("entity", "before", "value", "after", "score"),
    [
        ("EMAIL_ADDRESS", "go get ", "github.com/foo/bar@v1.2.3", "", 1.0),
        ("EMAIL_ADDRESS", "go get github.com/foo/", "bar@v1.2.3", "", 1.0),
        ("EMAIL_ADDRESS", "cdn.jsdelivr.net/npm/", "katex@0.17.0", "/dist", 1.0),
        ("EMAIL_ADDRESS", "git clone ", "git@github.com", ":org/repo.git", 1.0),
        ("EMAIL_ADDRESS", "rsync -a public/ ", "www-data@ftp.host.fr", ":/var/www", 1.0),
        ("EMAIL_ADDRESS", "https://", "user@host.com", "/path", 1.0),
        ("EMAIL_ADDRESS", "", "logo@2x.png", "", 1.0),
        ("EMAIL_ADDRESS", "ssh ", "USER@HOST.com", "", 1.0),
        ("PHONE_NUMBER", "version ", "0.164.0", "", 0.4),
        ("PHONE_NUMBER", "format ", "12345.6789", "", 0.75),
        ("PHONE_NUMBER", "", "1674891898", "", 0.4),
        ("PHONE_NUMBER", "v0.0.0-", "20190427180251", "-e36f5799b396", 0.4),
        ("PHONE_NUMBER", "date ", "2024-01-15", "", 0.75),
        ("PHONE_NUMBER", "abc", "4155552671", "", 0.75),
        ("CREDIT_CARD", "", "1674891898000000", "", 1.0),
        ("CREDIT_CARD", "", "4000000000000000", "", 1.0),
        ("IP_ADDRESS", "v", "1.2.3.4", "", 0.6),
        ("IP_ADDRESS", "", "1.2.3.4", ".5", 0.6),
        ("US_SSN", "a", "536228726", "", 0.5),
    ],
)
def test_lookalikes(entity: str, before: str, value: str, after: str, score: float) -> None:
    assert is_lookalike(entity, value, before, after, score)


@pytest.mark.parametrize(
    ("entity", "before", "value", "after", "score"),
    [
        ("EMAIL_ADDRESS", "write to ", "jane.doe@acme-shipping.com", ".", 1.0),
        ("EMAIL_ADDRESS", "<", "jane@acme.io", ">", 1.0),
        ("EMAIL_ADDRESS", "mail ", "jane@acme.io", ": thanks", 1.0),
        ("PHONE_NUMBER", "call ", "+1 415 839 2274", ".", 0.75),
        ("PHONE_NUMBER", "", "(415) 839-2274", "", 0.4),
        ("PHONE_NUMBER", "", "415.839.2274", "", 0.4),
        ("PHONE_NUMBER", "", "+14158392274", "", 0.4),
        ("PHONE_NUMBER", "phone: ", "4158392274", "", 0.75),
        ("CREDIT_CARD", "card ", "4539 1488 0343 6467", "", 1.0),
        ("IP_ADDRESS", "from ", "81.2.69.160", ".", 0.6),
        ("US_SSN", "SSN ", "536-22-8726", ",", 0.5),
    ],
)
def test_real_values(entity: str, before: str, value: str, after: str, score: float) -> None:
    assert not is_lookalike(entity, value, before, after, score)
