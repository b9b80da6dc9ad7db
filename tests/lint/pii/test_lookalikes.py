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
        # issue 13: a valid address is never a phone number
        ("PHONE_NUMBER", "http://", "192.168.12.50", ":2379", 0.4),
        ("PHONE_NUMBER", "endpoint ", "81.2.69.160", "", 0.75),
        # dotted numbers that are OID arcs or versions
        ("IP_ADDRESS", "urn:oid:", "2.5.4.3", "", 0.6),
        ("IP_ADDRESS", "the OID ", "2.5.4.10", " names", 0.6),
        ("IP_ADDRESS", "oid=", "2.5.4.11", "", 0.6),
        ("IP_ADDRESS", "upgrade to version ", "3.10.2.15", "", 0.6),
        ("IP_ADDRESS", "Release ", "4.1.0.2", " fixes", 0.6),
        ("IP_ADDRESS", "firmware ", "5.4.3.21", "", 0.6),
        ("IP_ADDRESS", "pip install tool==", "2.5.4.3", "", 0.6),
        ("IP_ADDRESS", "npm i left-pad@^", "2.5.4.3", "", 0.6),
        # a UUID in a URL or a path names a file or page
        (
            "UUID",
            "![shot](https://cdn.help.acme.io/img/",
            "3f2b8a1c-9d4e-4f6a-b1c2-7e8d9f0a1b2c",
            ".png)",
            0.6,
        ),
        ("UUID", "see /uploads/", "3f2b8a1c-9d4e-4f6a-b1c2-7e8d9f0a1b2c", "/shot.png", 0.6),
        ("UUID", "", "3f2b8a1c-9d4e-4f6a-b1c2-7e8d9f0a1b2c", "/shot.png", 0.6),
        ("UUID", "file ", "3f2b8a1c-9d4e-4f6a-b1c2-7e8d9f0a1b2c", ".json", 0.6),
        ("UUID", "https://app.acme.io/ticket?id=", "3f2b8a1c-9d4e-4f6a-b1c2-7e8d9f0a1b2c", "", 0.6),
        ("UUID", "C:\\Users\\Public\\", "3f2b8a1c-9d4e-4f6a-b1c2-7e8d9f0a1b2c", "", 0.6),
        # a bare UUID whose line does not say whose record it is
        ("UUID", '"request_id": "', "b7e4c2d9-1f3a-4c6e-8a5b-9d0e2f7c1a38", '",', 0.6),
        ("UUID", "  client_id: ", "3d6f0a8e-2b1c-4f7e-9c3a-7e5b1d2f4a60", "", 0.6),
        (
            "UUID",
            "accounts are listed below.\nid ",
            "3d6f0a8e-2b1c-4f7e-9c3a-7e5b1d2f4a60",
            "",
            0.6,
        ),
        # dotted numbers in a path, next to `_`, or on a line about OIDs
        ("IP_ADDRESS", "https://downloads.acme.dev/", "2.4.1.3", "/acme.tar.gz", 0.6),
        ("IP_ADDRESS", "acme_", "2.4.1.3", "_linux.tar.gz", 0.6),
        ("IP_ADDRESS", "User-Agent: acme-client/", "3.1.0.4", "", 0.6),
        ("IP_ADDRESS", 'subject_oids: ["2.5.4.3", "', "2.5.4.10", '"]', 0.6),
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
        ("IP_ADDRESS", "from ", "81.2.69.160", " to 81.2.69.161", 0.6),
        ("IP_ADDRESS", "blocked 81.2.69.160 and ", "81.2.69.161", "", 0.6),
        ("IP_ADDRESS", "version check from ", "81.2.69.160", "", 0.6),
        ("IP_ADDRESS", "http://", "81.2.69.160", "/admin", 0.6),
        ("IP_ADDRESS", "ssh deploy@", "81.2.69.160", "", 0.6),
        ("IP_ADDRESS", "avoid 1.2.3.4 and ", "81.2.69.160", "", 0.6),
        ("UUID", "Order ", "f47ac10b-58cc-4372-a567-0e02b2c3d479", ".", 0.6),
        ("UUID", "account id: ", "f47ac10b-58cc-4372-a567-0e02b2c3d479", " (Jane)", 0.6),
        ("UUID", '"customerId": "', "f47ac10b-58cc-4372-a567-0e02b2c3d479", '",', 0.6),
    ],
)
def test_real_values(entity: str, before: str, value: str, after: str, score: float) -> None:
    assert not is_lookalike(entity, value, before, after, score)
